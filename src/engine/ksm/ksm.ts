import type { Compare } from "../events";
import type { Kernel } from "../kernel";
import { FRAME_KSM, type PhysMem, ZERO_PFN } from "../memory";
import {
  findVma,
  followPage,
  ksmTestExit,
  MADV_MERGEABLE,
  MMF_VM_MERGE_ANY,
  MMF_VM_MERGEABLE,
  type MmStruct,
  mkPte,
  ptePfn,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_WRITE,
  VM_MERGEABLE,
  type Vma,
} from "../mm";
import { RbRoot, rbErase, rbInsertColor, rbLinkNode } from "../rbtree";
import { drain, type Slices } from "../slices";
import { type Errno, PAGE_SIZE, type Pfn, type VirtAddr } from "../types";
import { PAGE_VISIT_US } from "./advisor";
import { DEFAULT_KNOBS, type Knobs, type ProfileName } from "./profile";
import {
  KsmScan,
  listAddTail,
  listDel,
  listMove,
  MmSlot,
  RmapItem,
  SEQNR_MASK,
  STABLE_FLAG,
  UNSTABLE_FLAG,
} from "./rmap";

/** Pages ksmDoScanSlices scans between pauses: well under a millisecond of work. */
const SCAN_SLICE = 64;

export const KSM_RUN_STOP = 0;
export const KSM_RUN_MERGE = 1;
export const KSM_RUN_UNMERGE = 2;

/** A page found in a tree walk, with the reference we took on it (page2[0] in 2.6.32). */
export interface Found {
  item: RmapItem;
  page: Pfn;
}

/**
 * The parts of mm/ksm.c that 2.6.32 and 6.18 share: mm_slots and the scan
 * cursor, rmap_items, the unstable tree, break_cow, merging one page,
 * madvise, fork and exit hooks, and unmerging. Each profile subclass adds
 * its stable tree and its own cmp_and_merge_page().
 */
export abstract class Ksm {
  abstract readonly profile: ProfileName;
  readonly knobs: Knobs;
  /** The exact text of a knob too large for a JS number (an unsigned long above 2^53), by file. */
  readonly knobText: Record<string, string> = {};

  /* The counters of /sys/kernel/mm/ksm, as the kernel keeps them. */
  pagesShared = 0; // nodes in the stable tree
  pagesSharing = 0; // page slots additionally sharing them
  pagesUnshared = 0; // nodes in the unstable tree
  rmapItems = 0; // rmap_items in use: pages_volatile is what the others leave
  pagesScanned = 0; // 6.18's pages_scanned
  pagesSkipped = 0; // 6.18's pages_skipped (smart scan)
  ksmZeroPages = 0; // 6.18's ksm_zero_pages: PTEs that KSM pointed at the zero page
  /**
   * The simulated clock in microseconds (jiffies): each page ksmd visits costs
   * PAGE_VISIT_US, and ksmdBatch() adds sleep_millisecs after each batch.
   */
  clockUs = 0;

  readonly ksmMmHead = new MmSlot(null);
  readonly ksmScan = new KsmScan(this.ksmMmHead);
  readonly mmSlotsHash = new Map<MmStruct, MmSlot>();
  readonly rootUnstableTree = new RbRoot();

  /** The page scanGetNextRmapItem() found, with a reference held. */
  scanPage: Pfn = -1;
  protected nextItemId = 1;
  protected readonly mem: PhysMem;

  constructor(
    protected readonly k: Kernel,
    profile: ProfileName,
  ) {
    this.mem = k.mem;
    this.knobs = { ...DEFAULT_KNOBS[profile] };
  }

  get pagesVolatile(): number {
    // Not worth any locking in the kernel, so it might go negative: conceal that.
    const v = this.rmapItems - this.pagesShared - this.pagesSharing - this.pagesUnshared;
    return Math.max(v, 0);
  }

  get fullScans(): number {
    return this.ksmScan.seqnr;
  }

