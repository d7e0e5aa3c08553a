/*
 * Drawing the frame grid. Two canvases: the base (every cell, redrawn when
 * the snapshot or the layout changes, painted pixel by pixel into one
 * ImageData) and a transparent overlay above it (outlines, the keyboard
 * cursor and pulses: a handful of strokes, cheap to redraw every animation
 * frame).
 */
import { FRAME_FREE, type Snapshot } from "../../engine";
import { contentColor, HIGHLIGHT, TREE_BLACK, TREE_RED } from "../palette";
import {
  changedFrames,
  classifyFrame,
  FRAME_KIND_ORDER,
  type FrameKind,
  frameKindCode,
  type GridLayout,
  kindColor,
  type PulseKind,
} from "./frameModel";
import { ColorCache } from "./raster";

/** Cells at least this big (CSS px) show their mapcount as a number. */
export const LABEL_MIN_CELL = 18;
/** Cells at least this big (device px) get a content stripe. */
export const STRIPE_MIN_CELL = 4;

/** The height of the content stripe at the bottom of a cell, in device px (0: none). */
export function stripeHeight(devCell: number): number {
  return devCell >= STRIPE_MIN_CELL ? Math.max(1, Math.round(devCell * 0.3)) : 0;
}

/** Paints one frame's cell whose top-left pixel is at `origin` (an index into the buffer). */
type CellPainter = (pfn: number, origin: number) => void;

function cellPainter(
  buf: Int32Array,
  layout: GridLayout,
  frames: Snapshot["frames"],
  colors: ColorCache,
): CellPainter {
  const { devCell, devWidth } = layout;
  const stripe = stripeHeight(devCell);
  // Colours by frameKindCode.
  const pixel = Int32Array.from(FRAME_KIND_ORDER, (kind) => colors.get(kindColor(kind)));
  const { state, mapcount, contentId } = frames;
  const body = devCell - stripe;
  // Plain loops over the pixels: for cells of a few pixels this beats fill() calls several times over.
  return (pfn, origin) => {
    const st = state[pfn];
    const fill = pixel[frameKindCode(st, mapcount[pfn])];
    const id = contentId[pfn];
    const swatch = stripe > 0 && st !== FRAME_FREE && id !== 0 ? colors.content(id, contentColor) : fill;
    let i = origin;
    for (let row = 0; row < devCell; row++, i += devWidth) {
      const color = row < body ? fill : swatch;
      for (let k = i, end = i + devCell; k < end; k++) buf[k] = color;
    }
  };
}

/**
 * Paint every frame into a devWidth × devHeight pixel buffer: the cell in
 * its state's colour, and a stripe along its bottom in the colour of its
 * contents (equal pages, equal stripes).
 */
export function paintFrames(
  buf: Int32Array,
  layout: GridLayout,
  frames: Snapshot["frames"],
  colors: ColorCache = new ColorCache(),
): void {
  buf.fill(0);
  const { cols, devPitch, devWidth } = layout;
  const paint = cellPainter(buf, layout, frames, colors);
  const n = Math.min(layout.count, frames.count);
  const rowStep = devWidth * devPitch;
  let col = 0;
  let origin = 0; // index of the cell's top-left pixel
  for (let pfn = 0; pfn < n; pfn++) {
    paint(pfn, origin);
    if (++col === cols) {
      col = 0;
      origin += rowStep - (cols - 1) * devPitch;
    } else origin += devPitch;
  }
}

/**
 * Repaint only the given frames' cells (a buffer painted by paintFrames for
 * the same layout). Returns the device-pixel rows touched, [top, bottom), to
 * copy to the canvas; [0, 0) when none.
 */
export function paintFrameCells(
  buf: Int32Array,
  layout: GridLayout,
  frames: Snapshot["frames"],
  pfns: readonly number[],
  colors: ColorCache = new ColorCache(),
): [number, number] {
  const { cols, devPitch, devWidth, devCell } = layout;
  const paint = cellPainter(buf, layout, frames, colors);
  let top = Number.POSITIVE_INFINITY;
  let bottom = 0;
  for (const pfn of pfns) {
    if (pfn >= layout.count) continue;
    const y = Math.floor(pfn / cols) * devPitch;
    paint(pfn, y * devWidth + (pfn % cols) * devPitch);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y + devCell);
  }
  return bottom > 0 ? [top, bottom] : [0, 0];
}

/**
 * A frame grid kept in an ImageData and copied to one canvas: repainted cell
 * by cell where frames changed since the last picture (ksmd's batches change
 * a few hundred of 65,536), in full for a new layout or when `cellsOnly` is
 * false. Returns what it drew.
 */
export class FrameRaster {
  private image: ImageData | null = null;
  private painted: { frames: Snapshot["frames"]; layout: GridLayout } | null = null;

  draw(
    ctx: CanvasRenderingContext2D,
    layout: GridLayout,
    frames: Snapshot["frames"],
    colors: ColorCache,
    cellsOnly = true,
  ): "nothing" | "cells" | "all" {
    const { devWidth: w, devHeight: h } = layout;
    const last = this.painted;
    const changed = last && this.image && last.layout === layout ? changedFrames(last.frames, frames) : null;
    if (changed?.length === 0) return "nothing";
    this.painted = { frames, layout };
    if (this.image && changed && cellsOnly) {
      const [top, bottom] = paintFrameCells(
        new Int32Array(this.image.data.buffer),
        layout,
        frames,
        changed,
        colors,
      );
      if (bottom > top) ctx.putImageData(this.image, 0, 0, 0, top, w, bottom - top);
      return "cells";
    }
    const full =
      this.image && this.image.width === w && this.image.height === h
        ? this.image
        : ctx.createImageData(w, h);
    this.image = full;
    paintFrames(new Int32Array(full.data.buffer), layout, frames, colors);
    ctx.putImageData(full, 0, 0);
    return "all";
  }

