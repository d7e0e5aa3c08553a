/*
 * Pure helpers of the processes view: what each virtual page shows, its
 * label, and which VMAs get DOM cells. (PTEs, regions and ksmd's next page
 * come from the snapshot through src/store/query.ts.)
 */
import type { KsmEvent, ProcessView, RmapItemView, Snapshot, VmaView } from "../../engine";
import { pageKey } from "../../store/focus";
import { decodePte, pteFrame, pteWritable } from "../../store/query";
import {
  FRAME_KIND_ORDER,
  frameKindCode,
  hexAddr,
  KIND_FORK,
  KIND_FREE,
  KIND_KSM,
  KIND_ZERO,
} from "../frames/frameModel";
import { type CellGrid, cellRect, type Rect } from "../mapping/geometry";

export const PAGE = 4096;

/** What backs a virtual page. */
export type PageKind = "absent" | "anon" | "fork" | "ksm" | "zero" | "free";

export function pageKind(frames: Snapshot["frames"], pte: number): PageKind {
  return PAGE_KINDS[pageKindCode(frames, pte)];
}

/** Page kinds by number (pageKindCode): the frame kinds in frameKindCode's order, then "absent". */
export const PAGE_KINDS: readonly PageKind[] = [...FRAME_KIND_ORDER, "absent"];
const ABSENT = FRAME_KIND_ORDER.length;

/** pageKind as its index in PAGE_KINDS: no strings in the loops that run over every page each update. */
export function pageKindCode(frames: Snapshot["frames"], pte: number): number {
  if (pte === 0) return ABSENT;
  const pfn = pteFrame(pte);
  if (pfn < 0 || pfn >= frames.count) return KIND_FREE;
  return frameKindCode(frames.state[pfn], frames.mapcount[pfn]);
}

export type RmapWhere = RmapItemView["where"];

export const RMAP_MARK: Record<RmapWhere, string> = {
  none: "·",
  unstable: "u",
  "stable-node": "S",
  stable: "s",
};

export const RMAP_NAME: Record<RmapWhere, string> = {
  none: "rmap_item in no tree",
  unstable: "rmap_item in the unstable tree",
  "stable-node": "rmap_item is a stable tree node",
  stable: "rmap_item chained on a stable node",
};

/** Something of every rmap_item (skipped where `pick` gives undefined), by pid and then address. */
function itemIndex<T>(s: Snapshot, pick: (it: Snapshot["slots"][number]["items"][number]) => T | undefined) {
  const m = new Map<number, Map<number, T>>();
  for (const slot of s.slots)
    for (const it of slot.items) {
      const v = pick(it);
      if (v === undefined) continue;
      let byAddr = m.get(it.pid);
      if (!byAddr) {
        byAddr = new Map();
        m.set(it.pid, byAddr);
      }
      byAddr.set(it.addr, v);
    }
  return m;
}

/** Every rmap_item's place, by pid and then address. */
export function rmapIndex(s: Snapshot): Map<number, Map<number, RmapWhere>> {
  return itemIndex(s, (it) => it.where);
}

/** 6.18 smart scan: an rmap_item's age and how many of ksmd's next visits pass it over. */
export interface SmartAge {
  age: number;
  skips: number;
}

/**
 * Each rmap_item's smart-scan age and remaining skips, by pid and then address,
 * as the engine keeps them; empty unless smart_scan is on (6.18).
 */
export function smartIndex(s: Snapshot): Map<number, Map<number, SmartAge>> {
  if (!s.knobs618?.smartScan) return new Map();
  return itemIndex(s, (it) =>
    it.age === undefined ? undefined : { age: it.age, skips: it.remainingSkips ?? 0 },
  );
}

/** What the label says of smart scan: "smart scan: age 4, skipped at ksmd's next 2 visits". */
export function smartText(a: SmartAge): string {
  const skips =
    a.skips === 0
      ? "not skipped at ksmd's next visit"
      : `skipped at ksmd's next ${a.skips === 1 ? "visit" : `${a.skips} visits`}`;
  return `smart scan: rmap_item age ${a.age}, ${skips}`;
}

/** Indices of the pages of a VMA among page keys (`${pid}:${addr}`). */
export function indicesInVma(
  keys: Iterable<string>,
  pid: number,
  vma: { start: number; end: number },
): number[] {
  const out: number[] = [];
  const prefix = `${pid}:`;
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const addr = Number(key.slice(prefix.length));
    if (addr >= vma.start && addr < vma.end) out.push((addr - vma.start) / PAGE);
  }
  return out;
}

export function vmaPageCount(v: VmaView): number {
  return v.pte.length;
}

/** "0x7effffffc000–0x7f0000000000" */
export function vmaRange(v: { start: number; end: number }): string {
  return `${hexAddr(v.start)}–${hexAddr(v.end)}`;
}

const KIND_TEXT: Record<PageKind, string> = {
  absent: "not present",
  anon: "anonymous frame",
  fork: "frame shared by fork",
  ksm: "KSM page",
  zero: "zero page",
  free: "free frame",
};