  /**
   * ksmd's CPU time in microseconds (what the advisor reads as
   * task_sched_runtime()): PAGE_VISIT_US for each page it visited, and each
   * visit ends scanned (pages_scanned) or skipped by smart scan (pages_skipped).
   */
  get ksmdCpuUs(): number {
    return (this.pagesScanned + this.pagesSkipped) * PAGE_VISIT_US;
  }

  protected get tracing(): boolean {
    return this.k.tracer !== null;
  }

  /* ---------------- what each profile provides ---------------- */

  /** The body of ksm_do_scan()'s loop for one page (ref held on page). */
  protected abstract scanOne(page: Pfn, rmapItem: RmapItem): void;
  /** remove_rmap_item_from_tree() */
  abstract removeRmapItemFromTree(rmapItem: RmapItem): void;
  /** get_next_rmap_item() found the item for this address already in the list. */
  protected abstract reuseRmapItem(rmapItem: RmapItem): void;
  /** break_ksm()'s fault: 2.6.32 writes, 6.18 asks only to unshare. */
  protected abstract readonly breakKsmWrites: boolean;
  /** Drop stable nodes left without mappers (6.18's remove_all_stable_nodes()). */
  protected abstract removeAllStableNodes(): 0 | "EBUSY";
  /** 6.18's should_skip_rmap_item() (smart scan): pass this page over for this scan. */
  protected shouldSkipRmapItem(_page: Pfn, _rmapItem: RmapItem): boolean {
    return false;
  }
  /** 6.18's advisor_start_scan() / advisor_stop_scan(), at a full scan's start and end. */
  protected advisorStartScan(): void {}
  protected advisorStopScan(): void {}

  /* ---------------- ksmd ---------------- */

  /** ksmd_should_run() (patch 5): running, and someone has registered. */
  ksmdShouldRun(): boolean {
    return (this.knobs.run & KSM_RUN_MERGE) !== 0 && !this.listEmpty();
  }

  listEmpty(): boolean {
    return this.ksmMmHead.next === this.ksmMmHead;
  }

  /** ksm_do_scan(): up to scanNpages pages; stops early at the end of a full scan. Returns pages scanned. */
  ksmDoScan(scanNpages: number): number {
    return drain(this.ksmDoScanSlices(scanNpages));
  }

  /**
   * ksm_do_scan() in pieces: it yields after every SCAN_SLICE pages (the
   * kernel calls cond_resched() before each page; a pause every page would
   * cost more than it gives).
   */
  *ksmDoScanSlices(scanNpages: number): Slices<number> {
    let scanned = 0;
    while (scanNpages-- > 0) {
      const rmapItem = this.scanGetNextRmapItem();
      if (!rmapItem) break;
      const page = this.scanPage;
      this.scanOne(page, rmapItem);
      this.mem.putPage(page);
      this.pagesScanned++;
      scanned++;
      if (scanned % SCAN_SLICE === 0) yield;
    }
    if (this.tracing)
      this.k.emit({ type: "ksmd-batch", fn: "ksm_do_scan", scanned, seqnr: this.ksmScan.seqnr });
    return scanned;
  }

