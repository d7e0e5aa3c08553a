import type { MmStruct } from "../mm";
import { RbNode } from "../rbtree";
import type { Pfn, VirtAddr } from "../types";

/* rmap_item->address low bits, kept apart here for clarity. */
export const UNSTABLE_FLAG = 0x100; // a node of the unstable tree (2.6.32 spelt it NODE_FLAG without STABLE_FLAG)
export const STABLE_FLAG = 0x200; // in the stable tree: as a node or hanging off one
export const NODE_FLAG = 0x400; // 2.6.32: this item is itself the stable tree's node for its KSM page
export const SEQNR_MASK = 0xff; // low bits of the scan that inserted an unstable node

/**
 * rmap_item: reverse mapping of one scanned virtual page. It is a tree node
 * (RbNode) when it sits in the unstable tree, and in 2.6.32 also when it is
 * the node of a KSM page in the stable tree.
 */
export class RmapItem extends RbNode {
  /** Next item of the same mm_slot, in ascending address order (rmap_list). */
  rmapList: RmapItem | null = null;
  oldchecksum = 0;
  flags = 0;
  /** ksm_scan.seqnr & SEQNR_MASK when inserted into the unstable tree. */
  seqnr = 0;
  /*
   * When stable, the neighbours among the items sharing one KSM page: in
   * 2.6.32 the chain behind the node item, in 6.18 the stable node's hlist.
   */
  next: RmapItem | null = null;
  prev: RmapItem | null = null;
  /** 6.18: the stable node this item hangs off. */
  head: StableNode | null = null;
  /** 6.18 smart scan: visits that found the page not a KSM page (saturates at 255). */
  age = 0;
  /** 6.18 smart scan: scans still to skip this page. */
  remainingSkips = 0;

  constructor(
    readonly id: number,
    readonly mm: MmStruct,
    readonly address: VirtAddr,
  ) {
    super();
  }
}

/** rmap_hlist_len of a stable node chain. */
export const STABLE_NODE_CHAIN = -1024;

/** The dups of every node that is no chain: shared and frozen, so a node costs no array of its own. */
const NO_DUPS = Object.freeze([]) as unknown as StableNode[];

/**
 * 6.18's ksm_stable_node. Usually a KSM page in the stable tree, with the
 * items mapping it (newest first). Once a page reaches max_page_sharing
 * mappings and an equal page must become a second KSM page, the tree node is
 * a *chain* (rmapHlistLen STABLE_NODE_CHAIN, kpfn unused) whose `dups` are
 * such nodes, each with its own KSM page and items; a dup is not in the tree.
 */
export class StableNode extends RbNode {
  hlist: RmapItem | null = null;
  rmapHlistLen = 0;
  /** A chain's dups, newest first (its hlist of stable_node->hlist_dup). */
  dups: StableNode[] = NO_DUPS;
  /** A dup's chain (the kernel marks a dup with head == STABLE_NODE_DUP_HEAD). */
  chain: StableNode | null = null;
  /** A chain's last pruning of stale dups, in ms on the simulated clock. */
  chainPruneTime = 0;
  constructor(
    readonly id: number,
    public kpfn: Pfn,
  ) {
    super();
  }
}

export function isStableNodeChain(node: StableNode): boolean {
  return node.rmapHlistLen === STABLE_NODE_CHAIN;
}

/** mm_slot: one registered mm, on the circular list headed by ksm_mm_head. */
export class MmSlot {
  prev: MmSlot = this;
  next: MmSlot = this;
  /** Head of this mm's rmap_items, sorted by address. */
  rmapList: RmapItem | null = null;
  constructor(readonly mm: MmStruct | null) {}
}

/** list_add_tail(): insert slot just before `before`. */
export function listAddTail(slot: MmSlot, before: MmSlot): void {
  slot.prev = before.prev;
  slot.next = before;
  before.prev.next = slot;
  before.prev = slot;
}

export function listDel(slot: MmSlot): void {
  slot.prev.next = slot.next;
  slot.next.prev = slot.prev;
  slot.prev = slot;
  slot.next = slot;
}

/** list_move(): move slot to just after `after`. */
export function listMove(slot: MmSlot, after: MmSlot): void {
  listDel(slot);
  listAddTail(slot, after.next);
}

/** ksm_scan: the cursor. */
export class KsmScan {
  /** Where the next page comes from; ksm_mm_head between full scans. */
  mmSlot: MmSlot;
  address: VirtAddr = 0;
  /** The last rmap_item handed out in mmSlot, or null for the list's head. */
  rmapItem: RmapItem | null = null;
  /** Completed full scans: shown as full_scans. */
  seqnr = 0;
  constructor(head: MmSlot) {
    this.mmSlot = head;
  }
}