  /** Forget the picture (the canvas was cleared or resized): the next draw paints everything. */
  reset(): void {
    this.image = null;
    this.painted = null;
  }
}

/** Text colour that reads on a cell of this kind. */
export function labelColor(kind: FrameKind): string {
  return kind === "fork" ? "#ffffff" : "#111111";
}

/** The mapcounts' font size in CSS px (0: cells too small, no numbers drawn). */
export function mapcountFontPx(layout: GridLayout): number {
  return layout.cell < LABEL_MIN_CELL ? 0 : Math.round(layout.devCell * 0.45) / layout.dpr;
}

/** Mapcounts as numbers, when the cells are large enough to hold them. */
export function drawMapcounts(
  ctx: CanvasRenderingContext2D,
  layout: GridLayout,
  frames: Snapshot["frames"],
): void {
  if (layout.cell < LABEL_MIN_CELL) return;
  const { devPitch, devCell, cols } = layout;
  const stripe = stripeHeight(devCell);
  ctx.font = `${mapcountFontPx(layout) * layout.dpr}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  const n = Math.min(layout.count, frames.count);
  for (let pfn = 0; pfn < n; pfn++) {
    const kind = classifyFrame(frames.state[pfn], frames.mapcount[pfn]);
    if (kind === "free") continue;
    ctx.fillStyle = labelColor(kind);
    const x = (pfn % cols) * devPitch + devCell / 2;
    const y = Math.floor(pfn / cols) * devPitch + (devCell - stripe) / 2;
    ctx.fillText(String(frames.mapcount[pfn]), x, y);
  }
}

export interface OverlayPulse {
  pfn: number;
  kind: PulseKind;
  /** 0 at the start of the pulse, 1 at its end. */
  t: number;
}

export interface Overlay {
  /** Frames lit by the hovered or selected thing. */
  lit: Iterable<number>;
  /** Frames of the focused process (a thinner, dashed outline). */
  process: Iterable<number>;
  /** The keyboard cursor, or -1. */
  cursor: number;
  pulses: OverlayPulse[];
}

const PULSE_COLOR: Record<PulseKind, string> = { cow: TREE_RED, merge: TREE_BLACK };

export function pulseColor(kind: PulseKind): string {
  return PULSE_COLOR[kind];
}

function outlinePath(
  ctx: CanvasRenderingContext2D,
  layout: GridLayout,
  pfns: Iterable<number>,
  inflate: number,
): number {
  const { cols, devPitch, devCell, count } = layout;
  let n = 0;
  ctx.beginPath();
  for (const pfn of pfns) {
    if (pfn < 0 || pfn >= count) continue;
    const x = (pfn % cols) * devPitch;
    const y = Math.floor(pfn / cols) * devPitch;
    ctx.rect(x - inflate, y - inflate, devCell + 2 * inflate, devCell + 2 * inflate);
    n++;
  }
  return n;
}

/** Redraw the overlay canvas (cleared first). */
export function drawOverlay(ctx: CanvasRenderingContext2D, layout: GridLayout, o: Overlay): void {
  const { devWidth, devHeight, devCell, devPitch, cols, count, dpr } = layout;
  ctx.clearRect(0, 0, devWidth, devHeight);
  const line = Math.max(1, Math.round(dpr));
  // Small cells: outlines go around the cell, over the gap and the neighbours' edges.
  const small = devCell < 8 * dpr;

  ctx.strokeStyle = HIGHLIGHT;
  ctx.lineWidth = line;
  ctx.setLineDash(small ? [] : [3 * line, 2 * line]);
  if (outlinePath(ctx, layout, o.process, small ? line / 2 : line / 2) > 0) ctx.stroke();

  ctx.setLineDash([]);
  ctx.lineWidth = 2 * line;
  if (outlinePath(ctx, layout, o.lit, small ? line : 0) > 0) ctx.stroke();

  if (o.cursor >= 0 && o.cursor < count) {
    ctx.lineWidth = line;
    ctx.strokeStyle = "#ffffff";
    outlinePath(ctx, layout, [o.cursor], 2 * line);
    ctx.stroke();
    ctx.strokeStyle = TREE_BLACK;
    ctx.setLineDash([2 * line, 2 * line]);
    outlinePath(ctx, layout, [o.cursor], 2 * line);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  for (const p of o.pulses) {
    if (p.pfn < 0 || p.pfn >= count) continue;
    const t = Math.max(0, Math.min(1, p.t));
    const x = (p.pfn % cols) * devPitch;
    const y = Math.floor(p.pfn / cols) * devPitch;
    const grow = line + t * Math.max(devPitch, 6 * dpr);
    ctx.globalAlpha = 1 - t;
    ctx.strokeStyle = pulseColor(p.kind);
    ctx.lineWidth = 2 * line;
    ctx.strokeRect(x - grow, y - grow, devCell + 2 * grow, devCell + 2 * grow);
    ctx.globalAlpha = 1;
  }
}