  /**
   * scan_get_next_rmap_item(): the next present anonymous page of the
   * registered areas (with a reference on it), and its rmap_item. Not
   * present and zero-page addresses are passed over without cost. Returns
   * null at the end of a full scan. The page goes to this.scanPage (the
   * kernel's `struct page **page` out-parameter).
   */
  scanGetNextRmapItem(): RmapItem | null {
    const scan = this.ksmScan;
    if (this.listEmpty()) return null;

    let slot = scan.mmSlot;
    if (slot === this.ksmMmHead) {
      // A new full scan: the unstable tree is rebuilt from nothing each time.
      const dropped = this.tracing ? this.pagesUnshared : 0;
      this.advisorStartScan();
      this.rootUnstableTree.rbNode = null;
      slot = slot.next;
      scan.mmSlot = slot;
      scan.address = 0;
      scan.rmapItem = null;
      if (this.tracing)
        this.k.emit({
          type: "scan-start",
          fn: "scan_get_next_rmap_item",
          seqnr: scan.seqnr,
          unstableDropped: dropped,
        });
    }

    for (;;) {
      const mm = slot.mm!;
      let vma = ksmTestExit(mm) ? null : findVma(mm, scan.address);
      for (; vma; vma = mm.vmas[mm.vmas.indexOf(vma) + 1] ?? null) {
        if (!(vma.vmFlags & VM_MERGEABLE)) continue;
        if (scan.address < vma.vmStart) scan.address = vma.vmStart;
        if (!vma.anonVma) scan.address = vma.vmEnd;

        while (scan.address < vma.vmEnd) {
          const page = followPage(vma, scan.address);
          if (page >= 0 && this.mem.isAnon(page)) {
            this.mem.getPage(page);
            this.clockUs += PAGE_VISIT_US;
            const rmapItem = this.getNextRmapItem(slot, scan.address);
            scan.rmapItem = rmapItem;
            scan.address += PAGE_SIZE;
            if (this.shouldSkipRmapItem(page, rmapItem)) {
              this.mem.putPage(page);
              continue;
            }
            this.scanPage = page;
            return rmapItem;
          }
          scan.address += PAGE_SIZE;
        }
      }

      if (ksmTestExit(mm)) {
        scan.address = 0;
        scan.rmapItem = null;
      }
      // Nuke all the rmap_items above the cursor: no VM_MERGEABLE page has such an address now.
      this.removeTrailingRmapItems(slot, scan.rmapItem);

      scan.mmSlot = slot.next;
      if (scan.address === 0) {
        // A whole pass found no VM_MERGEABLE area (or the mm is exiting): forget this mm,
        // as __ksm_exit would have.
        this.mmSlotsHash.delete(mm);
        listDel(slot);
        mm.flags &= ~(MMF_VM_MERGEABLE | MMF_VM_MERGE_ANY);
        if (this.tracing) this.k.emit({ type: "slot-removed", fn: "scan_get_next_rmap_item", pid: mm.owner });
      }

      slot = scan.mmSlot;
      if (slot === this.ksmMmHead) break;
      scan.address = 0;
      scan.rmapItem = null;
    }

    this.advisorStopScan();
    scan.seqnr++;
    if (this.tracing) this.k.emit({ type: "scan-end", fn: "scan_get_next_rmap_item", seqnr: scan.seqnr });
    return null;
  }

  /**
   * get_next_rmap_item(): walk the slot's list from the cursor to addr.
   * Items below addr belong to pages that have gone: free them. Reuse the
   * item at addr, or insert a new one (oldchecksum 0).
   */
  private getNextRmapItem(slot: MmSlot, addr: VirtAddr): RmapItem {
    const prev = this.ksmScan.rmapItem;
    let cur = prev ? prev.rmapList : slot.rmapList;
    while (cur) {
      if (cur.address === addr) {
        this.reuseRmapItem(cur);
        this.traceVisit(cur, false);
        return cur;
      }
      if (cur.address > addr) break;
      const next: RmapItem | null = cur.rmapList;
      if (prev) prev.rmapList = next;
      else slot.rmapList = next;
      this.removeRmapItemFromTree(cur);
      this.freeRmapItem(cur, "get_next_rmap_item");
      cur = next;
    }
    const rmapItem = new RmapItem(this.nextItemId++, slot.mm!, addr);
    this.rmapItems++;
    rmapItem.mm.ksmRmapItems++;
    rmapItem.rmapList = cur;
    if (prev) prev.rmapList = rmapItem;
    else slot.rmapList = rmapItem;
    this.traceVisit(rmapItem, true);
    return rmapItem;
  }

  private traceVisit(item: RmapItem, isNew: boolean): void {
    if (!this.tracing) return;
    const vma = findVma(item.mm, item.address)!;
    const page = followPage(vma, item.address);
    this.k.emit({
      type: "visit",
      fn: "scan_get_next_rmap_item",
      pid: item.mm.owner,
      addr: item.address,
      pfn: page,
      item: item.id,
      isNew,
    });
  }

