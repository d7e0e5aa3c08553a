/*
 * The mapping overlay's marks as plain attribute sets: a page link, a
 * frame → tree node link, a frame chip (the outline at a link's end) and a
 * freed frame's ghost. The renderer applies them with D3; tests read them
 * as SVG text (svgText) without a browser.
 */
import { kindColor } from "../frames/frameModel";
import { HIGHLIGHT, TREE_BLACK } from "../palette";
import type { Point } from "./geometry";
import type { FrameMark, NodeLink, PageLink } from "./linkModel";

export type Attrs = Record<string, string | number>;

const round = (n: number) => Math.round(n * 10) / 10;

/** A link from one point to another: a vertical S curve, leaving and arriving upright. */
export function linkPath(from: Point, to: Point): string {
  const mid = round((from.y + to.y) / 2);
  const [x1, y1, x2, y2] = [from.x, from.y, to.x, to.y].map(round);
  return `M${x1},${y1}C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
}

/**
 * A write-protected page's dashes: long ones, because the software rasterizer dashes a path afresh for
 * every tile it crosses, and 256 links at "4 2" held up the page's frames for 200 ms when they all moved.
 */
const PROTECTED_DASH = "8 4";

/** How a link KSM made to the zero page (6.18 use_zero_pages) looks: a KSM merge, dotted, to the zero page. */
export const KSM_ZERO_LINK = { stroke: kindColor("ksm"), width: 2, dash: "1 3" } as const;

/**
 * A page's link to its frame, coloured by what the frame is; dashed when
 * write-protected. A page KSM merged with the zero page gets its own style
 * (KSM_ZERO_LINK): a zero page mapped by a read fault looks as before.
 */
export function pageLinkMark(l: PageLink): Attrs {
  return {
    class: `mapping-link mapping-${l.kind}${l.ksmZero ? " mapping-ksm-zero" : ""}`,
    d: linkPath(l.from, l.to),
    stroke: l.ksmZero ? KSM_ZERO_LINK.stroke : kindColor(l.kind),
    "stroke-width": l.ksmZero ? KSM_ZERO_LINK.width : l.kind === "ksm" ? 2 : 1.5,
    "stroke-dasharray": l.ksmZero ? KSM_ZERO_LINK.dash : l.writable ? "none" : PROTECTED_DASH,
    "data-page": l.key,
    "data-pfn": l.pfn,
    // Always set (0 or 1): the renderer only sets attributes, so one left out would keep its old value.
    "data-ksm-zero": l.ksmZero ? 1 : 0,
  };
}

/** A KSM frame's link to its stable tree node; dotted when the node is stale. */
export function nodeLinkMark(l: NodeLink): Attrs {
  return {
    class: "mapping-node-link",
    d: linkPath(l.from, l.to),
    stroke: TREE_BLACK,
    "stroke-width": 1.5,
    "stroke-dasharray": l.stale ? "1 3" : "6 3",
    "data-node": l.node,
    "data-pfn": l.pfn,
  };
}

/** The outline of a frame that links end at (the element tests and people find a frame by). */
export function frameChipMark(f: FrameMark): Attrs {
  const pad = 1.5;
  return {
    class: "mapping-frame",
    x: round(f.rect.x - pad),
    y: round(f.rect.y - pad),
    width: round(f.rect.w + 2 * pad),
    height: round(f.rect.h + 2 * pad),
    stroke: f.links > 1 ? HIGHLIGHT : TREE_BLACK,
    "stroke-width": f.links > 1 ? 2 : 1,
    "data-pfn": f.pfn,
    "data-links": f.links,
  };
}

/** A frame that a link just left and that is now free: it fades out where it was. */
export function ghostMark(f: { pfn: number; rect: FrameMark["rect"] }): Attrs {
  return {
    class: "mapping-ghost",
    x: round(f.rect.x),
    y: round(f.rect.y),
    width: round(f.rect.w),
    height: round(f.rect.h),
    fill: kindColor("anon"),
    stroke: TREE_BLACK,
    "data-pfn": f.pfn,
  };
}

const escapeAttr = (v: string | number) =>
  String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** One element as SVG text, attributes in the mark's order: for tests and snapshots. */
export function svgText(tag: string, attrs: Attrs): string {
  const parts = Object.entries(attrs).map(([k, v]) => `${k}="${escapeAttr(v)}"`);
  return `<${tag} ${parts.join(" ")}/>`;
}
