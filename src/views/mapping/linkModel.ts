/*
 * Which mapping links to draw, and where, worked out from a snapshot and the
 * views' placed layouts (pure: no DOM). A link runs from a present virtual
 * page to the frame its PTE maps; another from each KSM frame to its node in
 * the stable tree. Only cells in their view's visible window count, and at
 * most `budget` page links are drawn: the focused process's, else the first
 * visible ones.
 */
import type { Snapshot } from "../../engine";
import { pteFrame, pteWritable } from "../../store/query";
import { classifyFrame, type FrameKind } from "../frames/frameModel";
import { center, edgeToward, facingEdges, inside, type Point, type Rect } from "./geometry";

/** How many page links a picture draws at most: enough for a lesson's machine, bounded on a large one. */
export const LINK_BUDGET = 600;

/** A VMA's page cells as placed on the overlay. */
export interface PlacedVma {
  pid: number;
  start: number;
  end: number;
  /** Page `index` of the VMA → its cell, in overlay coordinates. */
  rect: (index: number) => Rect;
  /** The part of the overlay where this VMA's cells are visible. */
  clip: Rect;
}

/** The views' layouts placed on the overlay. */
export interface Placed {
  vmas: readonly PlacedVma[];
  /** Frame → its cell, or null when it is not in sight (scrolled away). */
  frame: (pfn: number) => Rect | null;
  /** Stable-tree node → its centre, or null when not drawn or not in sight. */
  node: (id: number) => Point | null;
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
  /** Present pages in sight (of the focused process, if any), drawn or not. */
  inSight: number;
  pid: number | null;
}

export const NO_MAPPING: Mapping = { pages: [], nodes: [], frames: [], inSight: 0, pid: null };

export function mappingModel(
  s: Snapshot,
  placed: Placed,
  opts: { pid: number | null; budget?: number },
): Mapping {
  const budget = opts.budget ?? LINK_BUDGET;
  const { state, mapcount, count } = s.frames;
  const byPid = new Map(s.processes.map((p) => [p.pid, p]));
  const pages: PageLink[] = [];
  const marks = new Map<number, FrameMark>();
  let inSight = 0;
  for (const pv of placed.vmas) {
    if (opts.pid !== null && pv.pid !== opts.pid) continue;
    const vma = byPid.get(pv.pid)?.vmas.find((v) => v.start === pv.start);
    if (!vma) continue;
    for (let i = 0; i < vma.pte.length; i++) {
      const pte = vma.pte[i];
      if (pte === 0) continue;
      const pfn = pteFrame(pte);
      if (pfn >= count) continue;
      const page = pv.rect(i);
      if (!inside(center(page), pv.clip)) continue;
      const cell = placed.frame(pfn);
      if (!cell) continue;
      inSight++;
      if (pages.length >= budget) continue;
      const kind = classifyFrame(state[pfn], mapcount[pfn]) as LinkKind;
      const addr = vma.start + i * 4096;
      const { from, to } = facingEdges(page, cell);
      pages.push({
        key: `${pv.pid}:${addr}`,
        pid: pv.pid,
        addr,
        pfn,
        kind,
        writable: pteWritable(pte),
        from,
        to,
      });
      const mark = marks.get(pfn);
      if (mark) mark.links++;
      else marks.set(pfn, { pfn, kind, rect: cell, links: 1 });
    }
  }
  const nodes: NodeLink[] = [];
  for (const n of s.stableTree.nodes) {
    if (n.pfn < 0 || n.pfn >= count) continue;
    // With a process in focus, only its KSM frames lead on to the tree.
    if (opts.pid !== null && !marks.has(n.pfn)) continue;
    const to = placed.node(n.id);
    const cell = placed.frame(n.pfn);
    if (!to || !cell) continue;
    nodes.push({ key: `n${n.id}`, node: n.id, pfn: n.pfn, stale: n.stale, from: edgeToward(cell, to), to });
    if (!marks.has(n.pfn))
      marks.set(n.pfn, {
        pfn: n.pfn,
        kind: classifyFrame(state[n.pfn], mapcount[n.pfn]),
        rect: cell,
        links: 0,
      });
  }
  const frames = [...marks.values()].sort((a, b) => a.pfn - b.pfn);
  return { pages, nodes, frames, inSight, pid: opts.pid };
}
