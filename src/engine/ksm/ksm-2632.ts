import type { Compare, MergeRefusal } from "../events";
import { findVma, ksmTestExit, type MmStruct } from "../mm";
import { RbRoot, rbErase, rbInsertColor, rbLinkNode, rbReplaceNode } from "../rbtree";
import type { Pfn, VirtAddr } from "../types";
import { type Found, inStableTree, Ksm, sign } from "./ksm";
import { NODE_FLAG, type RmapItem, STABLE_FLAG, UNSTABLE_FLAG } from "./rmap";

/**
 * KSM as the 2009 patch series leaves it for 2.6.32. The stable tree's nodes
 * are rmap_items themselves: the first item to map a KSM page is its node,
 * and the others hang off it in a chain (newest first, after the node).
 */
export class Ksm2632 extends Ksm {
  readonly profile = "linux-2.6.32";
  readonly rootStableTree = new RbRoot();
  protected readonly breakKsmWrites = true;
  /** pruneNode()'s second result: the node's KSM page, with a reference. */
  private prunedPage: Pfn = -1;

  /** ksm_do_scan()'s loop body. */
  protected scanOne(page: Pfn, rmapItem: RmapItem): void {
    if (!this.mem.isKsm(page) || !inStableTree(rmapItem)) {
      this.cmpAndMergePage(page, rmapItem);
    } else if (this.mem.mapcount[page] === 1) {
      // Patch 4, "break cow once unshared": replace the now-unshared KSM page by an
      // ordinary one. It skips cmp_and_merge_page on this pass, so compute the checksum
      // now to give it a good chance of getting into the unstable tree on the next.
      this.breakCow(rmapItem.mm, rmapItem.address);
      this.removeRmapItemFromTree(rmapItem);
      rmapItem.oldchecksum = this.mem.checksum(page);
    }
  }

  /** get_next_rmap_item() takes a reused item out of the unstable tree (2.6.32 only). */
  protected reuseRmapItem(rmapItem: RmapItem): void {
    if (!inStableTree(rmapItem)) this.removeRmapItemFromTree(rmapItem);
  }

  removeRmapItemFromTree(rmapItem: RmapItem): void {
    if (rmapItem.flags & STABLE_FLAG) {
      const nextItem = rmapItem.next;
      const node = this.tracing ? this.nodeOf(rmapItem) : rmapItem;
      let promoted: RmapItem | null = null;
      if (rmapItem.flags & NODE_FLAG) {
        if (nextItem) {
          // The next sharer becomes the node for this KSM page.
          rbReplaceNode(rmapItem, nextItem, this.rootStableTree);
          nextItem.flags |= NODE_FLAG;
          nextItem.prev = null;
          promoted = nextItem;
          this.pagesSharing--;
        } else {
          rbErase(rmapItem, this.rootStableTree);
          this.pagesShared--;
        }
      } else {
        const prevItem = rmapItem.prev!;
        prevItem.next = nextItem;
        if (nextItem) nextItem.prev = prevItem;
        this.pagesSharing--;
      }
      rmapItem.next = null;
      rmapItem.prev = null;
      // 2.6.32's rmap_item keeps oldchecksum in a union with `next`: clearing next zeroes it.
      rmapItem.oldchecksum = 0;
      if (this.tracing)
        this.k.emit({
          type: "stable-remove",
          fn: "remove_rmap_item_from_tree",
          item: rmapItem.id,
          node: node.id,
          wasNode: node === rmapItem,
          promoted: promoted?.id ?? null,
        });
    } else if (rmapItem.flags & UNSTABLE_FLAG) {
      this.removeFromUnstableTree(rmapItem);
    }
    rmapItem.flags &= ~(STABLE_FLAG | NODE_FLAG | UNSTABLE_FLAG);
  }

  /** The node item at the head of the chain rmapItem is on (for events). */
  private nodeOf(rmapItem: RmapItem): RmapItem {
    let it = rmapItem;
    while (!(it.flags & NODE_FLAG) && it.prev) it = it.prev;
    return it;
  }

  protected removeAllStableNodes(): 0 {
    return 0; // Nothing to do: the nodes are rmap_items, all freed already.
  }

  /** get_ksm_page(): the item's page if its address still maps a KSM page. */
  private getKsmPage(rmapItem: RmapItem): Pfn {
    const page = this.getMergeablePage(rmapItem);
    if (page >= 0 && !this.mem.isKsm(page)) {
      this.mem.putPage(page);
      return -1;
    }
    return page;
  }

