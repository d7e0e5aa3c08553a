import type { Kernel } from "../kernel";
import { ZERO_PFN } from "../memory";
import { MMF_VM_MERGE_ANY, MMF_VM_MERGEABLE, type MmStruct, VM_MERGEABLE } from "../mm";
import type { Pfn } from "../types";
import { type AdvisorCtx, newAdvisorCtx, scanTimeAdvisor } from "./advisor";
import { DEFAULT_KNOBS_618, DEFAULT_PAGES_TO_SCAN, type Knobs618, type ProfileName } from "./profile";
import type { RmapItem } from "./rmap";
import { Ksm618Stable } from "./stable-618";

/** sizeof(struct ksm_rmap_item) on x86-64: what each rmap_item costs in general_profit. */
export const RMAP_ITEM_BYTES = 64;
const PAGE_BYTES = 4096;

/**
 * KSM as in Linux 6.18, on its own defaults: checksum before the stable
 * tree, the first page of a pair becomes the KSM page, smart scan, stable
 * node chains (stable-618.ts), use_zero_pages, per-process statistics,
 * prctl(PR_SET_MEMORY_MERGE) and the scan-time advisor (advisor.ts).
 * One NUMA node, so merge_across_nodes changes nothing but its file.
 */
export class Ksm618 extends Ksm618Stable {
  readonly profile = "linux-6.18";
  readonly knobs618: Knobs618 = { ...DEFAULT_KNOBS_618 };
  readonly advisorCtx: AdvisorCtx = newAdvisorCtx();
  protected readonly breakKsmWrites = false;
  /** zero_checksum: the checksum of a page of zeros. */
  private readonly zeroChecksum: number;

  constructor(k: Kernel, profile: ProfileName) {
    super(k, profile);
    this.zeroChecksum = this.mem.checksum(ZERO_PFN);
  }

  protected scanOne(page: Pfn, rmapItem: RmapItem): void {
    // No "break cow once unshared" here: a KSM page left with one mapper stays merged.
    this.cmpAndMergePage(page, rmapItem);
  }

  /** 6.18's get_next_rmap_item() leaves the item in its tree: cmp_and_merge_page() decides. */
  protected reuseRmapItem(): void {}

  /* ---------------- smart scan ---------------- */

  /**
   * should_skip_rmap_item(): with smart_scan, a page that is not a KSM page
   * ages at every visit; from age 3 it is let through once, then skipped for
   * skip_age(age) scans. A skipped page leaves its tree, costs no
   * pages_to_scan and counts in pages_skipped, not pages_scanned.
   */
  protected override shouldSkipRmapItem(page: Pfn, rmapItem: RmapItem): boolean {
    if (!this.knobs618.smartScan) return false;
    // Never skip KSM pages: cmp_and_merge_page() must still see them.
    if (this.mem.isKsm(page)) return false;
    const age = rmapItem.age;
    if (age !== 255) rmapItem.age++;
    if (age < 3) return false; // young pages get their chance at every merge phase
    if (!rmapItem.remainingSkips) {
      rmapItem.remainingSkips = skipAge(age);
      return false;
    }
    this.pagesSkipped++;
    rmapItem.remainingSkips--;
    this.removeRmapItemFromTree(rmapItem);
    if (this.tracing)
      this.k.emit({
        type: "smart-skip",
        fn: "should_skip_rmap_item",
        pid: rmapItem.mm.owner,
        addr: rmapItem.address,
        item: rmapItem.id,
        age: rmapItem.age,
        remainingSkips: rmapItem.remainingSkips,
      });
    return true;
  }

  /* ---------------- merging ---------------- */

  /**
   * try_to_merge_with_zero_page(): with use_zero_pages, a page whose
   * checksum is that of zeros is mapped to the zero page (if it really is all
   * zeros). 0 when merged, or when its area went away (nothing more to do).
   */
  private tryToMergeWithZeroPage(rmapItem: RmapItem, page: Pfn): 0 | "EFAULT" {
    if (!this.knobs618.useZeroPages || rmapItem.oldchecksum !== this.zeroChecksum) return "EFAULT";
    const vma = this.findMergeableVma(rmapItem.mm, rmapItem.address);
    if (!vma) return 0;
    const err = this.tryToMergeOnePage(vma, page, ZERO_PFN, rmapItem.address);
    if (this.tracing)
      this.k.emit({
        type: "merge-with-ksm",
        fn: "try_to_merge_with_ksm_page",
        item: rmapItem.id,
        pfn: page,
        kpfn: ZERO_PFN,
        ok: !err,
      });
    return err;
  }

