import type { Checksummer } from "./checksum";
import type { KsmEvent, Tracer } from "./events";
import { createKsm } from "./ksm/create";
import type { Ksm } from "./ksm/ksm";
import { Ksm618 } from "./ksm/ksm-618";
import type { ProfileName } from "./ksm/profile";
import { FRAME_KSM, PhysMem, ZERO_PFN } from "./memory";
import {
  findVma,
  ksmTestExit,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MMF_VM_MERGE_ANY,
  MMF_VM_MERGEABLE,
  MmStruct,
  mergeAdjacentVmas,
  mkPte,
  ptePfn,
  pteWrite,
  splitVma,
  Task,
  VM_FAULT_OOM,
  VM_FAULT_WRITE,
  VM_MERGEABLE,
  VM_READ,
  VM_WRITE,
  Vma,
  vmaAt,
} from "./mm";
import { selectBadProcess } from "./oom";
import { type Errno, MMAP_BASE, PAGE_SIZE, type Pfn, type Pid, pageAligned, type VirtAddr } from "./types";
import { WRITE_COST_NS, type WriteKind } from "./writeCost";

/** The last one-byte write (the scenario `write` op): what it cost, in the model. */
export interface LastWrite {
  pid: Pid;
  addr: VirtAddr;
  kind: WriteKind;
  ns: number;
}

export { MADV_MERGEABLE, MADV_UNMERGEABLE } from "./mm";

/* prctl() options of 6.18's KSM */
export const PR_SET_MEMORY_MERGE = 67;
export const PR_GET_MEMORY_MERGE = 68;

export interface KernelOptions {
  frames: number;
  profile?: ProfileName;
  checksummer: Checksummer;
}

/**
 * The simulated machine: physical memory, processes and their address
 * spaces, page faults, the OOM killer, and KSM (in ./ksm). Deterministic:
 * the same calls always give the same result and the same events.
 */
export class Kernel {
  readonly mem: PhysMem;
  readonly ksm: Ksm;
  readonly tasks = new Map<Pid, Task>();
  /** The task a system call or fault runs for; null for ksmd and sysfs writers. */
  current: Task | null = null;
  tracer: Tracer = null;
  /**
   * Set while the shell writes 2 to run: the kernel marks that task an OOM origin
   * (set_current_oom_origin()), so the OOM killer picks it before any process.
   */
  oomOrigin = false;
  /** The OOM killer took that shell: its pending SIGKILL stops the unmerge. */
  oomOriginKilled = false;
  /** The last writeByte() and its modelled time, for the side-channel lesson and the log. */
  lastWrite: LastWrite | null = null;
  /** What the faults of the write under way did ("plain" when none). */
  private writeKind: WriteKind = "plain";
  private nextPid = 1;

  constructor(opts: KernelOptions) {
    this.mem = new PhysMem(opts.frames, opts.checksummer);
    this.ksm = createKsm(this, opts.profile ?? "linux-2.6.32");
  }

  emit(e: KsmEvent): void {
    this.tracer?.(e);
  }

  /* ---------------- processes ---------------- */

  spawn(name: string): Task {
    const pid = this.nextPid++;
    const task = new Task(pid, name, new MmStruct(pid, MMAP_BASE), null);
    this.tasks.set(pid, task);
    this.emit({ type: "spawn", fn: "do_fork", pid, name });
    return task;
  }

  task(pid: Pid): Task | null {
    return this.tasks.get(pid) ?? null;
  }

  /**
   * fork(): dup_mmap() copies every VMA and PTE; anonymous pages (KSM pages
   * too) become shared copy-on-write, both PTEs read-only. ksm_fork() runs
   * first: a registered parent's child is registered, but its rmap_items
   * are not copied — the next scan makes them.
   */
  fork(pid: Pid, childName: string): Task | Errno {
    const parent = this.task(pid);
    if (!parent) return "ESRCH";
    const childPid = this.nextPid++;
    const child = new Task(childPid, childName, new MmStruct(childPid, parent.mm.mmapBase), pid);
    // dup_mm() copies the mm: MMF_VM_MERGE_ANY is in MMF_INIT_MASK, and mm->ksm_zero_pages
    // comes along (the zero-page PTEs below keep their dirty bit).
    child.mm.flags = parent.mm.flags & MMF_VM_MERGE_ANY;
    child.mm.ksmZeroPtes = new Set(parent.mm.ksmZeroPtes);
    this.ksm.ksmFork(child.mm, parent.mm);
    for (const vma of parent.mm.vmas) {
      for (let i = 0; i < vma.pte.length; i++) {
        const pte = vma.pte[i];
        if (pte === 0) continue;
        const pfn = ptePfn(pte);
        vma.pte[i] = mkPte(pfn, false);
        this.mem.mapcount[pfn]++;
        if (pfn !== ZERO_PFN) this.mem.getPage(pfn);
      }
      child.mm.vmas.push(
        new Vma(child.mm, vma.vmStart, vma.vmEnd, vma.vmFlags, vma.pte.slice(), vma.anonVma),
      );
    }
    for (const [start, name] of parent.mm.regionNames) child.mm.regionNames.set(start, name);
    this.tasks.set(child.pid, child);
    this.emit({ type: "fork", fn: "dup_mmap", parent: pid, child: child.pid });
    return child;
  }

