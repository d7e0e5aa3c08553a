import type { Kernel, LastWrite } from "./kernel";
import { inStableTree } from "./ksm/ksm";
import { Ksm618, type KsmStat, ksmStat } from "./ksm/ksm-618";
import { Ksm2632 } from "./ksm/ksm-2632";
import type { Knobs, Knobs618, ProfileName } from "./ksm/profile";
import {
  isStableNodeChain,
  NODE_FLAG,
  type RmapItem,
  SEQNR_MASK,
  type StableNode,
  UNSTABLE_FLAG,
} from "./ksm/rmap";
import { ksmTestExit, MMF_VM_MERGEABLE, ptePfn, pteWrite, VM_MERGEABLE } from "./mm";
import { RB_RED, type RbNode } from "./rbtree";
import {
  frameMappers,
  highestUsedFrame,
  peekNextScan,
  processAreas,
  type SnapshotIndex,
} from "./snapshotIndex";
import { sysfsFiles, sysfsRead, sysfsWritable } from "./sysfs";
import type { Pfn, Pid, VirtAddr } from "./types";

/*
 * A plain-data picture of the whole machine for the views: no engine objects,
 * only numbers, strings and typed arrays (which a worker can transfer).
 */

export interface VmaView {
  start: VirtAddr;
  end: VirtAddr;
  mergeable: boolean;
  /** One PTE per page: 0 = not present, else ((pfn + 1) << 1) | writable. */
  pte: Int32Array;
}

export interface ProcessView {
  pid: Pid;
  name: string;
  totalVm: number;
  registered: boolean;
  vmas: VmaView[];
  regions: { start: VirtAddr; name: string }[];
  /** 6.18: /proc/<pid>/ksm_stat (null on 2.6.32, which has none). */
  ksmStat?: KsmStat | null;
  /** Addresses where KSM mapped the zero page (use_zero_pages), ascending. */
  ksmZeroPages?: VirtAddr[];
}

export interface RmapItemView {
  id: number;
  pid: Pid;
  addr: VirtAddr;
  where: "none" | "unstable" | "stable-node" | "stable";
  oldchecksum: number;
  /** 6.18 smart scan: the item's age and the scans it still skips. */
  age?: number;
  remainingSkips?: number;
}

export interface SlotView {
  pid: Pid;
  exiting: boolean;
  /** Every rmap_item in address order; empty when there were too many to send (see itemsOmitted). */
  items: RmapItemView[];
  itemCount: number;
}

/** How much of a big machine a snapshot carries: enough to draw, little enough to send every frame. */
export interface SnapshotLimits {
  /** Tree levels sent; deeper nodes are counted in their ancestor's `hidden`. */
  treeDepth: number;
  /** rmap_items sent in all; above this, slots carry counts only. */
  items: number;
  /**
   * false: both trees are left empty, without walking them (the worker sends them only every few
   * updates while ksmd runs flat out: they are most of an update's bytes).
   */
  trees?: boolean;
}

/**
 * Sharers listed per stable node; the rest are counted in itemCount. The trees view names at most
 * 12 (a node's tooltip), and every item is a separate object to clone each update: keep it small.
 */
export const MAX_NODE_ITEMS = 12;

export const DEFAULT_LIMITS: SnapshotLimits = { treeDepth: 10, items: 4096 };

export interface TreeNodeView {
  id: number;
  red: boolean;
  left: number | null;
  right: number | null;
  /** The page the node compares by: the KSM page, or the unstable item's current page (-1 if gone). */
  pfn: Pfn;
  /** Unstable: the item itself. Stable: the items sharing the KSM page, the counted one first (at most MAX_NODE_ITEMS). */
  items: { id: number; pid: Pid; addr: VirtAddr }[];
  /** How many items the node really has. */
  itemCount: number;
  /** Still linked but no longer valid: the kernel leaves such nodes until the tree is emptied or pruned. */
  stale: boolean;
  /** Descendants left out of this snapshot (below SnapshotLimits.treeDepth); their links read null. */
  hidden: number;
  /**
   * 6.18: a stable node chain (max_page_sharing reached) holds several KSM pages of equal
   * contents, its dups, newest first; the node's own pfn and items are then its first dup's.
   */
  dups?: DupView[];
}