  /**
   * try_to_merge_with_ksm_page(): map kpage at the item's address instead of
   * page; with kpage -1, make page itself a KSM page (write-protected).
   */
  private tryToMergeWithKsmPage(rmapItem: RmapItem, page: Pfn, kpage: Pfn): 0 | "EFAULT" {
    const vma = this.findMergeableVma(rmapItem.mm, rmapItem.address);
    if (!vma) return "EFAULT";
    const err = this.tryToMergeOnePage(vma, page, kpage < 0 ? null : kpage, rmapItem.address);
    if (err) return err;
    // An unstable node's fields would be overwritten by the stable ones: remove it first.
    this.removeRmapItemFromTree(rmapItem);
    return 0;
  }

  /**
   * try_to_merge_two_pages(): the first page itself becomes the KSM page
   * (no new frame), then the second is merged into it. Returns the KSM page or -1.
   */
  private tryToMergeTwoPages(rmapItem: RmapItem, page: Pfn, treeItem: RmapItem, treePage: Pfn): Pfn {
    let err = this.tryToMergeWithKsmPage(rmapItem, page, -1);
    if (!err) {
      err = this.tryToMergeWithKsmPage(treeItem, treePage, page);
      // If that fails, we have a KSM page with only one PTE pointing to it: break it.
      if (err) this.breakCow(rmapItem.mm, rmapItem.address);
    }
    if (this.tracing)
      this.k.emit({
        type: "merge-two",
        fn: "try_to_merge_two_pages",
        items: [rmapItem.id, treeItem.id],
        kpfn: err ? null : page,
        ok: !err,
      });
    return err ? -1 : page;
  }

  /**
   * cmp_and_merge_page() of 6.18: a page that is not yet a KSM page must
   * first keep its checksum for a whole scan (and, all zeros, may go to the
   * zero page); only then is it looked for in the stable tree, and then in
   * the unstable tree.
   */
  private cmpAndMergePage(page: Pfn, rmapItem: RmapItem): void {
    const stableNode = this.pageStableNode(page);
    if (stableNode) {
      if (rmapItem.head === stableNode) return; // already merged here
      // (A KSM fork may go over max_page_sharing: the kernel only skips its warning.)
    } else {
      this.removeRmapItemFromTree(rmapItem);
      if (this.checksumChanged(page, rmapItem)) return;
      if (!this.tryToMergeWithZeroPage(rmapItem, page)) return;
    }

    const kpage = this.stableTreeSearch(page, rmapItem);
    if (kpage === page && rmapItem.head === stableNode) {
      this.mem.putPage(kpage);
      return;
    }
    this.removeRmapItemFromTree(rmapItem);
    if (kpage >= 0) {
      const err = this.tryToMergeWithKsmPage(rmapItem, page, kpage);
      if (this.tracing)
        this.k.emit({
          type: "merge-with-ksm",
          fn: "try_to_merge_with_ksm_page",
          item: rmapItem.id,
          pfn: page,
          kpfn: kpage,
          ok: !err,
        });
      if (!err) this.stableTreeAppend(rmapItem, this.pageStableNode(kpage)!);
      this.mem.putPage(kpage);
      return;
    }

    const unstable = this.unstableTreeSearchInsert(rmapItem, page);
    if (!unstable) return;
    const merged = this.tryToMergeTwoPages(rmapItem, page, unstable.item, unstable.page);
    this.mem.putPage(unstable.page);
    if (merged < 0) return;
    // The insert always succeeds: an equal node there gets this page as a new dup.
    const newNode = this.stableTreeInsert(merged);
    this.stableTreeAppend(unstable.item, newNode);
    this.stableTreeAppend(rmapItem, newNode);
  }

  /* ---------------- prctl(PR_SET_MEMORY_MERGE) ---------------- */

