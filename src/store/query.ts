/*
 * The one place the UI looks things up in a snapshot: decoding PTEs, the page
 * at an address, who maps a frame, which frames a process maps, the region of
 * a page, ksmd's next page. Views ask here instead of walking page tables or
 * re-deriving what the engine already worked out (Snapshot.index).
 */
import {
  type AreaSegment,
  PAGE_SIZE,
  type PageRef,
  type ProcessView,
  pteFrame,
  pteWritable,
  type Snapshot,
  type VmaView,
} from "../engine";

export interface DecodedPte {
  present: boolean;
  /** -1 when not present. */
  pfn: number;
  writable: boolean;
}

const ABSENT: DecodedPte = { present: false, pfn: -1, writable: false };

/** A PTE as VmaView stores it (see src/engine/mm.ts). */
export function decodePte(pte: number): DecodedPte {
  return pte === 0 ? ABSENT : { present: true, pfn: pteFrame(pte), writable: pteWritable(pte) };
}

export { pteFrame, pteWritable };

export function processOf(s: Snapshot, pid: number): ProcessView | undefined {
  return s.processes.find((p) => p.pid === pid);
}

/** The process's name, or "pid N" once it is gone. */
export function processName(s: Snapshot, pid: number): string {
  return processOf(s, pid)?.name ?? `pid ${pid}`;
}

/** The VMA holding pid:addr and the page's index in it, or null. */
export function pageAt(s: Snapshot, pid: number, addr: number): { vma: VmaView; index: number } | null {
  const vma = processOf(s, pid)?.vmas.find((v) => v.start <= addr && addr < v.end);
  return vma ? { vma, index: Math.floor((addr - vma.start) / PAGE_SIZE) } : null;
}

/** The frame mapped at pid:addr, or -1. */
export function frameAt(s: Snapshot, pid: number, addr: number): number {
  const at = pageAt(s, pid, addr);
  return at ? pteFrame(at.vma.pte[at.index]) : -1;
}

export interface Mapper {
  pid: number;
  name: string;
  addr: number;
  writable: boolean;
}

/** How many PTEs map frame pfn (from the snapshot's index: no page table walk). */
export function mapperCount(s: Snapshot, pfn: number): number {
  const m = s.index.mappers;
  return pfn < 0 || pfn + 1 >= m.start.length ? 0 : m.start[pfn + 1] - m.start[pfn];
}

/** Every PTE mapping frame pfn, in process, VMA and address order. */
export function mappersOf(s: Snapshot, pfn: number): Mapper[] {
  const m = s.index.mappers;
  const out: Mapper[] = [];
  if (pfn < 0 || pfn + 1 >= m.start.length) return out;
  const names = new Map<number, string>();
  for (let i = m.start[pfn]; i < m.start[pfn + 1]; i++) {
    const pid = m.pid[i];
    let name = names.get(pid);
    if (name === undefined) {
      name = processName(s, pid);
      names.set(pid, name);
    }
    out.push({ pid, name, addr: m.addr[i], writable: m.writable[i] === 1 });
  }
  return out;
}

/** Every frame a process maps, in ascending order. */
export function framesOfProcess(s: Snapshot, pid: number): number[] {
  const p = processOf(s, pid);
  if (!p) return [];
  const set = new Set<number>();
  for (const v of p.vmas)
    for (let i = 0; i < v.pte.length; i++) if (v.pte[i] !== 0) set.add(pteFrame(v.pte[i]));
  return [...set].sort((a, b) => a - b);
}

const NO_AREA: AreaSegment[] = [{ from: 0, name: null, base: 0 }];

/** The named regions owning a VMA's pages (never empty). */
export function areasOf(s: Snapshot, pid: number, vmaStart: number): AreaSegment[] {
  return s.index.areas[`${pid}:${vmaStart}`] ?? NO_AREA;
}

/** The segment holding page `index` of a VMA. */
export function areaAt(segments: readonly AreaSegment[], index: number): AreaSegment {
  let seg = segments[0];
  for (const s of segments) if (s.from <= index) seg = s;
  return seg;
}

/** The page ksmd scans next, as the engine worked it out. */
export function nextScanPage(s: Snapshot): PageRef | null {
  return s.index.nextScan;
}