  /**
   * exit(): mmput() -> exit_mmap() zaps every page, then ksm_exit() either
   * frees the mm's slot at once or leaves it for ksmd (patch 9).
   */
  exit(pid: Pid): Errno | 0 {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    const mm = task.mm;
    this.tasks.delete(pid);
    mm.mmUsers = 0;
    for (const vma of mm.vmas) this.zapPteRange(vma, 0, vma.pte.length);
    mm.vmas = [];
    if (mm.flags & MMF_VM_MERGEABLE) this.ksm.ksmExit(mm);
    return 0;
  }

  /* ---------------- mmap / munmap ---------------- */

  /** mmap(NULL, pages * 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS): nothing is faulted in. */
  mmap(pid: Pid, pages: number, name?: string): VirtAddr | Errno {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    if (!Number.isInteger(pages) || pages <= 0) return "EINVAL";
    const mm = task.mm;
    const len = pages * PAGE_SIZE;
    if (mm.mmapBase - len < PAGE_SIZE * 16) return "ENOMEM";
    const start = mm.mmapBase - len;
    mm.mmapBase = start;
    // ksm_add_vma(): an mm with PR_SET_MEMORY_MERGE gets every new area mergeable.
    const flags = VM_READ | VM_WRITE | (mm.flags & MMF_VM_MERGE_ANY ? VM_MERGEABLE : 0);
    const vma = new Vma(mm, start, start + len, flags, new Int32Array(pages), false);
    const i = mm.vmas.findIndex((v) => v.vmStart > start);
    mm.vmas.splice(i < 0 ? mm.vmas.length : i, 0, vma);
    mergeAdjacentVmas(mm, vma);
    if (name !== undefined) mm.regionNames.set(start, name);
    this.emit({ type: "mmap", fn: "do_mmap", pid, start, len });
    return start;
  }

  /** munmap(): unmap [start, start + len); rmap_items left behind are for ksmd to clean up. */
  munmap(pid: Pid, start: VirtAddr, len: number): Errno | 0 {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    if (!pageAligned(start) || !Number.isInteger(len) || len <= 0) return "EINVAL";
    const end = start + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    const mm = task.mm;
    for (let vma = findVma(mm, start); vma && vma.vmStart < end; vma = findVma(mm, start)) {
      if (vma.vmStart < start) {
        splitVma(mm, vma, start);
        continue;
      }
      if (vma.vmEnd > end) splitVma(mm, vma, end);
      this.zapPteRange(vma, 0, vma.pte.length);
      mm.vmas.splice(mm.vmas.indexOf(vma), 1);
    }
    // Names are dropped by whichever is fewer to look at: the names, or the pages unmapped.
    if (mm.regionNames.size <= (end - start) / PAGE_SIZE) {
      for (const s of [...mm.regionNames.keys()]) if (s >= start && s < end) mm.regionNames.delete(s);
    } else for (let a = start; a < end; a += PAGE_SIZE) mm.regionNames.delete(a);
    this.emit({ type: "munmap", fn: "do_munmap", pid, start, len });
    return 0;
  }