  /** free_rmap_item(): the caller has unlinked it from the slot's list. */
  private freeRmapItem(rmapItem: RmapItem, fn: "get_next_rmap_item" | "remove_trailing_rmap_items"): void {
    this.rmapItems--;
    rmapItem.mm.ksmRmapItems--;
    if (this.tracing)
      this.k.emit({
        type: "rmap-free",
        fn,
        pid: rmapItem.mm.owner,
        addr: rmapItem.address,
        item: rmapItem.id,
      });
  }

  /** remove_trailing_rmap_items(): free every item after `after` (all of them when null). */
  removeTrailingRmapItems(slot: MmSlot, after: RmapItem | null): void {
    let cur = after ? after.rmapList : slot.rmapList;
    if (after) after.rmapList = null;
    else slot.rmapList = null;
    while (cur) {
      const next: RmapItem | null = cur.rmapList;
      this.removeRmapItemFromTree(cur);
      this.freeRmapItem(cur, "remove_trailing_rmap_items");
      cur = next;
    }
  }

  /**
   * The checksum gate of cmp_and_merge_page(): a page whose checksum changed
   * since the last visit is changing too often to be worth a tree search.
   * Records the new checksum and returns true for such a (volatile) page.
   */
  protected checksumChanged(page: Pfn, rmapItem: RmapItem): boolean {
    const checksum = this.mem.checksum(page);
    const volatile = rmapItem.oldchecksum !== checksum;
    if (this.tracing)
      this.k.emit({
        type: "checksum",
        fn: "calc_checksum",
        item: rmapItem.id,
        pfn: page,
        old: rmapItem.oldchecksum,
        checksum,
        volatile,
      });
    if (volatile) rmapItem.oldchecksum = checksum;
    return volatile;
  }

  /* ---------------- the unstable tree ---------------- */

  /**
   * The unstable half of remove_rmap_item_from_tree(). Usually ksmd can and
   * must skip the rb_erase, because the unstable tree was already emptied
   * at the start of this scan; but an item inserted by this very scan
   * (age 0) is still linked into it.
   */
  protected removeFromUnstableTree(rmapItem: RmapItem): void {
    const age = (this.ksmScan.seqnr - rmapItem.seqnr) & SEQNR_MASK;
    if (age > 1) throw new Error(`unstable rmap_item ${rmapItem.id} is ${age} scans old`);
    if (age === 0) rbErase(rmapItem, this.rootUnstableTree);
    this.pagesUnshared--;
    rmapItem.flags &= ~UNSTABLE_FLAG;
    if (this.tracing)
      this.k.emit({
        type: "unstable-remove",
        fn: "remove_rmap_item_from_tree",
        item: rmapItem.id,
        erased: age === 0,
      });
  }

  /**
   * unstable_tree_search_insert(): walk the unstable tree by page contents.
   * Its pages are not write-protected, so it may be out of order: just
   * follow what each comparison says. Returns an equal page's item (with a
   * reference on that page), or inserts rmapItem and returns null.
   */
  protected unstableTreeSearchInsert(rmapItem: RmapItem, page: Pfn): Found | null {
    const root = this.rootUnstableTree;
    const path: Compare[] | null = this.tracing ? [] : null;
    let parent: RmapItem | null = null;
    let goLeft = false;
    let node = root.rbNode as RmapItem | null;

    while (node) {
      const treePage = this.getMergeablePage(node);
      if (treePage < 0) return this.unstableSearchDone(rmapItem, page, path, "page-gone", null);
      // Don't substitute a ksm page for a forked page: never merge a page with itself.
      if (treePage === page) {
        this.mem.putPage(treePage);
        return this.unstableSearchDone(rmapItem, page, path, "same-page", null);
      }
      const ret = this.mem.memcmpPages(page, treePage);
      path?.push({ node: node.id, pfn: treePage, result: sign(ret) });
      if (ret === 0) {
        this.unstableSearchDone(rmapItem, page, path, "match", node);
        return { item: node, page: treePage };
      }
      this.mem.putPage(treePage);
      parent = node;
      goLeft = ret < 0;
      node = (goLeft ? node.rbLeft : node.rbRight) as RmapItem | null;
    }

    rmapItem.flags |= UNSTABLE_FLAG;
    rmapItem.seqnr = this.ksmScan.seqnr & SEQNR_MASK;
    rbLinkNode(rmapItem, parent, goLeft, root);
    rbInsertColor(rmapItem, root);
    this.pagesUnshared++;
    return this.unstableSearchDone(rmapItem, page, path, "inserted", null);
  }

