/*
 * Which mapping links to draw, and where, worked out from a snapshot and the
 * views' placed layouts (pure: no DOM). A link runs from a present virtual
 * page to the frame its PTE maps; another from each KSM frame to its node in
 * the stable tree (each KSM page of a 6.18 chain to the chain). Only cells in their view's visible window count, and at
 * most `budget` page links are drawn: the focused process's, else the first
 * visible ones, looking no further once the budget is spent.
 */
import { FRAME_FREE, type Snapshot } from "../../engine";
import { pteFrame, pteWritable } from "../../store/query";
import { classifyFrame, type FrameKind } from "../frames/frameModel";
import { type CellGrid, cellRect, edgeToward, facingEdges, type Point, type Rect } from "./geometry";

/** How many page links a picture draws at most: enough for a lesson's machine, bounded on a large one. */
export const LINK_BUDGET = 256;

/**
 * Flat out: the links of a merge wave all move at once, twice a second, and the software
 * rasterizer dashes each write-protected one again for every tile it crosses; 256 of them held
 * the page's frames for 100–200 ms. A quarter still shows the pages converging.
 */
export const FLAT_OUT_LINK_BUDGET = 64;

/** A VMA's page cells as placed on the overlay: page `index` is cell `index` of the grid. */
export interface PlacedVma {
  pid: number;
  start: number;
  end: number;
  grid: CellGrid;
  /** The part of the overlay where this VMA's cells are visible. */
  clip: Rect;
}

/** The views' layouts placed on the overlay. */
export interface Placed {
  vmas: readonly PlacedVma[];
  /** Frame pfn is cell pfn of the grid; frames whose centre is outside the clip are scrolled away. */
  frames: { grid: CellGrid; clip: Rect } | null;
  /** Stable-tree node → its centre (a chain's dup: that dup's box), or null when not drawn or not in sight. */
  node: (id: number, dup?: number) => Point | null;
}

export type LinkKind = Exclude<FrameKind, "free">;

export interface PageLink {
  /** `${pid}:${addr}`: a page keeps its link (and the link animates) as its frame changes. */
  key: string;
  pid: number;
  addr: number;
  pfn: number;
  kind: LinkKind;
  writable: boolean;
  /** 6.18 use_zero_pages: KSM merged this page with the zero page (ProcessView.ksmZeroPages). */
  ksmZero: boolean;
  from: Point;
  to: Point;
}

export interface NodeLink {
  key: string;
  node: number;
  pfn: number;
  stale: boolean;
  from: Point;
  to: Point;
}

/** A frame at the end of links, outlined on the overlay. */
export interface FrameMark {
  pfn: number;
  kind: FrameKind;
  rect: Rect;
  /** How many of the drawn links end here. */
  links: number;
}

export interface Mapping {
  pages: PageLink[];
  nodes: NodeLink[];
  frames: FrameMark[];
  /** More pages in sight (of the focused process, if any) than the budget drew: they were not looked at. */
  more: boolean;
  pid: number | null;
}

export const NO_MAPPING: Mapping = { pages: [], nodes: [], frames: [], more: false, pid: null };

/** Whether cell `index`'s centre is inside the clip: arithmetic only, for 65,536 cells a picture. */
function cellInSight(g: CellGrid, clip: Rect, index: number): boolean {
  const x = g.left + (index % g.cols) * g.pitch + g.cell / 2;
  const y = g.top + Math.floor(index / g.cols) * g.pitch + g.cell / 2;
  return x >= clip.x && x <= clip.x + clip.w && y >= clip.y && y <= clip.y + clip.h;
}

export function mappingModel(
  s: Snapshot,
  placed: Placed,
  opts: { pid: number | null; budget?: number },
): Mapping {
  const budget = opts.budget ?? LINK_BUDGET;
  const { state, mapcount, count } = s.frames;
  const fp = placed.frames;
  if (!fp) return { ...NO_MAPPING, pid: opts.pid };
  const byPid = new Map(s.processes.map((p) => [p.pid, p]));
  // Pages KSM merged with the zero page, once per process (not per VMA placed).
  const zeroSets = new Map(
    s.processes.filter((p) => p.ksmZeroPages?.length).map((p) => [p.pid, new Set(p.ksmZeroPages)]),
  );
  const pages: PageLink[] = [];
  const marks = new Map<number, FrameMark>();
  let more = false;
  for (const pv of placed.vmas) {
    if (more) break;
    if (opts.pid !== null && pv.pid !== opts.pid) continue;
    const proc = byPid.get(pv.pid);
    const vma = proc?.vmas.find((v) => v.start === pv.start);
    if (!vma) continue;
    const ksmZero = proc ? zeroSets.get(proc.pid) : undefined;
    for (let i = 0; i < vma.pte.length; i++) {
      const pte = vma.pte[i];
      if (pte === 0) continue;
      const pfn = pteFrame(pte);
      if (pfn >= count || !cellInSight(pv.grid, pv.clip, i) || !cellInSight(fp.grid, fp.clip, pfn)) continue;
      if (pages.length >= budget) {
        more = true; // the rest are not even looked at: a large machine costs no more than a small one
        break;
      }
      const cell = cellRect(fp.grid, pfn);
      const kind = classifyFrame(state[pfn], mapcount[pfn]) as LinkKind;
      const addr = vma.start + i * 4096;
      const { from, to } = facingEdges(cellRect(pv.grid, i), cell);
      const key = `${pv.pid}:${addr}`;
      const zero = ksmZero?.has(addr) ?? false;
      pages.push({ key, pid: pv.pid, addr, pfn, kind, writable: pteWritable(pte), ksmZero: zero, from, to });
      const mark = marks.get(pfn);
      if (mark) mark.links++;
      else marks.set(pfn, { pfn, kind, rect: cell, links: 1 });
    }
  }
  const nodes: NodeLink[] = [];
  for (const n of s.stableTree.nodes) {
    // A 6.18 stable node chain holds several KSM pages (its dups): each leads to its own dup's box.
    const kpages = n.dups
      ? n.dups.map((d) => ({ pfn: d.pfn, stale: d.stale, dup: d.id as number | undefined }))
      : [{ pfn: n.pfn, stale: n.stale, dup: undefined }];
    for (const k of kpages) {
      if (k.pfn < 0 || k.pfn >= count || !cellInSight(fp.grid, fp.clip, k.pfn)) continue;
      // With a process in focus, only its KSM frames lead on to the tree.
      if (opts.pid !== null && !marks.has(k.pfn)) continue;
      const to = placed.node(n.id, k.dup);
      if (!to) continue;
      const cell = cellRect(fp.grid, k.pfn);
      const key = n.dups ? `n${n.id}:${k.pfn}` : `n${n.id}`;
      nodes.push({ key, node: n.id, pfn: k.pfn, stale: k.stale, from: edgeToward(cell, to), to });
      if (!marks.has(k.pfn))
        marks.set(k.pfn, {
          pfn: k.pfn,
          kind: classifyFrame(state[k.pfn], mapcount[k.pfn]),
          rect: cell,
          links: 0,
        });
    }
  }
  const frames = [...marks.values()].sort((a, b) => a.pfn - b.pfn);
  return { pages, nodes, frames, more, pid: opts.pid };
}

/** Frames the last picture's links ended at that are free now: what a merge (or an exit) released. */
export function freedFrames(prev: Mapping, frames: Snapshot["frames"]): { pfn: number; rect: Rect }[] {
  return prev.frames
    .filter((f) => f.pfn < frames.count && frames.state[f.pfn] === FRAME_FREE)
    .map((f) => ({ pfn: f.pfn, rect: f.rect }));
}