export function pageKindText(kind: PageKind): string {
  return KIND_TEXT[kind];
}

/** "A page 3 at 0x7effffffc000: KSM page 12, write-protected; rmap_item …" */
export function pageLabel(opts: {
  name: string;
  /** The region (mmap name) the page belongs to, if named. */
  region?: string | null;
  page: number;
  addr: number;
  pte: number;
  kind: PageKind;
  rmap?: RmapWhere;
  /** 6.18 with smart_scan: the rmap_item's age and skips. */
  smart?: SmartAge | null;
  /** 6.18 use_zero_pages: KSM merged the page with the zero page. */
  ksmZero?: boolean;
  cursor?: boolean;
}): string {
  const d = decodePte(opts.pte);
  let what: string;
  if (!d.present) what = "not present";
  else if (opts.kind === "zero")
    what = opts.ksmZero ? "zero page, merged there by KSM (use_zero_pages)" : "zero page";
  else what = `${KIND_TEXT[opts.kind]} ${d.pfn}`;
  const region = opts.region ? ` of ${opts.region}` : "";
  let text = `${opts.name} page ${opts.page}${region} at ${hexAddr(opts.addr)}: ${what}`;
  if (d.present) text += d.writable ? ", writable" : ", write-protected";
  if (opts.rmap) text += `; ${RMAP_NAME[opts.rmap]}`;
  if (opts.smart) text += `; ${smartText(opts.smart)}`;
  if (opts.cursor) text += "; ksmd scans it next";
  return text;
}

/** The page buttons' grid (PageGrid sets these on the element, so CSS and layout agree). */
export const PAGE_BUTTON = { cell: 20, gap: 3, top: 6 } as const;
export type ButtonGeometry = { readonly cell: number; readonly gap: number; readonly top: number };

/** The page buttons' cells in a grid `width` CSS px wide (CSS grid's auto-fill rule). */
export function buttonGrid(width: number, geometry: ButtonGeometry = PAGE_BUTTON): CellGrid {
  const pitch = geometry.cell + geometry.gap;
  const cols = Math.max(1, Math.floor((width + geometry.gap) / pitch));
  return { cols, pitch, cell: geometry.cell, left: 0, top: geometry.top };
}

/** How a large VMA's page canvas is laid out (see gridLayout). */
export const PAGE_CANVAS = { maxPitch: 12, minPitch: 3, maxHeight: 180 } as const;
/** …and in presenter mode: cells up to the presenter's page buttons (40 px and their gap), taller. */
export const PRESENTER_PAGE_CANVAS = { maxPitch: 45, minPitch: 4, maxHeight: 320 } as const;

/** Page `index`'s cell in a VMA's grid (buttons or canvas), in the grid element's CSS pixels. */
export function pageRect(grid: CellGrid, index: number): Rect {
  return cellRect(grid, index);
}

/** VMAs up to this many pages get one button per page… */
export const DOM_VMA_MAX = 512;
/**
 * …while the view has at most this many page buttons in all; the rest are
 * drawn on canvas. Measured with ksmd merging flat out: at 2048 buttons the
 * browser's style, layout and paint work for the cells that change each
 * update roughly halved the update rate; at 1024 it stays close to canvas.
 */
export const DOM_PAGE_BUDGET = 1024;

/** Per VMA (by `${pid}:${start}`), whether its pages are DOM buttons or a canvas. */
export function planVmas(processes: readonly ProcessView[]): Map<string, "dom" | "canvas"> {
  const plan = new Map<string, "dom" | "canvas">();
  let used = 0;
  for (const p of processes)
    for (const v of p.vmas) {
      const n = v.pte.length;
      const dom = n <= DOM_VMA_MAX && used + n <= DOM_PAGE_BUDGET;
      if (dom) used += n;
      plan.set(pageKey(p.pid, v.start), dom ? "dom" : "canvas");
    }
  return plan;
}

/** Pages to flash: where a COW fault (or a broken COW) just gave a process its own copy. */
export function flashKeys(events: readonly KsmEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.type === "cow-fault") keys.add(pageKey(e.pid, e.addr));
    else if (e.type === "break-cow" && e.to !== null) keys.add(pageKey(e.pid, e.addr));
  }
  return keys;
}

export interface VmaStats {
  present: number;
  writable: number;
  ksm: number;
  zero: number;
  fork: number;
}

export function vmaStats(frames: Snapshot["frames"], v: VmaView): VmaStats {
  const st: VmaStats = { present: 0, writable: 0, ksm: 0, zero: 0, fork: 0 };
  for (let i = 0; i < v.pte.length; i++) {
    const pte = v.pte[i];
    if (pte === 0) continue;
    st.present++;
    if (pteWritable(pte)) st.writable++;
    const k = pageKindCode(frames, pte);
    if (k === KIND_KSM) st.ksm++;
    else if (k === KIND_ZERO) st.zero++;
    else if (k === KIND_FORK) st.fork++;
  }
  return st;
}
