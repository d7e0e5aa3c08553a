import type { Compare, DupPick } from "../events";
import { FRAME_KSM } from "../memory";
import { RbRoot, rbErase, rbInsertColor, rbLinkNode, rbReplaceNode } from "../rbtree";
import type { Pfn } from "../types";
import { Ksm, sign } from "./ksm";
import type { Knobs618 } from "./profile";
import {
  isStableNodeChain,
  type RmapItem,
  STABLE_FLAG,
  STABLE_NODE_CHAIN,
  StableNode,
  UNSTABLE_FLAG,
} from "./rmap";

/**
 * 6.18's stable tree: StableNode objects holding a KSM page and its
 * rmap_items, and — once a KSM page reaches max_page_sharing mappings —
 * chains of duplicate KSM pages ("dups") with equal contents.
 */
export abstract class Ksm618Stable extends Ksm {
  readonly rootStableTree = new RbRoot();
  abstract readonly knobs618: Knobs618;
  /** stable_node_chains and stable_node_dups */
  stableNodeChains = 0;
  stableNodeDups = 0;
  private nextNodeId = 1;
  /* The second and third results of stableNodeChain() (the kernel's out-parameters). */
  private outDup: StableNode | null = null;
  private outNode: StableNode | null = null;

  /** page_stable_node(): the stable node of a KSM page. */
  protected pageStableNode(page: Pfn): StableNode | null {
    return this.mem.state[page] === FRAME_KSM ? (this.mem.stableNode[page] as StableNode | null) : null;
  }

  /** The simulated jiffies, in milliseconds. */
  private get jiffies(): number {
    return Math.floor(this.clockUs / 1000);
  }

