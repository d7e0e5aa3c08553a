/*
 * Placing the views' registered layouts on the overlay: one bounding box per
 * registered element (and per clipping container) gives its offset and
 * scale; the cells themselves come from the views' pure layouts.
 */
import type { Anchors, Size } from "./anchors";
import { type Point, placeGrid, type Rect } from "./geometry";
import type { Placed, PlacedVma } from "./linkModel";

interface Box {
  /** Offset of the element's origin on the overlay, and its scale (a CSS transform). */
  dx: number;
  dy: number;
  scale: number;
  size: Size;
  /** What of it is visible, on the overlay. */
  clip: Rect;
}

function box(el: Element, clipEl: Element | null, origin: DOMRect): Box {
  const r = el.getBoundingClientRect();
  const width = el.clientWidth || r.width;
  const height = el.clientHeight || r.height;
  const scale = width > 0 ? r.width / width : 1;
  const c = inSight(clipEl ?? el);
  return {
    dx: r.left - origin.left,
    dy: r.top - origin.top,
    scale,
    size: { width, height },
    clip: { x: c.left - origin.left, y: c.top - origin.top, w: c.right - c.left, h: c.bottom - c.top },
  };
}

/**
 * The part of an element left in sight by the boxes around it that clip
 * (overflow other than visible): a process scrolled out of the processes box
 * must not get links that end in the middle of nowhere. Empty: zero size.
 */
function inSight(el: Element): { left: number; top: number; right: number; bottom: number } {
  const r = el.getBoundingClientRect();
  let { left, top, right, bottom } = r;
  for (let a = el.parentElement; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    if (style.overflowX === "visible" && style.overflowY === "visible") continue;
    const b = a.getBoundingClientRect();
    left = Math.max(left, b.left);
    top = Math.max(top, b.top);
    right = Math.min(right, b.right);
    bottom = Math.min(bottom, b.bottom);
  }
  return { left, top, right: Math.max(left, right), bottom: Math.max(top, bottom) };
}

const NOWHERE: Placed = { vmas: [], frames: null, node: () => null };

/**
 * The anchors as placed on an overlay whose box is `origin`. What is in sight
 * is each view's own window (a scrolled frame map, a scrolled tree), not the
 * page's: the page may scroll, the links go with it.
 */
export function placeAnchors(a: Anchors, origin: DOMRect): Placed {
  const frames = a.frames.values().next().value;
  if (!frames) return NOWHERE;
  const vmas: PlacedVma[] = [];
  for (const { el, clip, anchor } of a.pages.values()) {
    const b = box(el, clip, origin);
    vmas.push({
      pid: anchor.pid,
      start: anchor.start,
      end: anchor.end,
      grid: placeGrid(anchor.grid(b.size), b.dx, b.dy, b.scale),
      clip: b.clip,
    });
  }
  const fb = box(frames.el, frames.clip, origin);
  const tree = a.trees.get("stable");
  let node: (id: number, dup?: number) => Point | null = () => null;
  if (tree) {
    const tb = box(tree.el, tree.clip, origin);
    const points = tree.anchor.points(tb.size);
    const c = tb.clip;
    node = (id, dup) => {
      const p = points(id, dup);
      if (!p) return null;
      const q = { x: tb.dx + p.x * tb.scale, y: tb.dy + p.y * tb.scale };
      return q.x >= c.x && q.x <= c.x + c.w && q.y >= c.y && q.y <= c.y + c.h ? q : null;
    };
  }
  return {
    vmas,
    frames: { grid: placeGrid(frames.anchor.grid(fb.size), fb.dx, fb.dy, fb.scale), clip: fb.clip },
    node,
  };
}
