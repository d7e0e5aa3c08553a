import type { RefObject } from "react";
import { useBox } from "../useBox";

/**
 * The content width of an element (CSS px) and the devicePixelRatio (useBox),
 * keeping the last width while the element is hidden. Before the first
 * measurement (and on the server) `initial` and 1.
 */
export function useWidth(
  ref: RefObject<HTMLElement | null>,
  initial: number,
  shown = true,
): { width: number; dpr: number } {
  const { width, dpr } = useBox(ref, shown, true);
  return { width: width > 0 ? width : initial, dpr };
}
