import { PAGE_SIZE, type Pfn, type Pid, type VirtAddr } from "./types";

/* vm_flags bits. Every simulated mapping is private anonymous read-write. */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_MERGEABLE = 0x4000_0000; // (0x80000000 in 2.6.32; kept within a small integer here)

/* handle_mm_fault() result bits */
export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_WRITE = 0x8;

/* madvise() advice values KSM adds */
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;

/* mm->flags bits */
export const MMF_VM_MERGEABLE = 0x1; // registered with KSM (has an MmSlot)
export const MMF_VM_MERGE_ANY = 0x2; // 6.18 prctl(PR_SET_MEMORY_MERGE): every compatible area, now and later

/*
 * A PTE is an int: 0 when not present, else ((pfn + 1) << 1) | writable.
 * (pfn + 1 so that the zero page, frame 0, still reads as present.)
 */
export function mkPte(pfn: Pfn, writable: boolean): number {
  return ((pfn + 1) << 1) | (writable ? 1 : 0);
}
export function ptePfn(pte: number): Pfn {
  return (pte >>> 1) - 1;
}
export function pteWrite(pte: number): boolean {
  return (pte & 1) === 1;
}

/** vm_area_struct: one mapping, with the slice of page table that covers it. */
export class Vma {
  constructor(
    public readonly mm: MmStruct,
    public vmStart: VirtAddr,
    public vmEnd: VirtAddr,
    public vmFlags: number,
    /** One entry per page of [vmStart, vmEnd). */
    public pte: Int32Array,
    /** Set by the first anonymous fault (anon_vma_prepare): KSM skips areas without one. */
    public anonVma: boolean,
  ) {}

  get pages(): number {
    return (this.vmEnd - this.vmStart) / PAGE_SIZE;
  }

  pteIndex(addr: VirtAddr): number {
    return (addr - this.vmStart) / PAGE_SIZE;
  }
}

/** mm_struct: an address space. */
export class MmStruct {
  /** mm->mmap: the VMAs sorted by address. */
  vmas: Vma[] = [];
  /** mm_users: 0 once the owner has exited (ksm_test_exit), while KSM may still hold it. */
  mmUsers = 1;
  flags = 0;
  /** Next mmap goes just below this address (top-down). */
  mmapBase: VirtAddr;
  /** Region names given by scenarios, for display only: start address -> name. */
  readonly regionNames = new Map<VirtAddr, string>();
  /* 6.18's per-mm KSM statistics (/proc/<pid>/ksm_stat). */
  /** rmap_items of this mm. */
  ksmRmapItems = 0;
  /** Its rmap_items in the stable tree: pages it maps that KSM merged. */
  ksmMergingPages = 0;
  /**
   * Addresses where KSM mapped the zero page (use_zero_pages): the kernel marks such a PTE
   * dirty; its size is the mm's ksm_zero_pages.
   */
  ksmZeroPtes = new Set<VirtAddr>();

  constructor(
    public readonly owner: Pid,
    mmapBase: VirtAddr,
  ) {
    this.mmapBase = mmapBase;
  }

  /** total_vm in pages: what the OOM killer ranks by. */
  get totalVm(): number {
    let pages = 0;
    for (const vma of this.vmas) pages += vma.pages;
    return pages;
  }
}

/** ksm_test_exit(): the mm is being torn down; KSM must not touch its page tables. */
export function ksmTestExit(mm: MmStruct): boolean {
  return mm.mmUsers === 0;
}

/** find_vma(): the first VMA that ends above addr (it may start above addr too). */
export function findVma(mm: MmStruct, addr: VirtAddr): Vma | null {
  const vmas = mm.vmas;
  let lo = 0;
  let hi = vmas.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vmas[mid].vmEnd > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo < vmas.length ? vmas[lo] : null;
}

/** The VMA containing addr, or null. */
export function vmaAt(mm: MmStruct, addr: VirtAddr): Vma | null {
  const vma = findVma(mm, addr);
  return vma && vma.vmStart <= addr ? vma : null;
}

