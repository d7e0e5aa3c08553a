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
import { type PageKind, pageKind, type RmapWhere } from "./pageModel";

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
  rmapAt: (index: number) => RmapWhere | undefined,
  colors: ColorCache = new ColorCache(),
): void {
  buf.fill(0);
  const { cols, devPitch, devCell: c, devWidth } = layout;
  const border = colors.get(ABSENT_BORDER);
  const white = colors.get("#ffffff");
  const hatch = colors.get(HATCH);
  const swatch = c >= 6 ? Math.max(2, Math.round(c / 2)) : 0;
  const dot = c >= 8 ? Math.max(2, Math.round(c / 4)) : 0;
  const n = Math.min(layout.count, vma.pte.length);
  for (let i = 0; i < n; i++) {
    const x = (i % cols) * devPitch;
    const y = ((i / cols) | 0) * devPitch;
    const pte = vma.pte[i];
    const kind = pageKind(frames, pte);
    if (kind === "absent") {
      fillRectPx(buf, devWidth, x, y, c, c, border);
      if (c >= 4) fillRectPx(buf, devWidth, x + 1, y + 1, c - 2, c - 2, white);
    } else {
      const fill = colors.get(PAGE_COLOR[kind]);
      if (!pteWritable(pte) && c >= 3) hatchRectPx(buf, devWidth, x, y, c, c, fill, hatch, 3);
      else fillRectPx(buf, devWidth, x, y, c, c, fill);
      if (swatch > 0) {
        const id = frames.contentId[pteFrame(pte)] ?? 0;
        if (id !== 0) {
          const off = ((c - swatch) / 2) | 0;
          fillRectPx(buf, devWidth, x + off, y + off, swatch, swatch, colors.get(contentColor(id)));
        }
      }
    }
    if (dot > 0) {
      const where = rmapAt(i);
      if (where) fillRectPx(buf, devWidth, x + c - dot, y, dot, dot, colors.get(RMAP_COLOR[where]));
    }
  }
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

const KIND_CODE: Record<PageKind, number> = { absent: 0, anon: 1, fork: 2, ksm: 3, zero: 4, free: 5 };
const RMAP_CODE: Record<RmapWhere, number> = { none: 1, unstable: 2, "stable-node": 3, stable: 4 };

/**
 * What paintPages would draw for each page, as numbers: kind, write bit and
 * rmap place in one code, and the content id. Two equal signatures paint the
 * same pixels, so an update that changed nothing in a VMA skips its repaint.
 */
export function pageSignature(
  frames: Snapshot["frames"],
  vma: VmaView,
  rmapAt: (index: number) => RmapWhere | undefined,
): Uint32Array {
  const n = vma.pte.length;
  const sig = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const pte = vma.pte[i];
    const where = rmapAt(i);
    sig[2 * i] =
      KIND_CODE[pageKind(frames, pte)] |
      ((pteWritable(pte) ? 1 : 0) << 3) |
      ((where ? RMAP_CODE[where] : 0) << 4);
    const pfn = pteFrame(pte);
    sig[2 * i + 1] = pte !== 0 && pfn < frames.count ? frames.contentId[pfn] : 0;
  }
  return sig;
}

export function sameSignature(a: Uint32Array | null, b: Uint32Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
