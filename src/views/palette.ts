import { FRAME_ANON, FRAME_FREE, FRAME_KSM, FRAME_ZERO } from "../engine";

/*
 * Colours. States use the Okabe–Ito palette, which stays distinct for the
 * common forms of colour blindness; content swatches vary hue *and*
 * lightness so that equal pages look equal and different ones rarely alike.
 */
export const STATE_COLOR: Record<number, string> = {
  [FRAME_FREE]: "#e8e8e8",
  [FRAME_ANON]: "#56b4e9", // sky blue: an ordinary anonymous page
  [FRAME_KSM]: "#e69f00", // orange: a KSM page
  [FRAME_ZERO]: "#999999", // grey: the zero page
};
/** An anonymous page shared copy-on-write by fork (mapcount > 1). */
export const SHARED_BY_FORK = "#0072b2";
export const STATE_NAME: Record<number, string> = {
  [FRAME_FREE]: "free",
  [FRAME_ANON]: "anonymous",
  [FRAME_KSM]: "KSM page",
  [FRAME_ZERO]: "zero page",
};

export const TREE_RED = "#d55e00"; // vermillion
export const TREE_BLACK = "#222222";
export const HIGHLIGHT = "#cc79a7"; // reddish purple: hover / selection
export const SEARCH = "#009e73"; // bluish green: the current search path
export const COUNTER_COLOR = {
  shared: "#e69f00",
  sharing: "#009e73",
  unshared: "#56b4e9",
  volatile: "#cc79a7",
} as const;

/** A swatch colour for page contents with this content id (0: none). */
export function contentColor(id: number): string {
  if (id === 0) return "transparent";
  const hue = (id >>> 0) % 360;
  const light = 38 + ((id >>> 9) % 4) * 9;
  return `hsl(${hue} 70% ${light}%)`;
}
