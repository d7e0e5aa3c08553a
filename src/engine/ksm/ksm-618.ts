import type { Compare } from "../events";
import { FRAME_KSM } from "../memory";
import { RbRoot, rbErase, rbFirst, rbInsertColor, rbLinkNode, rbNext } from "../rbtree";
import type { Pfn } from "../types";
import { Ksm, sign } from "./ksm";
import { type RmapItem, STABLE_FLAG, StableNode, UNSTABLE_FLAG } from "./rmap";

/**
 * KSM as in Linux 6.18 (observed on a real 6.18 kernel), without the
 * features its reference runs turned off (smart_scan, max_page_sharing
 * chains, use_zero_pages, NUMA). Stable nodes are separate objects holding
 * the KSM page and a list of the rmap_items that map it, newest first.
 */
export class Ksm618 extends Ksm {
  readonly profile = "linux-6.18";
  readonly rootStableTree = new RbRoot();
  protected readonly breakKsmWrites = false;
  private nextNodeId = 1;

  protected scanOne(page: Pfn, rmapItem: RmapItem): void {
    // No "break cow once unshared" here: a KSM page left with one mapper stays merged.
    this.cmpAndMergePage(page, rmapItem);
  }

  /** 6.18's get_next_rmap_item() leaves the item in its tree: cmp_and_merge_page() decides. */
  protected reuseRmapItem(): void {}

  /** page_stable_node(): the stable node of a KSM page. */
  private pageStableNode(page: Pfn): StableNode | null {
    return this.mem.state[page] === FRAME_KSM ? (this.mem.stableNode[page] as StableNode | null) : null;
  }

  /**
   * ksm_get_folio(): the node's KSM page, with a reference; -1 if the page has
   * gone (freed once its last mapper left), in which case the stale node is
   * removed from the tree, taking all its items with it.
   */
  private ksmGetPage(node: StableNode): Pfn {
    const kpfn = node.kpfn;
    if (this.mem.state[kpfn] !== FRAME_KSM || this.mem.stableNode[kpfn] !== node) {
      this.removeNodeFromStableTree(node);
      return -1;
    }
    this.mem.getPage(kpfn);
    return kpfn;
  }

  /** remove_node_from_stable_tree(): every item leaves the tree and the counters. */
  private removeNodeFromStableTree(node: StableNode): void {
    for (let item = node.hlist; item; ) {
      if (item.next) this.pagesSharing--;
      else this.pagesShared--;
      node.rmapHlistLen--;
      item.flags &= ~STABLE_FLAG;
      item.head = null;
      const next: RmapItem | null = item.next;
      item.next = item.prev = null;
      item = next;
    }
    node.hlist = null;
    rbErase(node, this.rootStableTree);
    if (this.tracing)
      this.k.emit({ type: "stable-prune", fn: "remove_node_from_stable_tree", node: node.id, item: null });
  }

  removeRmapItemFromTree(rmapItem: RmapItem): void {
    if (rmapItem.flags & STABLE_FLAG) {
      const node = rmapItem.head!;
      const page = this.ksmGetPage(node);
      if (page < 0) return; // the whole stale node went, this item with it
      // hlist_del()
      if (rmapItem.prev) rmapItem.prev.next = rmapItem.next;
      else node.hlist = rmapItem.next;
      if (rmapItem.next) rmapItem.next.prev = rmapItem.prev;
      rmapItem.next = rmapItem.prev = null;
      this.mem.putPage(page);
      if (node.hlist) this.pagesSharing--;
      else this.pagesShared--;
      node.rmapHlistLen--;
      rmapItem.head = null;
      rmapItem.flags &= ~STABLE_FLAG;
      if (this.tracing)
        this.k.emit({
          type: "stable-remove",
          fn: "remove_rmap_item_from_tree",
          item: rmapItem.id,
          node: node.id,
          promoted: null,
        });
    } else if (rmapItem.flags & UNSTABLE_FLAG) {
      this.removeFromUnstableTree(rmapItem);
    }
  }

  /** remove_all_stable_nodes() after run = 2: drop the nodes whose KSM pages nobody maps. */
  protected removeAllStableNodes(): void {
    const nodes: StableNode[] = [];
    for (let n = rbFirst(this.rootStableTree); n; n = rbNext(n)) nodes.push(n as StableNode);
    for (const node of nodes) {
      const page = this.ksmGetPage(node);
      if (page < 0) continue;
      if (this.mem.mapcount[page] === 0) {
        this.mem.stableNode[page] = null;
        this.removeNodeFromStableTree(node);
      }
      this.mem.putPage(page);
    }
  }