  private unstableSearchDone(
    rmapItem: RmapItem,
    page: Pfn,
    path: Compare[] | null,
    outcome: "match" | "inserted" | "page-gone" | "same-page",
    match: RmapItem | null,
  ): null {
    if (path)
      this.k.emit({
        type: "unstable-search",
        fn: "unstable_tree_search_insert",
        item: rmapItem.id,
        pfn: page,
        path,
        outcome,
        match: match?.id ?? null,
      });
    return null;
  }

  /* ---------------- pages ---------------- */

  /**
   * get_mergeable_page(): the anonymous page (KSM or not) the item's
   * address maps now, with a reference; -1 if the mm is exiting, the area
   * is gone or no longer mergeable, or nothing is mapped.
   */
  protected getMergeablePage(rmapItem: RmapItem): Pfn {
    const vma = this.findMergeableVma(rmapItem.mm, rmapItem.address);
    if (!vma) return -1;
    const page = followPage(vma, rmapItem.address);
    if (page < 0 || !this.mem.isAnon(page)) return -1;
    this.mem.getPage(page);
    return page;
  }

  /** find_mergeable_vma() */
  protected findMergeableVma(mm: MmStruct, addr: VirtAddr): Vma | null {
    if (ksmTestExit(mm)) return null;
    const vma = findVma(mm, addr);
    if (!vma || vma.vmStart > addr) return null;
    if (!(vma.vmFlags & VM_MERGEABLE) || !vma.anonVma) return null;
    return vma;
  }

  /**
   * write_protect_page(): make the PTE at addr that maps page read-only, so
   * its contents can be trusted while we compare. Returns the PTE, or null
   * (-EFAULT) if addr does not map page. A KSM page cannot be merged again:
   * page_address_in_vma() finds no anon_vma for it.
   */
  private writeProtectPage(vma: Vma, page: Pfn, addr: VirtAddr): number | null {
    if (this.mem.state[page] === FRAME_KSM) return null;
    const i = vma.pteIndex(addr);
    const pte = vma.pte[i];
    if (pte === 0 || ptePfn(pte) !== page) return null;
    // (The kernel also checks that no one else, O_DIRECT say, holds a reference; nobody does here.)
    vma.pte[i] = mkPte(page, false);
    return vma.pte[i];
  }

  /** replace_page(): point the PTE at addr to kpage instead of page, read-only. */
  private replacePage(vma: Vma, page: Pfn, kpage: Pfn, addr: VirtAddr, origPte: number): boolean {
    const i = vma.pteIndex(addr);
    if (vma.pte[i] !== origPte) return false;
    const mem = this.mem;
    mem.mapcount[kpage]++;
    if (kpage === ZERO_PFN) {
      // use_zero_pages: a dirty zero-page PTE marks it as placed by KSM (ksm_map_zero_page()).
      vma.mm.ksmZeroPtes.add(addr);
      this.ksmZeroPages++;
    } else {
      mem.getPage(kpage);
      mem.state[kpage] = FRAME_KSM; // page_add_ksm_rmap()
    }
    vma.pte[i] = mkPte(kpage, false);
    mem.mapcount[page]--;
    mem.putPage(page);
    return true;
  }

  /**
   * try_to_merge_one_page(): write-protect page where vma maps it at addr,
   * check it still equals kpage, and map kpage there instead. With kpage
   * null (6.18), page itself becomes the KSM page. Returns 0 or EFAULT.
   */
  protected tryToMergeOnePage(vma: Vma, page: Pfn, kpage: Pfn | null, addr: VirtAddr): 0 | "EFAULT" {
    if (page === kpage) return 0; // ksm page forked
    if (!(vma.vmFlags & VM_MERGEABLE)) return "EFAULT";
    if (!this.mem.isAnon(page)) return "EFAULT";
    const origPte = this.writeProtectPage(vma, page, addr);
    if (origPte === null) return "EFAULT";
    if (kpage === null) {
      this.mem.state[page] = FRAME_KSM; // upgrade to PageKsm; stable_tree_insert() sets its node
      return 0;
    }
    if (this.mem.memcmpPages(page, kpage) !== 0) return "EFAULT";
    return this.replacePage(vma, page, kpage, addr, origPte) ? 0 : "EFAULT";
  }