  /**
   * ksm_enable_merge_any(): register mm and make every area mergeable; areas
   * mapped later are made mergeable by mmap (ksm_add_vma()).
   */
  ksmEnableMergeAny(mm: MmStruct): 0 {
    if (mm.flags & MMF_VM_MERGE_ANY) return 0;
    if (!(mm.flags & MMF_VM_MERGEABLE)) this.ksmEnter(mm);
    mm.flags |= MMF_VM_MERGE_ANY;
    for (const vma of mm.vmas) vma.vmFlags |= VM_MERGEABLE; // ksm_add_vmas()
    return 0;
  }

  /**
   * ksm_disable_merge_any(): unmerge every area as MADV_UNMERGEABLE would; if
   * that fails (no memory), everything stays mergeable and the error is returned.
   */
  ksmDisableMergeAny(mm: MmStruct): 0 | "ENOMEM" {
    if (!(mm.flags & MMF_VM_MERGE_ANY)) return 0;
    for (const vma of mm.vmas) {
      // ksm_del_vmas() -> __ksm_del_vma()
      if (!(vma.vmFlags & VM_MERGEABLE)) continue;
      const err = vma.anonVma ? this.unmergeKsmPages(vma, vma.vmStart, vma.vmEnd) : 0;
      if (err) {
        for (const v of mm.vmas) v.vmFlags |= VM_MERGEABLE;
        return err;
      }
      vma.vmFlags &= ~VM_MERGEABLE;
    }
    mm.flags &= ~MMF_VM_MERGE_ANY;
    return 0;
  }

  /* ---------------- the advisor ---------------- */

  protected override advisorStartScan(): void {
    if (this.knobs618.advisorMode === "scan-time") this.advisorCtx.startScanUs = this.clockUs;
  }

  protected override advisorStopScan(): void {
    if (this.knobs618.advisorMode !== "scan-time") return;
    const k = this.knobs;
    k.pagesToScan = scanTimeAdvisor(
      this.advisorCtx,
      this.knobs618,
      k.pagesToScan,
      this.clockUs,
      this.ksmdCpuUs,
    );
  }

  /** set_advisor_defaults(), when advisor_mode changes. */
  setAdvisorDefaults(): void {
    if (this.knobs618.advisorMode === "none") this.knobs.pagesToScan = DEFAULT_PAGES_TO_SCAN;
    else {
      Object.assign(this.advisorCtx, newAdvisorCtx());
      this.knobs.pagesToScan = this.knobs618.advisorMinPagesToScan % 2 ** 32;
    }
  }

  /* ---------------- statistics ---------------- */

  /** general_profit: what merging saves, less what the rmap_items cost. */
  get generalProfit(): number {
    return (this.pagesSharing + this.ksmZeroPages) * PAGE_BYTES - this.rmapItems * RMAP_ITEM_BYTES;
  }
}

/** skip_age(): how many scans to skip a page of this age that keeps failing to merge. */
export function skipAge(age: number): number {
  if (age <= 3) return 1;
  if (age <= 5) return 2;
  if (age <= 8) return 4;
  return 8;
}

/** /proc/<pid>/ksm_stat of a process (6.18), its yes/no lines as 1/0. */
export interface KsmStat {
  ksm_rmap_items: number;
  ksm_zero_pages: number;
  ksm_merging_pages: number;
  ksm_process_profit: number;
  ksm_merge_any: number;
  ksm_mergeable: number;
}

export function ksmStat(mm: MmStruct): KsmStat {
  return {
    ksm_rmap_items: mm.ksmRmapItems,
    ksm_zero_pages: mm.ksmZeroPtes.size,
    ksm_merging_pages: mm.ksmMergingPages,
    ksm_process_profit:
      (mm.ksmMergingPages + mm.ksmZeroPtes.size) * PAGE_BYTES - mm.ksmRmapItems * RMAP_ITEM_BYTES,
    ksm_merge_any: mm.flags & MMF_VM_MERGE_ANY ? 1 : 0,
    ksm_mergeable: mm.vmas.some((v) => v.vmFlags & VM_MERGEABLE) ? 1 : 0,
  };
}