/** One dup of a 6.18 stable node chain: a KSM page and the items mapping it. */
export interface DupView {
  id: number;
  pfn: Pfn;
  items: { id: number; pid: Pid; addr: VirtAddr }[];
  itemCount: number;
  stale: boolean;
}

export interface TreeView {
  root: number | null;
  nodes: TreeNodeView[];
}

export interface Snapshot {
  profile: ProfileName;
  counters: {
    pages_shared: number;
    pages_sharing: number;
    pages_unshared: number;
    pages_volatile: number;
    full_scans: number;
    rmap_items: number;
    pages_scanned: number;
    /* 6.18 only (0 on 2.6.32); takeSnapshot always sets them */
    pages_skipped?: number;
    ksm_zero_pages?: number;
    stable_node_chains?: number;
    stable_node_dups?: number;
    general_profit?: number;
  };
  knobs: Knobs;
  /** 6.18's further knobs (null on 2.6.32). */
  knobs618?: Knobs618 | null;
  /** The simulated clock (µs) that chain pruning and the advisor read. */
  clockUs?: number;
  /** The last one-byte write and its modelled time (writeCost.ts), or null before any. */
  lastWrite?: LastWrite | null;
  /** /sys/kernel/mm/ksm/ as `ls` lists it: each file, its text as `cat` prints it, and whether it takes writes. */
  sysfs: { file: string; text: string; writable: boolean }[];
  ksmdRunning: boolean;
  frames: {
    count: number;
    free: number;
    /** FRAME_FREE / FRAME_ANON / FRAME_KSM / FRAME_ZERO per frame. */
    state: Uint8Array;
    mapcount: Int32Array;
    /** xxhash of each frame's bytes: equal contents, equal ids (0 for free frames). */
    contentId: Uint32Array;
  };
  processes: ProcessView[];
  slots: SlotView[];
  itemsOmitted: boolean;
  cursor: { pid: Pid | null; address: VirtAddr; item: number | null; seqnr: number };
  stableTree: TreeView;
  unstableTree: TreeView;
  /** Lookups the views need, worked out once here (src/engine/snapshotIndex.ts). */
  index: SnapshotIndex;
}

/** Content ids per frame, recomputed only for frames written since the last call. */
export class ContentIds {
  private ids: Uint32Array = new Uint32Array(0);
  private seen: Uint32Array = new Uint32Array(0);

  update(k: Kernel): Uint32Array {
    const mem = k.mem;
    if (this.ids.length !== mem.nrFrames) {
      this.ids = new Uint32Array(mem.nrFrames);
      this.seen = new Uint32Array(mem.nrFrames).fill(0xffff_ffff);
    }
    for (let pfn = 0; pfn < mem.nrFrames; pfn++) {
      if (mem.state[pfn] === 0) {
        this.ids[pfn] = 0;
        continue;
      }
      if (this.seen[pfn] === mem.generation[pfn]) continue;
      this.seen[pfn] = mem.generation[pfn];
      this.ids[pfn] = mem.checksum(pfn);
    }
    return this.ids;
  }
}

function countNodes(n: RbNode | null): number {
  return n ? 1 + countNodes(n.rbLeft) + countNodes(n.rbRight) : 0;
}

function treeView<T extends RbNode>(
  root: RbNode | null,
  maxDepth: number,
  view: (n: T) => Omit<TreeNodeView, "red" | "left" | "right" | "hidden">,
): TreeView {
  const nodes: TreeNodeView[] = [];
  // Pre-order; returns the node's id, or null for an empty subtree.
  const visit = (n: RbNode | null, depth: number): number | null => {
    if (!n) return null;
    const v: TreeNodeView = {
      ...view(n as T),
      red: n.rbColor === RB_RED,
      left: null,
      right: null,
      hidden: 0,
    };
    nodes.push(v);
    if (depth + 1 < maxDepth) {
      v.left = visit(n.rbLeft, depth + 1);
      v.right = visit(n.rbRight, depth + 1);
    } else v.hidden = countNodes(n.rbLeft) + countNodes(n.rbRight);
    return v.id;
  };
  return { root: visit(root, 0), nodes };
}

