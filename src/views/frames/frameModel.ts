/*
 * Pure helpers of the physical memory view: what to call and colour each
 * frame, the cell grid's geometry, and what to pulse. (Who maps a frame:
 * src/store/query.ts.)
 * No DOM here, so all of it is unit-tested in node.
 */
import { FRAME_ANON, FRAME_FREE, FRAME_KSM, FRAME_ZERO, type KsmEvent, type Snapshot } from "../../engine";
import type { Lit } from "../../store/focus";
import { mappersOf } from "../../store/query";
import type { Focus } from "../../store/store";
import { type CellGrid, cellRect, type Rect } from "../mapping/geometry";
import { SHARED_BY_FORK, STATE_COLOR } from "../palette";

/** What the view shows a frame as: its state, with anonymous frames mapped more than once set apart. */
export type FrameKind = "free" | "anon" | "fork" | "ksm" | "zero";

export const FRAME_KINDS: readonly { kind: FrameKind; label: string; color: string }[] = [
  { kind: "free", label: "free", color: STATE_COLOR[FRAME_FREE] },
  { kind: "anon", label: "anonymous", color: STATE_COLOR[FRAME_ANON] },
  { kind: "fork", label: "shared by fork", color: SHARED_BY_FORK },
  { kind: "ksm", label: "KSM", color: STATE_COLOR[FRAME_KSM] },
  { kind: "zero", label: "zero", color: STATE_COLOR[FRAME_ZERO] },
];

const KIND_COLOR: Record<FrameKind, string> = Object.fromEntries(
  FRAME_KINDS.map((k) => [k.kind, k.color]),
) as Record<FrameKind, string>;

/** Longer names, for tooltips and screen readers. */
export const KIND_NAME: Record<FrameKind, string> = {
  free: "free",
  anon: "anonymous page",
  fork: "anonymous page shared by fork",
  ksm: "KSM page",
  zero: "zero page",
};

/** Frame kinds by number (frameKindCode), in FRAME_KINDS' order. */
export const FRAME_KIND_ORDER: readonly FrameKind[] = FRAME_KINDS.map((k) => k.kind);
export const [KIND_FREE, KIND_ANON, KIND_FORK, KIND_KSM, KIND_ZERO] = [0, 1, 2, 3, 4];

/**
 * A frame's kind as its index in FRAME_KIND_ORDER: the one place that decides it,
 * a number so that the loops over every frame or page at each update build no strings.
 */
export function frameKindCode(state: number, mapcount: number): number {
  switch (state) {
    case FRAME_ANON:
      return mapcount > 1 ? KIND_FORK : KIND_ANON;
    case FRAME_KSM:
      return KIND_KSM;
    case FRAME_ZERO:
      return KIND_ZERO;
    default:
      return KIND_FREE;
  }
}

export function classifyFrame(state: number, mapcount: number): FrameKind {
  return FRAME_KIND_ORDER[frameKindCode(state, mapcount)];
}

export function kindColor(kind: FrameKind): string {
  return KIND_COLOR[kind];
}

export type FrameCounts = Record<FrameKind, number>;