  /* ---------------- breaking COW ---------------- */

  /**
   * break_ksm(): fault on addr until it no longer maps a KSM page: copy it
   * back to an ordinary page. Allocates, so it can fail with ENOMEM or
   * wake the OOM killer.
   */
  breakKsm(vma: Vma, addr: VirtAddr): 0 | "ENOMEM" {
    let ret = 0;
    do {
      const page = followPage(vma, addr);
      if (page < 0 || ksmTestExit(vma.mm)) break;
      // 6.18 unshares the zero pages KSM placed too (is_ksm_zero_pte()).
      if (this.mem.isKsm(page) || (page === ZERO_PFN && vma.mm.ksmZeroPtes.has(addr))) {
        ret = this.k.handleMmFault(vma, addr, true);
        if (!this.breakKsmWrites && ret & VM_FAULT_WRITE) {
          // FAULT_FLAG_UNSHARE: the private copy stays read-only until written
          const i = vma.pteIndex(addr);
          vma.pte[i] = mkPte(ptePfn(vma.pte[i]), false);
        }
        const to = vma.pte[vma.pteIndex(addr)];
        if (this.tracing)
          this.k.emit({
            type: "break-cow",
            fn: "break_ksm",
            pid: vma.mm.owner,
            addr,
            from: page,
            to: to ? ptePfn(to) : null,
            ...(ret & VM_FAULT_OOM ? { errno: "ENOMEM" as const } : {}),
          });
      } else ret = VM_FAULT_WRITE;
    } while (!(ret & (VM_FAULT_WRITE | VM_FAULT_SIGBUS | VM_FAULT_OOM)));
    return ret & VM_FAULT_OOM ? "ENOMEM" : 0;
  }

  /** break_cow(): break_ksm() at the item's address, if that is still a mergeable area. */
  protected breakCow(mm: MmStruct, addr: VirtAddr): void {
    const vma = this.findMergeableVma(mm, addr);
    // ksmd ignores ENOMEM here: ksm_do_scan retries break_cow on a later pass.
    if (vma) this.breakKsm(vma, addr);
  }

  /* ---------------- madvise, fork, exit ---------------- */

  /**
   * ksm_madvise(): the new vm_flags for [start, end) of vma, or an errno.
   * MADV_UNMERGEABLE breaks COW on every KSM page in the range before
   * clearing VM_MERGEABLE; the rmap_items are left for ksmd's next pass.
   */
  ksmMadvise(vma: Vma, start: VirtAddr, end: VirtAddr, advice: number, vmFlags: number): number | Errno {
    const mm = vma.mm;
    if (advice === MADV_MERGEABLE) {
      if (vmFlags & VM_MERGEABLE) return vmFlags; // just ignore the advice
      if (!(mm.flags & MMF_VM_MERGEABLE)) this.ksmEnter(mm);
      return vmFlags | VM_MERGEABLE;
    }
    if (!(vmFlags & VM_MERGEABLE)) return vmFlags; // just ignore the advice
    if (vma.anonVma) {
      const err = this.unmergeKsmPages(vma, start, end);
      if (err) return err;
    }
    return vmFlags & ~VM_MERGEABLE;
  }

  /** unmerge_ksm_pages() */
  unmergeKsmPages(vma: Vma, start: VirtAddr, end: VirtAddr): 0 | "ENOMEM" {
    let err: 0 | "ENOMEM" = 0;
    for (let addr = start; addr < end && !err; addr += PAGE_SIZE) {
      if (ksmTestExit(vma.mm)) break;
      err = this.breakKsm(vma, addr);
    }
    return err;
  }