function itemRef(it: RmapItem) {
  return { id: it.id, pid: it.mm.owner, addr: it.address };
}

/** The stable tree as views draw it: 2.6.32's rmap_item nodes, or 6.18's stable nodes and chains. */
function stableTreeView(k: Kernel, depth: number, currentPage: (it: RmapItem) => Pfn): TreeView {
  const ksm = k.ksm;
  const mem = k.mem;
  if (ksm instanceof Ksm2632) {
    return treeView<RmapItem>(ksm.rootStableTree.rbNode, depth, (node) => {
      const items = [];
      for (let it: RmapItem | null = node; it; it = it.next) items.push(itemRef(it));
      const pfn = currentPage(node);
      return {
        id: node.id,
        pfn,
        items: items.slice(0, MAX_NODE_ITEMS),
        itemCount: items.length,
        stale: pfn < 0 || !mem.isKsm(pfn),
      };
    });
  } else if (ksm instanceof Ksm618) {
    const dupView = (node: StableNode): DupView => {
      const items = [];
      for (let it = node.hlist; it; it = it.next) items.push(itemRef(it));
      items.reverse(); // oldest first: the one counted in pages_shared
      const gone = !mem.isKsm(node.kpfn) || mem.stableNode[node.kpfn] !== node;
      return {
        id: node.id,
        pfn: node.kpfn,
        items: items.slice(0, MAX_NODE_ITEMS),
        itemCount: items.length,
        stale: gone,
      };
    };
    return treeView<StableNode>(ksm.rootStableTree.rbNode, depth, (node) => {
      if (!isStableNodeChain(node)) return dupView(node);
      const dups = node.dups.map(dupView);
      const first = dups[0] ?? { pfn: -1, items: [], itemCount: 0, stale: true };
      return {
        id: node.id,
        pfn: first.pfn,
        items: first.items,
        itemCount: first.itemCount,
        stale: first.stale,
        dups,
      };
    });
  }
  return { root: null, nodes: [] };
}