  /** zap_pte_range(): drop the PTEs of pages [from, to) of vma. */
  private zapPteRange(vma: Vma, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const pte = vma.pte[i];
      if (pte === 0) continue;
      vma.pte[i] = 0;
      const pfn = ptePfn(pte);
      if (pfn === ZERO_PFN) this.ksmMightUnmapZeroPage(vma.mm, vma.vmStart + i * PAGE_SIZE);
      this.mem.mapcount[pfn]--;
      this.mem.putPage(pfn);
    }
  }

  /** ksm_might_unmap_zero_page(): a zero-page PTE that KSM placed goes away. */
  private ksmMightUnmapZeroPage(mm: MmStruct, addr: VirtAddr): void {
    if (mm.ksmZeroPtes.delete(addr)) this.ksm.ksmZeroPages--;
  }

  /* ---------------- page faults ---------------- */

  /**
   * alloc_page() for a fault or for KSM, invoking the OOM killer while no
   * frame is free. Returns -1 if nothing could be freed, or if the victim
   * was the task we allocate for (it is dead: VM_FAULT_OOM).
   */
  allocPage(zeroed: boolean): Pfn {
    for (;;) {
      const pfn = this.mem.allocPage(zeroed);
      if (pfn >= 0) return pfn;
      if (this.oomOrigin) {
        // The shell writing 2 to run goes first. It is no simulated process: its SIGKILL
        // ends the unmerge (run_store() fails, run goes back to 0) and nobody else dies.
        this.oomOriginKilled = true;
        this.emit({
          type: "oom-kill",
          fn: "oom_kill_process",
          pid: 0,
          totalVm: 0,
          name: "sh (echo 2 > run)",
        });
        return -1;
      }
      const victim = this.selectBadProcess();
      if (!victim) {
        this.emit({ type: "oom-fail", fn: "out_of_memory", for: this.current?.name ?? "ksmd" });
        return -1;
      }
      this.emit({ type: "oom-kill", fn: "oom_kill_process", pid: victim.pid, totalVm: victim.mm.totalVm });
      this.exit(victim.pid);
      if (victim === this.current) return -1;
    }
  }

  /** select_bad_process(): see oom.ts for how each kernel scores a task. */
  selectBadProcess(): Task | null {
    return selectBadProcess(this);
  }

  /** handle_mm_fault() for one page of vma; returns VM_FAULT_* bits. */
  handleMmFault(vma: Vma, addr: VirtAddr, write: boolean): number {
    const i = vma.pteIndex(addr);
    const pte = vma.pte[i];
    if (pte === 0) return this.doAnonymousPage(vma, addr, write);
    if (write && !pteWrite(pte)) return this.doWpPage(vma, addr, pte);
    return 0;
  }

  /** do_anonymous_page(): a write maps a new zeroed page; a read maps the zero page read-only. */
  private doAnonymousPage(vma: Vma, addr: VirtAddr, write: boolean): number {
    const i = vma.pteIndex(addr);
    const pid = vma.mm.owner;
    if (!write) {
      vma.pte[i] = mkPte(ZERO_PFN, false);
      this.mem.mapcount[ZERO_PFN]++;
      this.emit({ type: "fault", fn: "do_anonymous_page", pid, addr, pfn: ZERO_PFN, write });
      return 0;
    }
    const pfn = this.allocPage(true);
    if (pfn < 0) return VM_FAULT_OOM;
    if (vma.pte[i] !== 0 || ksmTestExit(vma.mm)) {
      this.mem.putPage(pfn); // raced with an OOM kill that tore the mm down
      return 0;
    }
    vma.anonVma = true;
    vma.pte[i] = mkPte(pfn, true);
    this.mem.mapcount[pfn] = 1;
    this.writeKind = "first-touch";
    this.emit({
      type: "fault",
      fn: "do_anonymous_page",
      pid,
      addr,
      pfn,
      write,
      ns: WRITE_COST_NS["first-touch"],
    });
    return VM_FAULT_WRITE;
  }

  /**
   * do_wp_page(): a write to a read-only PTE. An anonymous page mapped only
   * here is simply made writable; a KSM page is always copied, even with a
   * single mapper, and so is a page still shared after fork.
   */
  private doWpPage(vma: Vma, addr: VirtAddr, origPte: number): number {
    const i = vma.pteIndex(addr);
    const old = ptePfn(origPte);
    const pid = vma.mm.owner;
    const mem = this.mem;
    if (old !== ZERO_PFN && mem.state[old] !== FRAME_KSM && mem.mapcount[old] === 1) {
      vma.pte[i] = mkPte(old, true);
      this.writeKind = "wp-reuse";
      this.emit({ type: "wp-reuse", fn: "do_wp_page", pid, addr, pfn: old, ns: WRITE_COST_NS["wp-reuse"] });
      return VM_FAULT_WRITE;
    }
    const wasKsm = mem.state[old] === FRAME_KSM;
    if (old !== ZERO_PFN) mem.getPage(old); // hold the old page while we allocate: the OOM killer may unmap it
    const pfn = this.allocPage(old === ZERO_PFN);
    if (pfn < 0) {
      mem.putPage(old); // (a no-op for the zero page, which is never freed)
      return VM_FAULT_OOM;
    }
    if (old !== ZERO_PFN) mem.copyPage(pfn, old);
    if (vma.pte[i] !== origPte) {
      // pte_same() failed: someone changed the PTE meanwhile (an OOM kill)
      mem.putPage(pfn);
      mem.putPage(old);
      return 0;
    }
    vma.anonVma = true;
    vma.pte[i] = mkPte(pfn, true);
    mem.mapcount[pfn] = 1;
    if (old === ZERO_PFN) this.ksmMightUnmapZeroPage(vma.mm, addr);
    mem.mapcount[old]--;
    mem.putPage(old); // the mapping's reference
    mem.putPage(old); // ours
    // A write to the zero page allocates a zeroed frame and copies nothing: priced as a first touch.
    this.writeKind = wasKsm ? "cow-ksm" : old === ZERO_PFN ? "first-touch" : "cow-anon";
    this.emit({
      type: "cow-fault",
      fn: "do_wp_page",
      pid,
      addr,
      from: old,
      to: pfn,
      ksm: wasKsm,
      ns: WRITE_COST_NS[this.writeKind],
    });
    return VM_FAULT_WRITE;
  }

  /**
   * A user access to one page: fault until the PTE allows it, as the CPU
   * would retry. Returns the frame, or an errno: EFAULT outside any VMA
   * (SIGSEGV), ENOMEM when the OOM killer took this very process.
   */
  private userPage(task: Task, addr: VirtAddr, write: boolean): Pfn | Errno {
    for (;;) {
      const vma = vmaAt(task.mm, addr);
      if (!vma) return "EFAULT";
      const pte = vma.pte[vma.pteIndex(addr)];
      if (pte !== 0 && (!write || pteWrite(pte))) return ptePfn(pte);
      const prev = this.current;
      this.current = task;
      const ret = this.handleMmFault(vma, addr, write);
      this.current = prev;
      if (ret & VM_FAULT_OOM) return "ENOMEM";
      if (!this.tasks.has(task.pid)) return "ENOMEM";
    }
  }

  /** The frame mapped at addr in process pid without faulting, or -1 (not mapped: reads as zeros). */
  pageAt(pid: Pid, addr: VirtAddr): Pfn {
    const task = this.task(pid);
    const vma = task ? vmaAt(task.mm, addr) : null;
    if (!vma) return -1;
    const pte = vma.pte[vma.pteIndex(addr - (addr % PAGE_SIZE))];
    return pte === 0 ? -1 : ptePfn(pte);
  }

  /** Store one byte at addr in process pid. */
  writeByte(pid: Pid, addr: VirtAddr, byte: number): Errno | 0 {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    this.writeKind = "plain";
    const pfn = this.userPage(task, addr - (addr % PAGE_SIZE), true);
    if (typeof pfn === "string") return pfn;
    this.mem.writeByte(pfn, addr % PAGE_SIZE, byte);
    this.lastWrite = { pid, addr, kind: this.writeKind, ns: WRITE_COST_NS[this.writeKind] };
    // A fault already said what the write cost; a plain store needs its own line.
    if (this.writeKind === "plain")
      this.emit({ type: "plain-write", fn: "handle_mm_fault", pid, addr, pfn, ns: WRITE_COST_NS.plain });
    return 0;
  }

  /** Read one byte at addr in process pid (a read fault maps the zero page). */
  readByte(pid: Pid, addr: VirtAddr): number | Errno {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    const pfn = this.userPage(task, addr - (addr % PAGE_SIZE), false);
    if (typeof pfn === "string") return pfn;
    return this.mem.readByte(pfn, addr % PAGE_SIZE);
  }

  /** Fill `pages` pages from addr with a 32-bit value repeated: the scenario `fill` op. */
  fill(pid: Pid, addr: VirtAddr, pages: number, value: number): Errno | 0 {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    for (let p = 0; p < pages; p++) {
      const pfn = this.userPage(task, addr + p * PAGE_SIZE, true);
      if (typeof pfn === "string") return pfn;
      this.mem.fillPage(pfn, value);
    }
    return 0;
  }

  /* ---------------- prctl ---------------- */

  /**
   * prctl(PR_SET_MEMORY_MERGE, value) and prctl(PR_GET_MEMORY_MERGE) (6.18):
   * KSM for the whole process, its current and future areas; 0 unmerges them
   * again. The setting is kept across fork. EINVAL on 2.6.32, which has no
   * such option, and for any other option.
   */
  prctl(pid: Pid, option: number, arg2: number): number | Errno {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    const ksm = this.ksm;
    // Only the setting is an event: a read (PR_GET_MEMORY_MERGE) changes nothing.
    const set = (ret: number | Errno) => {
      if (option === PR_SET_MEMORY_MERGE)
        this.emit({
          type: "prctl",
          fn: "prctl",
          pid,
          value: arg2 ? 1 : 0,
          ...(typeof ret === "string" ? { errno: ret } : {}),
        });
      return ret;
    };
    // 2.6.32's sys_prctl() has no option 67: its switch falls to default.
    if (!(ksm instanceof Ksm618)) return set("EINVAL");
    if (option === PR_GET_MEMORY_MERGE) return task.mm.flags & MMF_VM_MERGE_ANY ? 1 : 0;
    if (option !== PR_SET_MEMORY_MERGE) return "EINVAL";
    const prev = this.current;
    this.current = task;
    try {
      return set(arg2 ? ksm.ksmEnableMergeAny(task.mm) : ksm.ksmDisableMergeAny(task.mm));
    } finally {
      this.current = prev;
    }
  }

  /* ---------------- madvise ---------------- */

  /**
   * sys_madvise() for MADV_MERGEABLE / MADV_UNMERGEABLE. Unmapped gaps are
   * skipped but reported as ENOMEM at the end, after the advice was applied
   * to the mapped parts, as Linux does.
   */
  madvise(pid: Pid, start: VirtAddr, lenIn: number, advice: number): Errno | 0 {
    const task = this.task(pid);
    if (!task) return "ESRCH";
    const ret = this.doMadvise(task, start, lenIn, advice);
    this.emit({
      type: "madvise",
      fn: "ksm_madvise",
      pid,
      start,
      len: lenIn,
      advice:
        advice === MADV_MERGEABLE
          ? "MADV_MERGEABLE"
          : advice === MADV_UNMERGEABLE
            ? "MADV_UNMERGEABLE"
            : String(advice),
      ...(ret ? { errno: ret } : {}),
    });
    return ret;
  }

  private doMadvise(task: Task, start: VirtAddr, lenIn: number, advice: number): Errno | 0 {
    if (advice !== MADV_MERGEABLE && advice !== MADV_UNMERGEABLE) return "EINVAL";
    if (!Number.isSafeInteger(start) || start < 0 || !pageAligned(start)) return "EINVAL";
    if (!Number.isSafeInteger(lenIn) || lenIn < 0) return "EINVAL";
    const len = Math.ceil(lenIn / PAGE_SIZE) * PAGE_SIZE;
    let end = start + len;
    if (end >= 2 ** 64) return "EINVAL"; // end < start after wrapping
    if (end === start) return 0;
    const mm = task.mm;
    end = Math.min(end, Number.MAX_SAFE_INTEGER);
    let unmappedError: Errno | 0 = 0;
    const prevCurrent = this.current;
    this.current = task;
    try {
      let vma = findVma(mm, start);
      for (;;) {
        if (!vma) return "ENOMEM";
        if (start < vma.vmStart) {
          unmappedError = "ENOMEM";
          start = vma.vmStart;
          if (start >= end) return unmappedError;
        }
        const tmp = Math.min(end, vma.vmEnd);
        const res = this.madviseVma(vma, start, tmp, advice);
        // madvise() calls a kernel resource that ran out (break_ksm()'s ENOMEM) EAGAIN:
        // only an unmapped gap is ENOMEM.
        if (typeof res === "string") return res === "ENOMEM" ? "EAGAIN" : res;
        start = res.vmEnd;
        if (start >= end) return unmappedError;
        vma = findVma(mm, start);
      }
    } finally {
      this.current = prevCurrent;
    }
  }

  /** madvise_behavior(): let KSM decide the new flags, then split and merge VMAs around [start, end). */
  private madviseVma(vma: Vma, start: VirtAddr, end: VirtAddr, advice: number): Vma | Errno {
    const mm = vma.mm;
    const res = this.ksm.ksmMadvise(vma, start, end, advice, vma.vmFlags);
    if (typeof res === "string") return res;
    if (res === vma.vmFlags || ksmTestExit(mm)) return vma;
    if (start !== vma.vmStart) vma = splitVma(mm, vma, start);
    if (end !== vma.vmEnd) splitVma(mm, vma, end);
    vma.vmFlags = res;
    return mergeAdjacentVmas(mm, vma);
  }
}
