/*
 * Pages of one large VMA drawn on a canvas, with the same encoding as the
 * page buttons: outline = not present, fill = what backs the page (hatched
 * when write-protected), centre swatch = contents, corner dot = rmap_item.
 */
import { FRAME_ANON, FRAME_KSM, FRAME_ZERO, type Snapshot, type VmaView } from "../../engine";
import { pteFrame, pteWritable } from "../../store/query";
import type { GridLayout } from "../frames/frameModel";
import { ColorCache, fillRectPx, hatchRectPx } from "../frames/raster";
import {
  contentColor,
  HIGHLIGHT,
  SEARCH,
  SHARED_BY_FORK,
  STATE_COLOR,
  TREE_BLACK,
  TREE_RED,
} from "../palette";
import { PAGE_KINDS, type PageKind, pageKindCode, type RmapWhere } from "./pageModel";

export const PAGE_COLOR: Record<PageKind, string> = {
  absent: "transparent",
  anon: STATE_COLOR[FRAME_ANON],
  fork: SHARED_BY_FORK,
  ksm: STATE_COLOR[FRAME_KSM],
  zero: STATE_COLOR[FRAME_ZERO],
  free: "#e8e8e8",
};

export const ABSENT_BORDER = "#9aa3ad";
const HATCH = "#ffffff";

export const RMAP_COLOR: Record<RmapWhere, string> = {
  none: "#9aa3ad",
  unstable: SEARCH,
  "stable-node": TREE_BLACK,
  stable: "#555555",
};

/** Paint every page of a VMA into a devWidth × devHeight pixel buffer. */
export function paintPages(
  buf: Int32Array,
  layout: GridLayout,
  frames: Snapshot["frames"],
  vma: VmaView,
  rmapAt: ((index: number) => RmapWhere | undefined) | null,
  colors: ColorCache = new ColorCache(),
): void {
  buf.fill(0);
  repaintPages(buf, layout, frames, vma, rmapAt, new Uint32Array(2 * vma.pte.length), colors, true);
}

/**
 * Repaint the pages that would look different from what `codes` says was
 * painted (every page when `all`), each over its whole cell, so the buffer
 * ends as a full paint would leave it; `codes` is updated to match. A page's
 * code is two numbers: kind, write bit and rmap place, then the content id —
 * equal codes paint the same pixels, and ksmd's batches change few pages.
 * Returns the rows of cells painted, [first, last + 1).
 */
export function repaintPages(
  buf: Int32Array,
  layout: GridLayout,
  frames: Snapshot["frames"],
  vma: VmaView,
  rmapAt: ((index: number) => RmapWhere | undefined) | null,
  codes: Uint32Array,
  colors: ColorCache,
  all: boolean,
): [number, number] {
  const { cols, devPitch, devCell: c, devWidth } = layout;
  const border = colors.get(ABSENT_BORDER);
  const white = colors.get("#ffffff");
  const hatch = colors.get(HATCH);
  const swatch = c >= 6 ? Math.max(2, Math.round(c / 2)) : 0;
  const dot = c >= 8 ? Math.max(2, Math.round(c / 4)) : 0;
  const n = Math.min(layout.count, vma.pte.length, codes.length / 2);
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const pte = vma.pte[i];
    const where = rmapAt === null ? undefined : rmapAt(i);
    const pfn = pteFrame(pte);
    const code =
      pageKindCode(frames, pte) | (pteWritable(pte) ? WRITABLE : 0) | (where ? RMAP_CODE[where] << 4 : 0);
    const id = pte !== 0 && pfn < frames.count ? frames.contentId[pfn] : 0;
    if (!all && codes[2 * i] === code && codes[2 * i + 1] === id) continue;
    codes[2 * i] = code;
    codes[2 * i + 1] = id;
    const row = (i / cols) | 0;
    if (first < 0) first = row;
    last = row;
    const x = (i % cols) * devPitch;
    const y = row * devPitch;
    const kind = PAGE_KINDS[code & 7];
    if (kind === "absent") {
      fillRectPx(buf, devWidth, x, y, c, c, border);
      if (c >= 4) fillRectPx(buf, devWidth, x + 1, y + 1, c - 2, c - 2, white);
    } else {
      const fill = colors.get(PAGE_COLOR[kind]);
      if (!(code & WRITABLE) && c >= 3) hatchRectPx(buf, devWidth, x, y, c, c, fill, hatch, 3);
      else fillRectPx(buf, devWidth, x, y, c, c, fill);
      if (swatch > 0 && id !== 0) {
        const off = ((c - swatch) / 2) | 0;
        fillRectPx(buf, devWidth, x + off, y + off, swatch, swatch, colors.get(contentColor(id)));
      }
    }
    if (dot > 0 && where) fillRectPx(buf, devWidth, x + c - dot, y, dot, dot, colors.get(RMAP_COLOR[where]));
  }
  return first < 0 ? [0, 0] : [first, last + 1];
}

export interface PageMarks {
  lit: number[];
  cursor: number;
  keyboard: number;
  flash: number[];
}

/** Outlines over the painted pages: lit (HIGHLIGHT), ksmd's next page (black), keyboard cursor, COW flashes. */
export function drawPageMarks(ctx: CanvasRenderingContext2D, layout: GridLayout, marks: PageMarks): void {
  const { cols, devPitch, devCell, dpr, count } = layout;
  const line = Math.max(1, Math.round(dpr));
  const box = (i: number, inflate: number) => {
    const x = (i % cols) * devPitch;
    const y = Math.floor(i / cols) * devPitch;
    ctx.strokeRect(x - inflate, y - inflate, devCell + 2 * inflate, devCell + 2 * inflate);
  };
  ctx.lineWidth = 2 * line;
  ctx.strokeStyle = TREE_RED;
  for (const i of marks.flash) if (i >= 0 && i < count) box(i, line);
  ctx.strokeStyle = HIGHLIGHT;
  for (const i of marks.lit) if (i >= 0 && i < count) box(i, line);
  if (marks.cursor >= 0 && marks.cursor < count) {
    ctx.strokeStyle = TREE_BLACK;
    ctx.lineWidth = line;
    box(marks.cursor, 2 * line);
  }
  if (marks.keyboard >= 0 && marks.keyboard < count) {
    ctx.setLineDash([2 * line, 2 * line]);
    ctx.strokeStyle = TREE_BLACK;
    ctx.lineWidth = line;
    box(marks.keyboard, 3 * line);
    ctx.setLineDash([]);
  }
}

const RMAP_CODE: Record<RmapWhere, number> = { none: 1, unstable: 2, "stable-node": 3, stable: 4 };
const WRITABLE = 1 << 3;

/**
 * The device-pixel boxes drawPageMarks strokes in (with room for the widest
 * stroke and its antialiasing): to wipe old marks by copying the pages back
 * over them, and to draw new ones on clean pages.
 */
export function markBoxes(
  layout: GridLayout,
  marks: PageMarks,
): { x: number; y: number; w: number; h: number }[] {
  const { cols, devPitch, devCell, dpr, count } = layout;
  const pad = 4 * Math.max(1, Math.round(dpr)) + 1;
  const out = [];
  for (const i of [...marks.flash, ...marks.lit, marks.cursor, marks.keyboard]) {
    if (i < 0 || i >= count) continue;
    out.push({
      x: (i % cols) * devPitch - pad,
      y: Math.floor(i / cols) * devPitch - pad,
      w: devCell + 2 * pad,
      h: devCell + 2 * pad,
    });
  }
  return out;
}
