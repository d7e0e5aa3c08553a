import type { KsmEvent, Snapshot } from "../../engine";
import type { Renderer } from "../useRenderer";
import { drawMapcounts, drawOverlay, FrameRaster, LABEL_MIN_CELL, type OverlayPulse } from "./drawFrames";
import { type GridLayout, PULSE_MS, type PulseKind, pulsesFrom } from "./frameModel";
import { ColorCache } from "./raster";

/** Content colours parse to at most a few thousand distinct strings: one cache for the app's life. */
const colors = new ColorCache();

export interface FramesInput {
  frames: Snapshot["frames"];
  layout: GridLayout;
  /** Frames outlined as hovered or selected. */
  lit: ReadonlySet<number>;
  /** The focused process's frames (dashed). */
  process: readonly number[];
  /** The keyboard cursor's frame, or -1. */
  cursor: number;
  /** The update's events: COW faults and merges pulse. */
  recent: readonly KsmEvent[];
  motion: boolean;
}

/**
 * The frame grid's two canvases inside `stack`: the base (every cell,
 * repainted cell by cell where frames changed — ksmd's batches change a few
 * hundred of 65,536 — in full only for a new layout or when mapcounts are
 * written on it) and the overlay (outlines and pulses, animated while a
 * pulse lasts).
 */
export function createFramesRenderer(stack: HTMLElement): Renderer<FramesInput> {
  const base = stack.querySelector<HTMLCanvasElement>("canvas.frames-base");
  const over = stack.querySelector<HTMLCanvasElement>("canvas.frames-overlay");
  const raster = new FrameRaster();
  let input: FramesInput | null = null;
  let pulsed: readonly KsmEvent[] | null = null;
  const pulses = new Map<number, { kind: PulseKind; start: number }>();
  let raf = 0;

  function paintBase(frames: Snapshot["frames"], layout: GridLayout): void {
    const ctx = base?.getContext("2d");
    if (!ctx || layout.devWidth === 0 || layout.devHeight === 0) return;
    // Mapcounts are written over the cells: with them, a change repaints everything.
    if (raster.draw(ctx, layout, frames, colors, layout.cell < LABEL_MIN_CELL) === "all")
      drawMapcounts(ctx, layout, frames);
  }

  /** Draws outlines and live pulses; true while a pulse is still running. */
  function paintOverlay(now: number): boolean {
    const ctx = over?.getContext("2d");
    const live: OverlayPulse[] = [];
    for (const [pfn, p] of pulses) {
      const t = (now - p.start) / PULSE_MS;
      if (t >= 1) pulses.delete(pfn);
      else live.push({ pfn, kind: p.kind, t: Math.max(0, t) });
    }
    if (ctx && input)
      drawOverlay(ctx, input.layout, {
        lit: input.lit,
        process: input.process,
        cursor: input.cursor,
        pulses: live,
      });
    return live.length > 0;
  }

  function animate(): void {
    if (raf !== 0) return;
    const tick = (now: number) => {
      raf = paintOverlay(now) ? requestAnimationFrame(tick) : 0;
    };
    raf = requestAnimationFrame(tick);
  }

  return {
    update(next) {
      input = next;
      paintBase(next.frames, next.layout);
      const now = performance.now();
      if (!next.motion) pulses.clear();
      else if (pulsed !== next.recent)
        for (const p of pulsesFrom(next.recent)) pulses.set(p.pfn, { kind: p.kind, start: now });
      // Turning motion on does not replay the last update's pulses.
      pulsed = next.recent;
      paintOverlay(now);
      if (pulses.size > 0) animate();
    },
    destroy() {
      if (raf !== 0) cancelAnimationFrame(raf);
      raf = 0;
      pulses.clear();
      raster.reset();
    },
  };
}
