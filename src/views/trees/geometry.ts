import type { Point } from "../mapping/geometry";
import { DUP_H, dupRows } from "./dupMark";
import { dupLooks } from "./look";
import type { Layout } from "./model";

export interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Where a point of the viewBox lands in an <svg> of the given CSS size, with
 * preserveAspectRatio="xMidYMin meet" (how the trees are drawn): scaled to
 * fit, centred across, at the top.
 */
export function viewBoxPoint(vb: ViewBox, size: { width: number; height: number }, p: Point): Point {
  if (vb.w <= 0 || vb.h <= 0) return { x: 0, y: 0 };
  const s = Math.min(size.width / vb.w, size.height / vb.h);
  return { x: (size.width - vb.w * s) / 2 + (p.x - vb.x) * s, y: (p.y - vb.y) * s };
}

/** Every drawn node's centre, by node id, in the <svg>'s CSS pixels. */
export function nodePoints(
  layout: Layout,
  vb: ViewBox,
  size: { width: number; height: number },
): Map<number, Point> {
  const out = new Map<number, Point>();
  for (const n of layout.nodes)
    if (n.datum.kind === "node") out.set(n.datum.node.id, viewBoxPoint(vb, size, n));
  return out;
}

/**
 * A stable node chain's dup boxes, by "chain id:dup id", in the <svg>'s CSS
 * pixels: the middle of each box's left side, where a KSM frame's link ends.
 * Dups folded into the "+N dups" row share that row's point.
 */
export function dupPoints(
  layout: Layout,
  vb: ViewBox,
  size: { width: number; height: number },
): Map<string, Point> {
  const out = new Map<string, Point>();
  for (const n of layout.nodes) {
    if (n.datum.kind !== "node" || !n.datum.node.dups) continue;
    const id = n.datum.node.id;
    for (const r of dupRows(dupLooks(n.datum.node.dups)))
      for (const dup of r.ids)
        out.set(`${id}:${dup}`, viewBoxPoint(vb, size, { x: n.x - r.w / 2, y: n.y + r.y + DUP_H / 2 }));
  }
  return out;
}