export function countFrames(frames: Snapshot["frames"]): FrameCounts {
  // Counted by number: this runs over every frame at each update.
  const { state, mapcount, count } = frames;
  const n = new Uint32Array(FRAME_KIND_ORDER.length);
  for (let pfn = 0; pfn < count; pfn++) n[frameKindCode(state[pfn], mapcount[pfn])]++;
  return { free: n[KIND_FREE], anon: n[KIND_ANON], fork: n[KIND_FORK], ksm: n[KIND_KSM], zero: n[KIND_ZERO] };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "N frames, M free" */
export function framesHeadline(frames: Snapshot["frames"]): string {
  return `${plural(frames.count, "frame")}, ${frames.free} free`;
}

/** One sentence with every count, for the canvas's aria-label. */
export function framesSummary(frames: Snapshot["frames"], counts: FrameCounts): string {
  return (
    `Physical memory: ${framesHeadline(frames)}; ` +
    `${plural(counts.anon, "anonymous page")}, ${plural(counts.fork, "page")} shared by fork, ` +
    `${plural(counts.ksm, "KSM page")}, ${plural(counts.zero, "zero page")}.`
  );
}

/* ---------------------------------------------------------------- layout */

export interface GridLayout {
  count: number;
  cols: number;
  rows: number;
  dpr: number;
  /** Distance from one cell to the next, in device pixels (an integer). */
  devPitch: number;
  /** Gap between cells in device pixels. */
  devGap: number;
  /** Cell size without the gap, in device pixels. */
  devCell: number;
  /** Canvas size in device pixels. */
  devWidth: number;
  devHeight: number;
  /** Canvas size and cell size in CSS pixels. */
  width: number;
  height: number;
  cell: number;
}

export interface LayoutOptions {
  /** Largest cell pitch in CSS pixels. */
  maxPitch?: number;
  /** Smallest cell pitch in CSS pixels (default 2; the canvas grows taller, and scrolls, instead). */
  minPitch?: number;
  /** Height the grid should fit in, in CSS pixels, when it can. */
  maxHeight?: number;
}

/**
 * The cell grid for `count` frames in `availWidth` CSS pixels: the largest
 * whole-pixel pitch whose grid fits both the width and maxHeight (by default
 * as tall as it is wide, at least 360 px), never below minPitch (2 px: still
 * something a pointer can hit).
 * Pitches are whole device pixels, so cells stay crisp at any devicePixelRatio.
 */
export function gridLayout(
  count: number,
  availWidth: number,
  dpr: number,
  opts: LayoutOptions = {},
): GridLayout {
  const maxPitch = opts.maxPitch ?? 28;
  const minPitch = opts.minPitch ?? 2;
  const ratio = Number.isFinite(dpr) && dpr > 0 ? dpr : 1;
  const avail = Math.max(1, availWidth) * ratio;
  const maxHeight = (opts.maxHeight ?? Math.max(360, availWidth)) * ratio;
  const n = Math.max(1, count);
  const fitRows = (devPitch: number) => {
    const cols = Math.max(1, Math.min(n, Math.floor(avail / devPitch)));
    return { cols, rows: Math.ceil(n / cols) };
  };
  const lo = Math.max(1, Math.round(minPitch * ratio));
  let devPitch = lo;
  for (let p = Math.max(lo, Math.round(maxPitch * ratio)); p >= lo; p--) {
    const { rows } = fitRows(p);
    if (rows * p <= maxHeight) {
      devPitch = p;
      break;
    }
  }
  const { cols, rows } = fitRows(devPitch);
  const devGap = devPitch >= 6 * ratio ? Math.max(1, Math.round(ratio)) : devPitch >= 5 ? 1 : 0;
  const devCell = devPitch - devGap;
  return {
    count,
    cols,
    rows: count === 0 ? 0 : rows,
    dpr: ratio,
    devPitch,
    devGap,
    devCell,
    devWidth: cols * devPitch,
    devHeight: (count === 0 ? 0 : rows) * devPitch,
    width: (cols * devPitch) / ratio,
    height: ((count === 0 ? 0 : rows) * devPitch) / ratio,
    cell: devCell / ratio,
  };
}

/** The grid in CSS pixels, for layout outside the canvas (the mapping links). */
export function cssGrid(layout: GridLayout): CellGrid {
  return {
    cols: Math.max(1, layout.cols),
    pitch: layout.devPitch / layout.dpr,
    cell: layout.devCell / layout.dpr,
    left: 0,
    top: 0,
  };
}

/** Frame pfn's cell on the canvas, in CSS pixels. */
export function frameRect(layout: GridLayout, pfn: number): Rect {
  return cellRect(cssGrid(layout), pfn);
}

/** The frame under CSS pixel (x, y) of the canvas, or -1. */
export function hitTest(layout: GridLayout, x: number, y: number): number {
  if (x < 0 || y < 0) return -1;
  const col = Math.floor((x * layout.dpr) / layout.devPitch);
  const row = Math.floor((y * layout.dpr) / layout.devPitch);
  if (col >= layout.cols || row >= layout.rows) return -1;
  const pfn = row * layout.cols + col;
  return pfn < layout.count ? pfn : -1;
}

/** A cell's top-left corner in device pixels. */
export function cellOrigin(layout: GridLayout, index: number): { x: number; y: number } {
  return {
    x: (index % layout.cols) * layout.devPitch,
    y: Math.floor(index / layout.cols) * layout.devPitch,
  };
}

/** Keyboard movement in the grid: where an arrow (or Home/End/PageUp/PageDown) takes the cursor. */
export function moveCursor(index: number, key: string, layout: Pick<GridLayout, "cols" | "count">): number {
  const last = layout.count - 1;
  if (last < 0) return -1;
  const page = layout.cols * 8;
  let next = index;
  switch (key) {
    case "ArrowLeft":
      next = index - 1;
      break;
    case "ArrowRight":
      next = index + 1;
      break;
    case "ArrowUp":
      next = index - layout.cols;
      break;
    case "ArrowDown":
      next = index + layout.cols;
      break;
    case "PageUp":
      next = index - page;
      break;
    case "PageDown":
      next = index + page;
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = last;
      break;
    default:
      return index;
  }
  if (next < 0 || next > last) {
    // Up/down off the grid stay put rather than wrapping to another column.
    if (key === "ArrowUp" || key === "ArrowDown") return index;
    return Math.max(0, Math.min(last, next));
  }
  return next;
}

/* ------------------------------------------------------- who maps what */

/** The pid a focus is about, if exactly one: a page's process, or the only process lit. */
export function focusedPid(focus: Focus | null, lit: Lit): number | null {
  if (!focus) return null;
  if (focus.kind === "page") return focus.pid;
  let pid: number | null = null;
  for (const key of lit.pages) {
    const p = Number(key.slice(0, key.indexOf(":")));
    if (pid === null) pid = p;
    else if (pid !== p) return null;
  }
  return pid;
}

export function hexAddr(addr: number): string {
  return `0x${addr.toString(16)}`;
}

/** A sentence about one frame: its state, mapcount and the pages that map it. */
export function describeFrame(s: Snapshot, pfn: number, maxMappers = 6): string {
  const f = s.frames;
  if (pfn < 0 || pfn >= f.count) return "";
  const kind = classifyFrame(f.state[pfn], f.mapcount[pfn]);
  let text = `Frame ${pfn}: ${KIND_NAME[kind]}`;
  if (kind !== "free") text += `, mapcount ${f.mapcount[pfn]}`;
  const mappers = mappersOf(s, pfn);
  if (mappers.length > 0) {
    const shown = mappers
      .slice(0, maxMappers)
      .map(
        (m) => `${m.name} (pid ${m.pid}) ${hexAddr(m.addr)} ${m.writable ? "writable" : "write-protected"}`,
      );
    if (mappers.length > maxMappers) shown.push(`${mappers.length - maxMappers} more`);
    text += `; mapped by ${shown.join(", ")}`;
  }
  return `${text}.`;
}

/* ------------------------------------------------------------- pulses */

export type PulseKind = "cow" | "merge";

export interface Pulse {
  pfn: number;
  kind: PulseKind;
}

/**
 * The frames to pulse for an update's events: the old and the new frame of
 * a COW fault or a broken COW, the KSM frame of a successful merge.
 */
export function pulsesFrom(events: readonly KsmEvent[]): Pulse[] {
  const out: Pulse[] = [];
  for (const e of events) {
    switch (e.type) {
      case "cow-fault":
        out.push({ pfn: e.from, kind: "cow" }, { pfn: e.to, kind: "cow" });
        break;
      case "break-cow":
        out.push({ pfn: e.from, kind: "cow" });
        if (e.to !== null) out.push({ pfn: e.to, kind: "cow" });
        break;
      case "merge-two":
        if (e.ok && e.kpfn !== null) out.push({ pfn: e.kpfn, kind: "merge" });
        break;
      case "merge-with-ksm":
        if (e.ok) out.push({ pfn: e.kpfn, kind: "merge" });
        break;
    }
  }
  return out.filter((p) => p.pfn >= 0);
}

/** How long a pulse lasts, in milliseconds. */
export const PULSE_MS = 700;

/**
 * The frames whose state, mapcount or contents differ between two pictures
 * of the same memory; null when they are not comparable (another machine).
 */
export function changedFrames(a: Snapshot["frames"], b: Snapshot["frames"]): number[] | null {
  if (a.count !== b.count) return null;
  if (a === b) return [];
  const out: number[] = [];
  for (let pfn = 0; pfn < a.count; pfn++)
    if (
      a.state[pfn] !== b.state[pfn] ||
      a.mapcount[pfn] !== b.mapcount[pfn] ||
      a.contentId[pfn] !== b.contentId[pfn]
    )
      out.push(pfn);
  return out;
}