  /**
   * ksm_get_folio(): the node's KSM page, with a reference; -1 if the page has
   * gone (freed once its last mapper left), in which case the stale node is
   * removed from the tree, taking all its items with it.
   */
  protected ksmGetPage(node: StableNode): Pfn {
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
      item.mm.ksmMergingPages--;
      node.rmapHlistLen--;
      item.flags &= ~STABLE_FLAG;
      item.head = null;
      const next: RmapItem | null = item.next;
      item.next = item.prev = null;
      item = next;
    }
    node.hlist = null;
    this.stableNodeDupDel(node);
    if (this.tracing)
      this.k.emit({ type: "stable-prune", fn: "remove_node_from_stable_tree", node: node.id, item: null });
  }

  /** stable_node_dup_del(): a dup leaves its chain, any other node the tree. */
  private stableNodeDupDel(dup: StableNode): void {
    const chain = dup.chain;
    if (chain) {
      chain.dups.splice(chain.dups.indexOf(dup), 1);
      dup.chain = null;
      this.stableNodeDups--;
    } else rbErase(dup, this.rootStableTree);
  }

  /** stable_node_chain_add_dup(): the newest dup goes first. */
  private stableNodeChainAddDup(dup: StableNode, chain: StableNode): void {
    dup.chain = chain;
    chain.dups.unshift(dup);
    this.stableNodeDups++;
  }

  /** alloc_stable_node_chain(): a chain takes dup's place in the tree, with dup as its first dup. */
  private allocStableNodeChain(dup: StableNode): StableNode {
    const chain = new StableNode(this.nextNodeId++, -1);
    chain.rmapHlistLen = STABLE_NODE_CHAIN;
    chain.chainPruneTime = this.jiffies;
    chain.dups = [];
    this.stableNodeChains++;
    rbReplaceNode(dup, chain, this.rootStableTree);
    this.stableNodeChainAddDup(dup, chain);
    return chain;
  }

  private freeStableNodeChain(chain: StableNode): void {
    rbErase(chain, this.rootStableTree);
    this.stableNodeChains--;
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
      rmapItem.mm.ksmMergingPages--;
      node.rmapHlistLen--;
      rmapItem.head = null;
      rmapItem.flags &= ~STABLE_FLAG;
      if (this.tracing)
        this.k.emit({
          type: "stable-remove",
          fn: "remove_rmap_item_from_tree",
          item: rmapItem.id,
          node: node.id,
          wasNode: false,
          promoted: null,
        });
    } else if (rmapItem.flags & UNSTABLE_FLAG) {
      this.removeFromUnstableTree(rmapItem);
    }
  }

  /* ---------------- remove_all_stable_nodes() ---------------- */

  /** remove_stable_node(): drop a node whose KSM page nobody maps; false (EBUSY) if it is mapped. */
  private removeStableNode(node: StableNode): boolean {
    const page = this.ksmGetPage(node);
    if (page < 0) return true; // ksm_get_folio() removed the stale node itself
    const unmapped = this.mem.mapcount[page] === 0;
    if (unmapped) {
      this.mem.stableNode[page] = null;
      this.removeNodeFromStableTree(node);
    }
    this.mem.putPage(page);
    return unmapped;
  }

  /** remove_stable_node_chain(): false if some KSM page of it is still mapped. */
  private removeStableNodeChain(node: StableNode): boolean {
    if (!isStableNodeChain(node)) return this.removeStableNode(node);
    for (const dup of [...node.dups]) if (!this.removeStableNode(dup)) return false;
    this.freeStableNodeChain(node);
    return true;
  }

  /**
   * remove_all_stable_nodes(): empty the stable tree from its root down, and
   * stop (EBUSY) at the first KSM page still mapped. After run = 2, and before
   * max_page_sharing or merge_across_nodes may change.
   */
  removeAllStableNodes(): 0 | "EBUSY" {
    while (this.rootStableTree.rbNode)
      if (!this.removeStableNodeChain(this.rootStableTree.rbNode as StableNode)) return "EBUSY";
    return 0;
  }

  /* ---------------- chains ---------------- */

  /** __is_page_sharing_candidate(): still mapped, and room for offset + 1 more mappings. */
  protected isPageSharingCandidate(node: StableNode, offset = 0): boolean {
    return node.rmapHlistLen !== 0 && node.rmapHlistLen + offset < this.knobs618.maxPageSharing;
  }

  /**
   * stable_node_dup(): the best dup of a chain to merge with — one with room,
   * the most shared first — with a reference on its page. With prune (at most
   * every stable_node_chains_prune_millisecs) it looks at every dup, removing
   * the stale ones; without, it stops at the first with room. A chain left
   * with one dup collapses into that dup (outNode), one with none is freed.
   */
  private stableNodeDup(chain: StableNode, prune: boolean): Pfn {
    if (!prune || this.jiffies < chain.chainPruneTime + this.knobs618.stableNodeChainsPruneMillisecs)
      prune = false;
    else chain.chainPruneTime = this.jiffies;

    let found: StableNode | null = null;
    let foundLen = 0;
    let treePage = -1;
    for (const dup of chain.dups.length > 1 ? [...chain.dups] : chain.dups) {
      const page = this.ksmGetPage(dup);
      if (page < 0) continue;
      if (
        !found ||
        (this.isPageSharingCandidate(dup) &&
          (!this.isPageSharingCandidate(found) || dup.rmapHlistLen > foundLen))
      ) {
        if (found) this.mem.putPage(treePage);
        found = dup;
        foundLen = dup.rmapHlistLen;
        treePage = page;
        if (!prune && this.isPageSharingCandidate(found)) break;
        continue;
      }
      this.mem.putPage(page);
    }

    this.outNode = chain;
    if (found) {
      if (chain.dups.length === 1) {
        // Just one dup left: drop the chain, the dup takes its place in the tree.
        rbReplaceNode(chain, found, this.rootStableTree);
        chain.dups = [];
        found.chain = null;
        this.stableNodeChains--;
        this.stableNodeDups--;
        this.outNode = found;
      } else if (chain.dups[0] !== found && this.isPageSharingCandidate(found, 1)) {
        // It can take one more merge after this one: put it first, for the next search.
        chain.dups.splice(chain.dups.indexOf(found), 1);
        chain.dups.unshift(found);
      }
    } else this.freeStableNodeChain(chain);
    this.outDup = found;
    return treePage;
  }

  /**
   * __stable_node_chain(): the page to compare with at this tree node, with a
   * reference; -1 if the node (or the whole chain) was stale and removed.
   * Sets outDup (the node whose page it is) and outNode (the tree node now
   * here: a collapsed chain's dup).
   */
  private stableNodeChain(node: StableNode, prune: boolean): Pfn {
    if (!isStableNodeChain(node)) {
      this.outDup = node;
      this.outNode = node;
      return this.ksmGetPage(node);
    }
    return this.stableNodeDup(node, prune);
  }

  /* ---------------- search, insert, append ---------------- */

  /**
   * stable_tree_search(): a KSM page with page's contents and room for one
   * more mapping, with a reference, or -1. A page that already is a KSM page
   * (forked) is its own answer, whatever its sharing. A stale node met on the
   * way is removed, and may rebalance the tree under us: so restart from the
   * root. Equal contents with every dup full give -1: the page must pair up
   * in the unstable tree to make a new dup.
   */
  protected stableTreeSearch(page: Pfn, rmapItem: RmapItem): Pfn {
    if (this.pageStableNode(page)) {
      this.mem.getPage(page); // ksm page forked
      this.traceSearch(rmapItem, page, [], page);
      return page;
    }
    const path: Compare[] | null = this.tracing ? [] : null;
    let pick: DupPick | undefined;
    again: for (;;) {
      let node = this.rootStableTree.rbNode as StableNode | null;
      while (node) {
        const treePage = this.stableNodeChain(node, true);
        if (treePage < 0) continue again;
        node = this.outNode!;
        const dup = this.outDup!;
        const ret = this.mem.memcmpPages(page, treePage);
        path?.push({ node: node.id, pfn: treePage, result: sign(ret) });
        this.mem.putPage(treePage);
        if (ret < 0) node = node.rbLeft as StableNode | null;
        else if (ret > 0) node = node.rbRight as StableNode | null;
        else {
          if (path) pick = this.dupPick(node, dup);
          if (!this.isPageSharingCandidate(dup)) break again;
          const kpage = this.ksmGetPage(dup);
          if (kpage < 0) continue again; // the tree may have been rebalanced
          this.traceSearch(rmapItem, page, path, kpage, pick);
          return kpage;
        }
      }
      break;
    }
    this.traceSearch(rmapItem, page, path, -1, pick);
    return -1;
  }

  private traceSearch(
    rmapItem: RmapItem,
    page: Pfn,
    path: Compare[] | null,
    found: Pfn,
    pick?: DupPick,
  ): void {
    if (!path) return;
    this.k.emit({
      type: "stable-search",
      fn: "stable_tree_search",
      item: rmapItem.id,
      pfn: page,
      path,
      found: found >= 0 ? (this.pageStableNode(found)?.id ?? null) : null,
      ...(pick && { pick }),
    });
  }

  /** For the trace: the dup an equal tree node offers, and whether it has room. */
  private dupPick(node: StableNode, dup: StableNode): DupPick {
    return {
      node: node.id,
      dups: node.dups.length,
      dup: dup.id,
      pfn: dup.kpfn,
      sharers: dup.rmapHlistLen,
      maxPageSharing: this.knobs618.maxPageSharing,
      candidate: this.isPageSharingCandidate(dup),
    };
  }

  /**
   * stable_tree_insert(): a new node for KSM page kpage. If the tree already
   * has a node with equal contents (all its dups were full when we searched),
   * the new node becomes a dup of that node's chain, the chain made first if
   * need be.
   */
  protected stableTreeInsert(kpage: Pfn): StableNode {
    const root = this.rootStableTree;
    const path: Compare[] | null = this.tracing ? [] : null;
    let parent: StableNode | null = null;
    let goLeft = false;
    let node: StableNode | null = null;
    let needChain = false;
    again: for (;;) {
      parent = null;
      node = root.rbNode as StableNode | null;
      while (node) {
        const treePage = this.stableNodeChain(node, false);
        if (treePage < 0) continue again;
        node = this.outNode!;
        const ret = this.mem.memcmpPages(kpage, treePage);
        path?.push({ node: node.id, pfn: treePage, result: sign(ret) });
        this.mem.putPage(treePage);
        parent = node;
        if (ret === 0) {
          needChain = true;
          break;
        }
        goLeft = ret < 0;
        node = (goLeft ? node.rbLeft : node.rbRight) as StableNode | null;
      }
      break;
    }
    const dup = new StableNode(this.nextNodeId++, kpage);
    if (!needChain) {
      rbLinkNode(dup, parent, goLeft, root);
      rbInsertColor(dup, root);
    } else {
      const from = isStableNodeChain(node!) ? null : node!.id;
      const chain = from === null ? node! : this.allocStableNodeChain(node!);
      this.stableNodeChainAddDup(dup, chain);
      if (path)
        this.k.emit({
          type: "stable-chain",
          fn: "stable_tree_insert",
          chain: chain.id,
          dup: dup.id,
          kpfn: kpage,
          dups: chain.dups.length,
          from,
        });
    }
    this.mem.stableNode[kpage] = dup;
    if (path)
      this.k.emit({
        type: "stable-insert",
        fn: "stable_tree_insert",
        node: dup.id,
        kpfn: kpage,
        ok: true,
        path,
      });
    return dup;
  }

  /** stable_tree_append(): the newest item goes first; a node's first item counts in pages_shared. */
  protected stableTreeAppend(rmapItem: RmapItem, stableNode: StableNode): void {
    stableNode.rmapHlistLen++;
    rmapItem.head = stableNode;
    rmapItem.flags |= STABLE_FLAG;
    rmapItem.next = stableNode.hlist;
    rmapItem.prev = null;
    if (stableNode.hlist) stableNode.hlist.prev = rmapItem;
    stableNode.hlist = rmapItem;
    if (rmapItem.next) this.pagesSharing++;
    else this.pagesShared++;
    rmapItem.mm.ksmMergingPages++;
    if (this.tracing)
      this.k.emit({
        type: "stable-append",
        fn: "stable_tree_append",
        node: stableNode.id,
        item: rmapItem.id,
      });
  }
}