  /**
   * The node at this place in the stable tree, after pruning: any item that
   * no longer maps a KSM page is removed, and the next of its chain takes its
   * place. Null, with the node gone from the tree, if none is left.
   */
  private pruneNode(node: RmapItem): RmapItem | null {
    let treeItem: RmapItem | null = node;
    while (treeItem) {
      const page = this.getKsmPage(treeItem);
      if (page >= 0) {
        this.prunedPage = page;
        return treeItem;
      }
      const nextItem: RmapItem | null = treeItem.next;
      if (this.tracing)
        this.k.emit({ type: "stable-prune", fn: "stable_tree_search", node: node.id, item: treeItem.id });
      this.removeRmapItemFromTree(treeItem);
      treeItem = nextItem;
    }
    return null;
  }

  /**
   * stable_tree_search(): look for a KSM page with page's contents. The KSM
   * pages are write-protected, so the comparisons can be trusted.
   */
  private stableTreeSearch(page: Pfn, rmapItem: RmapItem): Found | null {
    let node = this.rootStableTree.rbNode as RmapItem | null;
    const path: Compare[] | null = this.tracing ? [] : null;
    let found: Found | null = null;
    while (node) {
      const treeItem = this.pruneNode(node);
      if (!treeItem) break;
      const treePage = this.prunedPage;
      const ret = this.mem.memcmpPages(page, treePage);
      path?.push({ node: treeItem.id, pfn: treePage, result: sign(ret) });
      if (ret === 0) {
        found = { item: treeItem, page: treePage };
        break;
      }
      this.mem.putPage(treePage);
      node = (ret < 0 ? treeItem.rbLeft : treeItem.rbRight) as RmapItem | null;
    }
    if (path)
      this.k.emit({
        type: "stable-search",
        fn: "stable_tree_search",
        item: rmapItem.id,
        pfn: page,
        path,
        found: found?.item.id ?? null,
      });
    return found;
  }

  /** stable_tree_insert(): make rmapItem the node for KSM page `page`; null if an equal node is there. */
  private stableTreeInsert(page: Pfn, rmapItem: RmapItem): RmapItem | null {
    const root = this.rootStableTree;
    let node = root.rbNode as RmapItem | null;
    let parent: RmapItem | null = null;
    let goLeft = false;
    const path: Compare[] | null = this.tracing ? [] : null;
    const done = (ok: boolean) => {
      // The walk compares the old page (same contents); the event names the KSM page the node maps.
      if (path)
        this.k.emit({
          type: "stable-insert",
          fn: "stable_tree_insert",
          node: rmapItem.id,
          kpfn: this.k.pageAt(rmapItem.mm.owner, rmapItem.address),
          ok,
          path,
        });
      return ok ? rmapItem : null;
    };
    while (node) {
      const treeItem = this.pruneNode(node);
      if (!treeItem) return done(false);
      const ret = this.mem.memcmpPages(page, this.prunedPage);
      path?.push({ node: treeItem.id, pfn: this.prunedPage, result: sign(ret) });
      this.mem.putPage(this.prunedPage);
      parent = treeItem;
      // Equal is not a bug: when we searched, this page was not yet write-protected.
      if (ret === 0) return done(false);
      goLeft = ret < 0;
      node = (goLeft ? parent.rbLeft : parent.rbRight) as RmapItem | null;
    }
    rmapItem.flags |= NODE_FLAG | STABLE_FLAG;
    rmapItem.next = null;
    rmapItem.oldchecksum = 0; // union with next
    rbLinkNode(rmapItem, parent, goLeft, root);
    rbInsertColor(rmapItem, root);
    this.pagesShared++;
    return done(true);
  }

  /** stable_tree_append(): hang rmapItem off treeItem's KSM page, just after the node. */
  private stableTreeAppend(rmapItem: RmapItem, treeItem: RmapItem): void {
    rmapItem.next = treeItem.next;
    rmapItem.prev = treeItem;
    if (treeItem.next) treeItem.next.prev = rmapItem;
    treeItem.next = rmapItem;
    rmapItem.flags |= STABLE_FLAG;
    this.pagesSharing++;
    if (this.tracing)
      this.k.emit({ type: "stable-append", fn: "stable_tree_append", node: treeItem.id, item: rmapItem.id });
  }

