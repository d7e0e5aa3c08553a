import type { Kernel } from "./kernel";
import { FRAME_FREE } from "./memory";
import { followPage, ksmTestExit, ptePfn, pteWrite, VM_MERGEABLE } from "./mm";
import { PAGE_SIZE, type Pfn, type Pid, type VirtAddr } from "./types";

/*
 * What the views would otherwise work out for themselves from a snapshot:
 * which page ksmd scans next, which named region owns each part of a VMA,
 * and which pages map each frame. Built from plain data (except the next
 * page, which follows ksmd's own cursor), so hand-made snapshots in tests
 * get the same index as the worker's.
 */

export interface PageRef {
  pid: Pid;
  addr: VirtAddr;
}

/**
 * Who maps each frame, as compressed rows: the mappers of frame pfn are the
 * entries from start[pfn] up to start[pfn + 1], in process, VMA and address order.
 */
export interface FrameMappers {
  start: Int32Array;
  pid: Int32Array;
  addr: Float64Array;
  /** 1 where that PTE is writable. */
  writable: Uint8Array;
}

/** A named region over part of a VMA: from page `from` of the VMA on, whose first page is page `base` of the region. */
export interface AreaSegment {
  from: number;
  name: string | null;
  base: number;
}

export interface SnapshotIndex {
  /** The page scan_get_next_rmap_item() would return next (wrapping round to a new full scan); null if none. */
  nextScan: PageRef | null;
  mappers: FrameMappers;
  /** Per VMA, keyed by `${pid}:${vmaStart}`: the named regions owning its pages (at least one segment). */
  areas: Record<string, AreaSegment[]>;
  /** The highest frame in use (not free), -1 if none: the stage draws memory up to it. */
  topFrame: Pfn;
}

/** The little of a process the index reads: plain data, as in a snapshot. */
export interface IndexedProcess {
  pid: Pid;
  vmas: readonly { start: VirtAddr; end: VirtAddr; pte: Int32Array }[];
  regions: readonly { start: VirtAddr; name: string }[];
}

/** The highest frame whose state is not free, -1 if all are. */
export function highestUsedFrame(state: ArrayLike<number>, count: number): Pfn {
  for (let pfn = count - 1; pfn >= 0; pfn--) if (state[pfn] !== FRAME_FREE) return pfn;
  return -1;
}

/** Every present PTE's frame, counted then filled: two linear passes, no per-frame objects. */
export function frameMappers(frameCount: number, processes: readonly IndexedProcess[]): FrameMappers {
  const start = new Int32Array(frameCount + 1);
  for (const p of processes)
    for (const v of p.vmas)
      for (let i = 0; i < v.pte.length; i++) {
        const e = v.pte[i];
        if (e === 0) continue;
        const pfn = ptePfn(e);
        if (pfn < frameCount) start[pfn + 1]++;
      }
  for (let pfn = 0; pfn < frameCount; pfn++) start[pfn + 1] += start[pfn];
  const total = start[frameCount];
  const pid = new Int32Array(total);
  const addr = new Float64Array(total);
  const writable = new Uint8Array(total);
  const fill = start.slice(0, frameCount);
  for (const p of processes)
    for (const v of p.vmas)
      for (let i = 0; i < v.pte.length; i++) {
        const e = v.pte[i];
        if (e === 0) continue;
        const pfn = ptePfn(e);
        if (pfn >= frameCount) continue;
        const at = fill[pfn]++;
        pid[at] = p.pid;
        addr[at] = v.start + i * PAGE_SIZE;
        writable[at] = pteWrite(e) ? 1 : 0;
      }
  return { start, pid, addr, writable };
}

/**
 * The named regions covering one VMA. A region (named by mmap) runs from its
 * start up to the next region's start or a gap in the mappings, so a VMA split
 * by madvise still knows its region, and two adjacent regions merged into one
 * VMA are told apart.
 */
export function vmaAreas(p: IndexedProcess, vmaStart: VirtAddr, vmaEnd: VirtAddr): AreaSegment[] {
  const starts = p.regions
    .filter((r) => r.start >= vmaStart && r.start < vmaEnd)
    .sort((a, b) => a.start - b.start)
    .map((r) => ({ from: (r.start - vmaStart) / PAGE_SIZE, name: r.name, base: 0 }));
  if (starts.length > 0 && starts[0].from === 0) return starts;
  // The part below the first region start belongs to the region that starts lower down, if contiguous.
  const vmas = [...p.vmas].sort((a, b) => a.start - b.start);
  let lowest = vmaStart;
  for (let i = vmas.findIndex((w) => w.start === vmaStart) - 1; i >= 0 && vmas[i].end === lowest; i--)
    lowest = vmas[i].start;
  let owner: { start: VirtAddr; name: string } | null = null;
  for (const r of p.regions)
    if (r.start < vmaStart && r.start >= lowest && (!owner || r.start > owner.start)) owner = r;
  const first: AreaSegment = owner
    ? { from: 0, name: owner.name, base: (vmaStart - owner.start) / PAGE_SIZE }
    : { from: 0, name: null, base: 0 };
  return [first, ...starts];
}

export function processAreas(processes: readonly IndexedProcess[]): Record<string, AreaSegment[]> {
  const out: Record<string, AreaSegment[]> = {};
  for (const p of processes) for (const v of p.vmas) out[`${p.pid}:${v.start}`] = vmaAreas(p, v.start, v.end);
  return out;
}

/**
 * The page ksmd will scan next: scan_get_next_rmap_item()'s walk from the
 * cursor, without moving it — the first present anonymous (or KSM) page of a
 * VM_MERGEABLE area with an anon_vma, in the cursor's mm from its address on,
 * then in the mms after it, wrapping round past the list head (a new full
 * scan) to the part of the cursor's mm below the cursor.
 */
export function peekNextScan(k: Kernel): PageRef | null {
  const ksm = k.ksm;
  if (ksm.listEmpty()) return null;
  const head = ksm.ksmMmHead;
  let slot = ksm.ksmScan.mmSlot;
  let address = ksm.ksmScan.address;
  if (slot === head) {
    slot = slot.next;
    address = 0;
  }
  let slots = 0;
  for (let s = head.next; s !== head; s = s.next) slots++;
  // Each mm once, and the cursor's mm a second time from its start.
  for (let visit = 0; visit <= slots; visit++) {
    const mm = slot.mm!;
    if (!ksmTestExit(mm))
      for (const vma of mm.vmas) {
        if (vma.vmEnd <= address || !(vma.vmFlags & VM_MERGEABLE) || !vma.anonVma) continue;
        for (let a = Math.max(address, vma.vmStart); a < vma.vmEnd; a += PAGE_SIZE) {
          const page: Pfn = followPage(vma, a);
          if (page >= 0 && k.mem.isAnon(page)) return { pid: mm.owner, addr: a };
        }
      }
    slot = slot.next === head ? head.next : slot.next;
    address = 0;
  }
  return null;
}