  /**
   * stable_tree_search(): a KSM page with page's contents, with a reference,
   * or -1. A page that already is a KSM page (forked) is its own answer. A
   * stale node met on the way is removed, and may rebalance the tree under
   * us: so restart from the root.
   */
  private stableTreeSearch(page: Pfn, rmapItem: RmapItem): Pfn {
    const path: Compare[] | null = this.tracing ? [] : null;
    let found = -1;
    if (this.pageStableNode(page)) {
      this.mem.getPage(page); // ksm page forked
      found = page;
    } else {
      let node = this.rootStableTree.rbNode as StableNode | null;
      while (node) {
        const treePage = this.ksmGetPage(node);
        if (treePage < 0) {
          node = this.rootStableTree.rbNode as StableNode | null; // again
          continue;
        }
        const ret = this.mem.memcmpPages(page, treePage);
        path?.push({ node: node.id, pfn: treePage, result: sign(ret) });
        if (ret === 0) {
          found = treePage;
          break;
        }
        this.mem.putPage(treePage);
        node = (ret < 0 ? node.rbLeft : node.rbRight) as StableNode | null;
      }
    }
    if (path) {
      const foundNode = found >= 0 ? this.pageStableNode(found) : null;
      this.k.emit({
        type: "stable-search",
        fn: "stable_tree_search",
        item: rmapItem.id,
        pfn: page,
        path,
        found: foundNode?.id ?? null,
      });
    }
    return found;
  }

  /**
   * stable_tree_insert(): a new node for KSM page kpage. (6.18 would start a
   * chain of duplicates on finding an equal page; that comes with
   * max_page_sharing, left out here, and cannot happen without it: the page
   * was compared with the whole stable tree a moment ago.)
   */
  private stableTreeInsert(kpage: Pfn): StableNode | null {
    const root = this.rootStableTree;
    const path: Compare[] | null = this.tracing ? [] : null;
    let parent: StableNode | null = null;
    let goLeft = false;
    let node = root.rbNode as StableNode | null;
    let equal = false;
    while (node) {
      const treePage = this.ksmGetPage(node);
      if (treePage < 0) {
        parent = null;
        node = root.rbNode as StableNode | null; // again
        continue;
      }
      const ret = this.mem.memcmpPages(kpage, treePage);
      path?.push({ node: node.id, pfn: treePage, result: sign(ret) });
      this.mem.putPage(treePage);
      if (ret === 0) {
        equal = true;
        break;
      }
      parent = node;
      goLeft = ret < 0;
      node = (goLeft ? node.rbLeft : node.rbRight) as StableNode | null;
    }
    const stableNode = equal ? null : new StableNode(this.nextNodeId++, kpage);
    if (stableNode) {
      rbLinkNode(stableNode, parent, goLeft, root);
      rbInsertColor(stableNode, root);
      this.mem.stableNode[kpage] = stableNode;
    }
    if (path)
      this.k.emit({
        type: "stable-insert",
        fn: "stable_tree_insert",
        node: stableNode?.id ?? -1,
        kpfn: kpage,
        ok: !!stableNode,
        path,
      });
    return stableNode;
  }

  /** stable_tree_append(): the newest item goes first; a node's first item counts in pages_shared. */
  private stableTreeAppend(rmapItem: RmapItem, stableNode: StableNode): void {
    stableNode.rmapHlistLen++;
    rmapItem.head = stableNode;
    rmapItem.flags |= STABLE_FLAG;
    rmapItem.next = stableNode.hlist;
    rmapItem.prev = null;
    if (stableNode.hlist) stableNode.hlist.prev = rmapItem;
    stableNode.hlist = rmapItem;
    if (rmapItem.next) this.pagesSharing++;
    else this.pagesShared++;
    if (this.tracing)
      this.k.emit({
        type: "stable-append",
        fn: "stable_tree_append",
        node: stableNode.id,
        item: rmapItem.id,
      });
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
   * first keep its checksum for a whole scan; only then is it looked for in
   * the stable tree, and then in the unstable tree.
   */
  private cmpAndMergePage(page: Pfn, rmapItem: RmapItem): void {
    const stableNode = this.pageStableNode(page);
    if (stableNode) {
      if (rmapItem.head === stableNode) return; // already merged here
    } else {
      this.removeRmapItemFromTree(rmapItem);
      if (this.checksumChanged(page, rmapItem)) return;
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
    const newNode = this.stableTreeInsert(merged);
    if (newNode) {
      this.stableTreeAppend(unstable.item, newNode);
      this.stableTreeAppend(rmapItem, newNode);
    } else {
      this.breakCow(unstable.item.mm, unstable.item.address);
      this.breakCow(rmapItem.mm, rmapItem.address);
    }
  }
}