  /** try_to_merge_with_ksm_page(): map kpage, an existing KSM page, at mm1:addr1 instead of page1. */
  private tryToMergeWithKsmPage(mm1: MmStruct, addr1: VirtAddr, page1: Pfn, kpage: Pfn): 0 | "EFAULT" {
    if (ksmTestExit(mm1)) return "EFAULT";
    const vma = findVma(mm1, addr1);
    if (!vma || vma.vmStart > addr1) return "EFAULT";
    return this.tryToMergeOnePage(vma, page1, kpage, addr1);
  }

  /**
   * try_to_merge_two_pages(): allocate a new KSM page, copy page1 into it,
   * and map it in place of both pages. Refused once pages_shared reaches
   * max_kernel_pages: KSM pages cannot be swapped, so they are rationed.
   */
  private tryToMergeTwoPages(item1: RmapItem, page1: Pfn, item2: RmapItem, page2: Pfn): 0 | "EFAULT" {
    const result = (ok: boolean, kpfn: Pfn | null, why?: MergeRefusal): 0 | "EFAULT" => {
      if (this.tracing)
        this.k.emit({
          type: "merge-two",
          fn: "try_to_merge_two_pages",
          items: [item1.id, item2.id],
          kpfn,
          ok,
          ...(why ? { why } : {}),
        });
      return ok ? 0 : "EFAULT";
    };
    const max = this.knobs.maxKernelPages;
    if (max && max <= this.pagesShared) return result(false, null, "max_kernel_pages reached");

    const kpage = this.k.allocPage(false);
    if (kpage < 0) return result(false, null, "out of memory");
    const { mm: mm1, address: addr1 } = item1;
    const vma = ksmTestExit(mm1) ? null : findVma(mm1, addr1);
    let err: 0 | "EFAULT" = "EFAULT";
    if (vma && vma.vmStart <= addr1) {
      this.mem.copyPage(kpage, page1);
      err = this.tryToMergeOnePage(vma, page1, kpage, addr1);
      if (!err) {
        err = this.tryToMergeWithKsmPage(item2.mm, item2.address, page2, kpage);
        // If that fails, we have a KSM page with only one PTE pointing to it: break it.
        if (err) this.breakCow(mm1, addr1);
      }
    }
    this.mem.putPage(kpage);
    return result(!err, kpage);
  }

  /**
   * cmp_and_merge_page(): first see if the page can be merged into the
   * stable tree; if not, compare its checksum with the last one and, if it
   * has not changed, see if it can be inserted into the unstable tree, or
   * merged with a page already there and both moved to the stable tree.
   */
  private cmpAndMergePage(page: Pfn, rmapItem: RmapItem): void {
    if (inStableTree(rmapItem)) this.removeRmapItemFromTree(rmapItem);

    // We first start with searching the page inside the stable tree.
    const stable = this.stableTreeSearch(page, rmapItem);
    if (stable) {
      let err: 0 | "EFAULT" = 0;
      if (page !== stable.page) {
        err = this.tryToMergeWithKsmPage(rmapItem.mm, rmapItem.address, page, stable.page);
        if (this.tracing)
          this.k.emit({
            type: "merge-with-ksm",
            fn: "try_to_merge_with_ksm_page",
            item: rmapItem.id,
            pfn: page,
            kpfn: stable.page,
            ok: !err,
          });
      } // else forked: the page already is that KSM page
      this.mem.putPage(stable.page);
      if (!err) this.stableTreeAppend(rmapItem, stable.item);
      return;
    }

    // A KSM page might have got here by fork, but its other references have already
    // been removed from the stable tree; or a break_ksm failed for lack of memory.
    if (this.mem.isKsm(page)) this.breakCow(rmapItem.mm, rmapItem.address);

    // A page whose checksum changed since the last scan is changing too often:
    // don't put it in the unstable tree, and don't waste time searching there.
    if (this.checksumChanged(page, rmapItem)) return;

    const unstable = this.unstableTreeSearchInsert(rmapItem, page);
    if (!unstable) return;
    const treeItem = unstable.item;
    const err = this.tryToMergeTwoPages(rmapItem, page, treeItem, unstable.page);
    if (!err) {
      // Move the item we merged with from the unstable tree to the stable tree.
      this.removeFromUnstableTree(treeItem);
      if (this.stableTreeInsert(unstable.page, treeItem)) {
        this.stableTreeAppend(rmapItem, treeItem);
      } else {
        // Two addresses now map a KSM page outside the stable tree: break COW on both.
        this.breakCow(treeItem.mm, treeItem.address);
        this.breakCow(rmapItem.mm, rmapItem.address);
      }
    }
    this.mem.putPage(unstable.page);
  }
}
