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
import { PAGE_KINDS, type PageKind, pageKindCode, RMAP_MARK, type RmapWhere } from "./pageModel";

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
  /** The rmap_items are drawn as letters (drawRmapLetters) in the upper right: no dot, the swatch lower left. */
  letters = false,
): [number, number] {
  const { cols, devPitch, devCell: c, devWidth } = layout;
  const border = colors.get(ABSENT_BORDER);
  const white = colors.get("#ffffff");
  const hatch = colors.get(HATCH);
  const swatch = c >= 6 ? Math.max(2, Math.round(c / 2)) : 0;
  const dot = c >= 8 && !letters ? Math.max(2, Math.round(c / 4)) : 0;
  const centre = ((c - swatch) / 2) | 0;
  const inset = Math.max(2, Math.round(c / 8));
  const [sx, sy] = letters ? [inset, c - swatch - inset] : [centre, centre];
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
        fillRectPx(buf, devWidth, x + sx, y + sy, swatch, swatch, colors.get(contentColor(id)));
      }
    }
    if (dot > 0 && where) fillRectPx(buf, devWidth, x + c - dot, y, dot, dot, colors.get(RMAP_COLOR[where]));
  }
  return first < 0 ? [0, 0] : [first, last + 1];
}

/**
 * Presenter mode draws each rmap_item's letter (as the page buttons show it,
 * 19 px: e2e checks nothing on the stage is under 18) in cells this wide or
 * wider (CSS px); smaller cells keep the dot.
 */
export const LETTER_CELL = 26;
const LETTER_PX = 19;

/** The letters' size (CSS px) in this layout, 0 when the cells are too small for them. */
export function rmapLetterPx(layout: GridLayout): number {
  return layout.cell >= LETTER_CELL ? LETTER_PX : 0;
}

/** Each page's rmap_item letter in its cell's upper right, haloed in white as on the buttons. */
export function drawRmapLetters(
  ctx: CanvasRenderingContext2D,
  layout: GridLayout,
  rmapAt: (index: number) => RmapWhere | undefined,
): void {
  const px = rmapLetterPx(layout);
  if (px === 0) return;
  const { cols, devPitch, devCell, dpr, count } = layout;
  ctx.font = `700 ${px * dpr}px system-ui, sans-serif`;
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.lineJoin = "round";
  ctx.lineWidth = 3 * dpr;
  ctx.strokeStyle = "#ffffff";
  for (let i = 0; i < count; i++) {
    const where = rmapAt(i);
    if (!where) continue;
    const x = (i % cols) * devPitch + devCell - 2 * dpr;
    const y = Math.floor(i / cols) * devPitch;
    ctx.strokeText(RMAP_MARK[where], x, y);
    ctx.fillStyle = RMAP_COLOR[where];
    ctx.fillText(RMAP_MARK[where], x, y);
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