/** The state to draw, within `limits`. */
export function takeSnapshot(
  k: Kernel,
  contentIds: ContentIds,
  limits: SnapshotLimits = DEFAULT_LIMITS,
): Snapshot {
  const ksm = k.ksm;
  const mem = k.mem;
  const withTrees = limits.trees !== false;
  // The items still on a slot's list, for the unstable tree's stale nodes (built only with the trees:
  // a Set of every rmap_item, 8 times a second, was most of what the worker allocated flat out).
  const live = new Set<RmapItem>();
  const itemsOmitted = ksm.rmapItems > limits.items;
  const slots: SlotView[] = ksm.slots().map((slot) => {
    const items: RmapItemView[] = [];
    let itemCount = 0;
    for (let it = slot.rmapList; it; it = it.rmapList) {
      if (withTrees) live.add(it);
      itemCount++;
      if (itemsOmitted) continue;
      const where = inStableTree(it)
        ? it.flags & NODE_FLAG
          ? "stable-node"
          : "stable"
        : it.flags & UNSTABLE_FLAG
          ? "unstable"
          : "none";
      items.push({
        id: it.id,
        pid: it.mm.owner,
        addr: it.address,
        where,
        oldchecksum: it.oldchecksum,
        age: it.age,
        remainingSkips: it.remainingSkips,
      });
    }
    return { pid: slot.mm!.owner, exiting: ksmTestExit(slot.mm!), items, itemCount };
  });

  const currentPage = (it: RmapItem): Pfn => {
    const pfn = k.pageAt(it.mm.owner, it.address);
    return pfn >= 0 && mem.isAnon(pfn) ? pfn : -1;
  };
  const seqnr = (ksm.ksmScan.seqnr - (ksm.ksmScan.mmSlot === ksm.ksmMmHead ? 1 : 0)) & SEQNR_MASK;
  const unstableTree = withTrees
    ? treeView<RmapItem>(ksm.rootUnstableTree.rbNode, limits.treeDepth, (it) => ({
        id: it.id,
        pfn: currentPage(it),
        items: [itemRef(it)],
        itemCount: 1,
        stale: !live.has(it) || !(it.flags & UNSTABLE_FLAG) || it.seqnr !== seqnr,
      }))
    : { root: null, nodes: [] };

  const stableTree = withTrees ? stableTreeView(k, limits.treeDepth, currentPage) : { root: null, nodes: [] };

  const cursorSlot = ksm.ksmScan.mmSlot;
  const processes: ProcessView[] = [...k.tasks.values()].map((t) => ({
    pid: t.pid,
    name: t.name,
    totalVm: t.mm.totalVm,
    registered: (t.mm.flags & MMF_VM_MERGEABLE) !== 0,
    vmas: t.mm.vmas.map((v) => ({
      start: v.vmStart,
      end: v.vmEnd,
      mergeable: (v.vmFlags & VM_MERGEABLE) !== 0,
      pte: v.pte.slice(),
    })),
    regions: [...t.mm.regionNames].map(([start, name]) => ({ start, name })),
    ksmStat: ksm instanceof Ksm618 ? ksmStat(t.mm) : null,
    ksmZeroPages: [...t.mm.ksmZeroPtes].sort((x, y) => x - y),
  }));
  return {
    profile: ksm.profile,
    counters: {
      pages_shared: ksm.pagesShared,
      pages_sharing: ksm.pagesSharing,
      pages_unshared: ksm.pagesUnshared,
      pages_volatile: ksm.pagesVolatile,
      full_scans: ksm.fullScans,
      rmap_items: ksm.rmapItems,
      pages_scanned: ksm.pagesScanned,
      pages_skipped: ksm.pagesSkipped,
      ksm_zero_pages: ksm.ksmZeroPages,
      stable_node_chains: ksm instanceof Ksm618 ? ksm.stableNodeChains : 0,
      stable_node_dups: ksm instanceof Ksm618 ? ksm.stableNodeDups : 0,
      general_profit: ksm instanceof Ksm618 ? ksm.generalProfit : 0,
    },
    knobs: { ...ksm.knobs },
    knobs618: ksm instanceof Ksm618 ? { ...ksm.knobs618 } : null,
    clockUs: ksm.clockUs,
    lastWrite: k.lastWrite ? { ...k.lastWrite } : null,
    sysfs: sysfsFiles(ksm.profile).map((file) => ({
      file,
      text: sysfsRead(k, file) as string,
      writable: sysfsWritable(ksm.profile, file),
    })),
    ksmdRunning: ksm.ksmdShouldRun(),
    frames: {
      count: mem.nrFrames,
      free: mem.freeFrames,
      state: mem.state.slice(),
      mapcount: mem.mapcount.slice(),
      contentId: contentIds.update(k).slice(),
    },
    processes,
    slots,
    itemsOmitted,
    cursor: {
      pid: cursorSlot.mm?.owner ?? null,
      address: ksm.ksmScan.address,
      item: ksm.ksmScan.rmapItem?.id ?? null,
      seqnr: ksm.ksmScan.seqnr,
    },
    stableTree,
    unstableTree,
    index: {
      nextScan: peekNextScan(k),
      mappers: frameMappers(mem.nrFrames, processes),
      areas: processAreas(processes),
      topFrame: highestUsedFrame(mem.state, mem.nrFrames),
    },
  };
}

/** The frame a PTE value maps (for views decoding VmaView.pte). */
export function pteFrame(pte: number): Pfn {
  return pte === 0 ? -1 : ptePfn(pte);
}

/** Whether a PTE value maps its frame writable (false when not present). */
export function pteWritable(pte: number): boolean {
  return pte !== 0 && pteWrite(pte);
}