/** follow_page(): the frame mapped at addr, or -1 if nothing is mapped there. */
export function followPage(vma: Vma, addr: VirtAddr): Pfn {
  const pte = vma.pte[vma.pteIndex(addr)];
  return pte === 0 ? -1 : ptePfn(pte);
}

/** split_vma(): cut vma at addr into two VMAs with the same flags; returns the upper one. */
export function splitVma(mm: MmStruct, vma: Vma, addr: VirtAddr): Vma {
  const cut = vma.pteIndex(addr);
  // The smaller side's entries are copied out; the larger side keeps its table
  // where it is (with room where the other side was, see joinPtes). So many
  // small madvises inside one large VMA do not copy it whole each time.
  const pte = vma.pte;
  const lowSmaller = cut <= pte.length - cut;
  const upper = new Vma(
    mm,
    addr,
    vma.vmEnd,
    vma.vmFlags,
    lowSmaller ? pte.subarray(cut) : pte.slice(cut),
    vma.anonVma,
  );
  vma.pte = lowSmaller ? pte.slice(0, cut) : pte.subarray(0, cut);
  vma.vmEnd = addr;
  mm.vmas.splice(mm.vmas.indexOf(vma) + 1, 0, upper);
  return upper;
}

/**
 * vma_merge(), reduced: join vma with its neighbours when they touch and have
 * equal flags. Returns the VMA that now covers vma's range.
 */
export function mergeAdjacentVmas(mm: MmStruct, vma: Vma): Vma {
  let i = mm.vmas.indexOf(vma);
  const prev = i > 0 ? mm.vmas[i - 1] : null;
  if (prev && prev.vmEnd === vma.vmStart && prev.vmFlags === vma.vmFlags) {
    joinVmas(mm, prev, vma);
    vma = prev;
    i--;
  }
  const next = i + 1 < mm.vmas.length ? mm.vmas[i + 1] : null;
  if (next && vma.vmEnd === next.vmStart && vma.vmFlags === next.vmFlags) joinVmas(mm, vma, next);
  return vma;
}

function joinVmas(mm: MmStruct, low: Vma, high: Vma): void {
  low.pte = joinPtes(low.pte, high.pte);
  low.vmEnd = high.vmEnd;
  low.anonVma ||= high.anonVma;
  mm.vmas.splice(mm.vmas.indexOf(high), 1);
}

/**
 * The page table of two touching VMAs, low's entries then high's. A VMA's
 * table may be a view with free room around it in a buffer of its own: when
 * one side has room for the other, only the other is copied; otherwise a new
 * buffer with room on both sides is made. So mmaps placed one below another
 * (top-down), each merged with the last, copy each entry a bounded number of
 * times in all, instead of copying the whole growing table every time.
 */
function joinPtes(low: Int32Array, high: Int32Array): Int32Array {
  const n = low.length + high.length;
  const roomBelow = (t: Int32Array) => t.byteOffset / 4;
  const roomAbove = (t: Int32Array) => t.buffer.byteLength / 4 - roomBelow(t) - t.length;
  let pte: Int32Array;
  if (roomBelow(high) >= low.length) {
    pte = new Int32Array(high.buffer, high.byteOffset - low.byteLength, n);
    pte.set(low, 0);
  } else if (roomAbove(low) >= high.length) {
    pte = new Int32Array(low.buffer, low.byteOffset, n);
    pte.set(high, low.length);
  } else {
    const room = n >>> 1;
    pte = new Int32Array(new ArrayBuffer((n + 2 * room) * 4), room * 4, n);
    pte.set(low, 0);
    pte.set(high, low.length);
  }
  return pte;
}

/** A process: what the scenario calls `proc`. */
export class Task {
  constructor(
    public readonly pid: Pid,
    public readonly name: string,
    public readonly mm: MmStruct,
    public readonly parent: Pid | null,
  ) {}
}