  /**
   * __ksm_enter(): register mm. Its slot goes just behind the scan cursor,
   * to let the area settle down a little: when fork is followed by exec,
   * ksmd should not waste time setting up and tearing down an rmap_list.
   */
  ksmEnter(mm: MmStruct): void {
    const slot = new MmSlot(mm);
    const needsWakeup = this.listEmpty();
    this.mmSlotsHash.set(mm, slot);
    listAddTail(slot, this.ksmScan.mmSlot);
    mm.flags |= MMF_VM_MERGEABLE;
    this.k.emit({ type: "ksm-enter", fn: "__ksm_enter", pid: mm.owner, wakeup: needsWakeup });
  }

  /** ksm_fork() */
  ksmFork(mm: MmStruct, oldmm: MmStruct): void {
    if (oldmm.flags & MMF_VM_MERGEABLE) {
      // The child's copy of mm->ksm_zero_pages joins the global count (6.18).
      this.ksmZeroPages += mm.ksmZeroPtes.size;
      this.ksmEnter(mm);
    }
  }

  /**
   * __ksm_exit() (patch 9): if it's straightforward — no rmap_items and not
   * at the cursor — free the slot now; otherwise move it just after the
   * cursor and leave it for ksmd, which will soon find the mm exiting.
   */
  ksmExit(mm: MmStruct): void {
    const slot = this.mmSlotsHash.get(mm);
    let easyToFree = false;
    if (slot && this.ksmScan.mmSlot !== slot) {
      if (slot.rmapList === null) {
        this.mmSlotsHash.delete(mm);
        listDel(slot);
        easyToFree = true;
      } else {
        listMove(slot, this.ksmScan.mmSlot);
      }
    }
    if (easyToFree) mm.flags &= ~(MMF_VM_MERGEABLE | MMF_VM_MERGE_ANY);
    this.k.emit({
      type: "exit",
      fn: "__ksm_exit",
      pid: mm.owner,
      easyToFree,
      registered: slot !== undefined,
    });
  }

  /**
   * unmerge_and_remove_all_rmap_items(), for run = 2: break COW on every KSM
   * page of every registered mm and free all rmap_items, but leave the mms
   * registered for when ksmd runs again. full_scans restarts from 0 only
   * if it all succeeded.
   */
  unmergeAndRemoveAllRmapItems(): 0 | "ENOMEM" {
    const scan = this.ksmScan;
    scan.mmSlot = this.ksmMmHead.next;
    for (let slot = scan.mmSlot; slot !== this.ksmMmHead; slot = scan.mmSlot) {
      const mm = slot.mm!;
      for (const vma of [...mm.vmas]) {
        if (ksmTestExit(mm)) break;
        if (!(vma.vmFlags & VM_MERGEABLE) || !vma.anonVma) continue;
        const err = this.unmergeKsmPages(vma, vma.vmStart, vma.vmEnd);
        if (err) {
          scan.mmSlot = this.ksmMmHead;
          this.k.emit({ type: "unmerge", fn: "unmerge_and_remove_all_rmap_items", errno: err });
          return err;
        }
      }
      this.removeTrailingRmapItems(slot, null);
      scan.mmSlot = slot.next;
      if (ksmTestExit(mm)) {
        this.mmSlotsHash.delete(mm);
        listDel(slot);
        mm.flags &= ~(MMF_VM_MERGEABLE | MMF_VM_MERGE_ANY);
        this.k.emit({ type: "slot-removed", fn: "unmerge_and_remove_all_rmap_items", pid: mm.owner });
      }
    }
    this.removeAllStableNodes();
    scan.seqnr = 0;
    this.k.emit({ type: "unmerge", fn: "unmerge_and_remove_all_rmap_items" });
    return 0;
  }

  /** Every registered slot in list order (for views and checks). */
  slots(): MmSlot[] {
    const out: MmSlot[] = [];
    for (let s = this.ksmMmHead.next; s !== this.ksmMmHead; s = s.next) out.push(s);
    return out;
  }
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** The shape of a registered item, for the in-tree test in views and checks. */
export function inStableTree(rmapItem: RmapItem): boolean {
  return (rmapItem.flags & STABLE_FLAG) !== 0;
}
