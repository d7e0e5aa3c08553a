import type { Kernel } from "./kernel";
import { Ksm618 } from "./ksm/ksm-618";
import { Ksm2632 } from "./ksm/ksm-2632";
import {
  isStableNodeChain,
  NODE_FLAG,
  type RmapItem,
  SEQNR_MASK,
  STABLE_FLAG,
  type StableNode,
  UNSTABLE_FLAG,
} from "./ksm/rmap";
import { FRAME_FREE, FRAME_KSM, ZERO_PFN } from "./memory";
import { followPage, ptePfn, pteWrite, vmaAt } from "./mm";
import { type RbNode, type RbRoot, rbFirst, rbNext, rbValidate } from "./rbtree";

function treeNodes(root: RbRoot): RbNode[] {
  const out: RbNode[] = [];
  for (let n = rbFirst(root); n; n = rbNext(n)) out.push(n);
  return out;
}

/**
 * Everything that must hold between steps, as a list of violations (empty
 * when all is well): frame accounting, mapcounts, no writable KSM page, the
 * counters equal to what the trees and rmap lists hold, valid red-black trees.
 */
export function checkInvariants(k: Kernel): string[] {
  const bad: string[] = [];
  const mem = k.mem;
  const n = mem.nrFrames;

  // Frames: free + in use = N; each frame's mapcount is the number of PTEs mapping it.
  const ptes = new Int32Array(n);
  for (const task of k.tasks.values()) {
    for (const vma of task.mm.vmas) {
      for (let i = 0; i < vma.pte.length; i++) {
        const pte = vma.pte[i];
        if (pte === 0) continue;
        const pfn = ptePfn(pte);
        ptes[pfn]++;
        if (pteWrite(pte) && (mem.state[pfn] === FRAME_KSM || pfn === ZERO_PFN))
          bad.push(`pid ${task.pid} maps ${pfn === ZERO_PFN ? "the zero page" : `KSM page ${pfn}`} writable`);
        if (mem.state[pfn] === FRAME_FREE) bad.push(`pid ${task.pid} maps free frame ${pfn}`);
      }
    }
  }
  let free = 0;
  for (let pfn = 0; pfn < n; pfn++) {
    if (mem.state[pfn] === FRAME_FREE) {
      free++;
      if (mem.refcount[pfn] !== 0) bad.push(`free frame ${pfn} has refcount ${mem.refcount[pfn]}`);
      continue;
    }
    if (mem.mapcount[pfn] !== ptes[pfn])
      bad.push(`frame ${pfn}: mapcount ${mem.mapcount[pfn]}, mapped by ${ptes[pfn]} PTEs`);
    if (pfn !== ZERO_PFN && mem.refcount[pfn] !== mem.mapcount[pfn])
      bad.push(
        `frame ${pfn}: refcount ${mem.refcount[pfn]} but mapcount ${mem.mapcount[pfn]} (leaked reference)`,
      );
  }
  if (free !== mem.freeFrames) bad.push(`${free} frames free but the allocator has ${mem.freeFrames}`);

  // rmap_items: every slot's list sorted; the counters are what the lists and trees hold.
  const ksm = k.ksm;
  const items = new Set<RmapItem>();
  for (const slot of ksm.slots()) {
    if (ksm.mmSlotsHash.get(slot.mm!) !== slot) bad.push(`slot of pid ${slot.mm!.owner} is not hashed`);
    let last = -1;
    for (let it = slot.rmapList; it; it = it.rmapList) {
      if (it.address <= last) bad.push(`rmap_list of pid ${slot.mm!.owner} out of order at ${it.address}`);
      last = it.address;
      items.add(it);
    }
  }
  if (items.size !== ksm.rmapItems) bad.push(`rmap_items ${ksm.rmapItems}, lists hold ${items.size}`);

  let unstable = 0;
  let stable = 0;
  for (const it of items) {
    if (it.flags & UNSTABLE_FLAG) unstable++;
    if (it.flags & STABLE_FLAG) stable++;
  }
  if (unstable !== ksm.pagesUnshared)
    bad.push(`pages_unshared ${ksm.pagesUnshared}, unstable items ${unstable}`);
  if (stable !== ksm.pagesShared + ksm.pagesSharing)
    bad.push(`pages_shared ${ksm.pagesShared} + pages_sharing ${ksm.pagesSharing} != ${stable} stable items`);

  const why = rbValidate(ksm.rootUnstableTree);
  if (why) bad.push(`unstable tree: ${why}`);
  // During a scan the unstable tree holds exactly the items this scan inserted. Between
  // scans it still holds the last scan's, and perhaps some the kernel took out without
  // rb_erase (they were "old"): nobody walks it before the next scan empties it.
  const betweenScans = ksm.ksmScan.mmSlot === ksm.ksmMmHead;
  const seqnr = (ksm.ksmScan.seqnr - (betweenScans ? 1 : 0)) & SEQNR_MASK;
  const inUnstable = new Set(treeNodes(ksm.rootUnstableTree) as RmapItem[]);
  for (const it of inUnstable) {
    const live = items.has(it) && it.flags & UNSTABLE_FLAG && it.seqnr === seqnr;
    if (!live && !betweenScans) bad.push(`unstable tree holds rmap_item ${it.id}, which is not of this scan`);
  }
  for (const it of items)
    if (it.flags & UNSTABLE_FLAG && it.seqnr === seqnr && !inUnstable.has(it))
      bad.push(`rmap_item ${it.id} was inserted by the last scan but is not in the unstable tree`);

  if (ksm instanceof Ksm2632) checkStable2632(ksm, items, bad);
  if (ksm instanceof Ksm618) checkStable618(ksm, items, bad);
  checkPerMm(k, bad);
  return bad;
}

function checkStable2632(ksm: Ksm2632, items: Set<RmapItem>, bad: string[]): void {
  const why = rbValidate(ksm.rootStableTree);
  if (why) bad.push(`stable tree: ${why}`);
  const nodes = treeNodes(ksm.rootStableTree) as RmapItem[];
  if (nodes.length !== ksm.pagesShared)
    bad.push(`pages_shared ${ksm.pagesShared}, stable tree has ${nodes.length} nodes`);
  let chained = 0;
  for (const node of nodes) {
    if (!items.has(node)) bad.push(`stable tree holds freed rmap_item ${node.id}`);
    if ((node.flags & (NODE_FLAG | STABLE_FLAG)) !== (NODE_FLAG | STABLE_FLAG))
      bad.push(`stable node ${node.id} lacks its flags`);
    for (let it = node.next, prev = node; it; prev = it, it = it.next) {
      chained++;
      if (it.prev !== prev) bad.push(`stable chain of ${node.id}: bad prev at ${it.id}`);
      if (!items.has(it)) bad.push(`stable chain of ${node.id} holds freed rmap_item ${it.id}`);
    }
  }
  if (chained !== ksm.pagesSharing) bad.push(`pages_sharing ${ksm.pagesSharing}, chains hold ${chained}`);
}

function checkStable618(ksm: Ksm618, items: Set<RmapItem>, bad: string[]): void {
  const why = rbValidate(ksm.rootStableTree);
  if (why) bad.push(`stable tree: ${why}`);
  let shared = 0;
  let sharing = 0;
  let chains = 0;
  let dups = 0;
  const checkNode = (node: StableNode) => {
    let len = 0;
    for (let it = node.hlist; it; it = it.next) {
      len++;
      if (it.head !== node) bad.push(`rmap_item ${it.id} listed under node ${node.id} but points elsewhere`);
      if (!items.has(it)) bad.push(`stable node ${node.id} lists freed rmap_item ${it.id}`);
    }
    if (len !== node.rmapHlistLen)
      bad.push(`stable node ${node.id}: rmap_hlist_len ${node.rmapHlistLen}, lists ${len}`);
    if (len > 0) {
      shared++;
      sharing += len - 1;
    }
  };
  for (const node of treeNodes(ksm.rootStableTree) as StableNode[]) {
    if (node.chain) bad.push(`stable node ${node.id} is in the tree and a dup of ${node.chain.id}`);
    if (!isStableNodeChain(node)) {
      if (node.dups.length) bad.push(`stable node ${node.id} has dups but is no chain`);
      checkNode(node);
      continue;
    }
    chains++;
    if (node.hlist) bad.push(`chain ${node.id} lists rmap_items`);
    for (const dup of node.dups) {
      dups++;
      if (dup.chain !== node) bad.push(`dup ${dup.id} of chain ${node.id} points elsewhere`);
      if (isStableNodeChain(dup)) bad.push(`chain ${dup.id} is a dup of chain ${node.id}`);
      checkNode(dup);
    }
  }
  if (shared !== ksm.pagesShared) bad.push(`pages_shared ${ksm.pagesShared}, nodes with items ${shared}`);
  if (sharing !== ksm.pagesSharing) bad.push(`pages_sharing ${ksm.pagesSharing}, further items ${sharing}`);
  if (chains !== ksm.stableNodeChains)
    bad.push(`stable_node_chains ${ksm.stableNodeChains}, tree has ${chains}`);
  if (dups !== ksm.stableNodeDups) bad.push(`stable_node_dups ${ksm.stableNodeDups}, chains hold ${dups}`);
}

/**
 * Per process: ksm_rmap_items and ksm_merging_pages are what its slot's list
 * holds; every address KSM gave the zero page maps it; ksm_zero_pages is
 * their number, in all and per process.
 */
function checkPerMm(k: Kernel, bad: string[]): void {
  const ksm = k.ksm;
  let zero = 0;
  for (const task of k.tasks.values()) {
    const mm = task.mm;
    zero += mm.ksmZeroPtes.size;
    for (const addr of mm.ksmZeroPtes) {
      const vma = vmaAt(mm, addr);
      if (!vma || followPage(vma, addr) !== ZERO_PFN)
        bad.push(`pid ${task.pid}: KSM zero page at ${addr} is not mapped`);
    }
    const slot = ksm.mmSlotsHash.get(mm);
    let rmapItems = 0;
    let merging = 0;
    for (let it = slot?.rmapList ?? null; it; it = it.rmapList) {
      rmapItems++;
      if (it.flags & STABLE_FLAG) merging++;
    }
    if (rmapItems !== mm.ksmRmapItems)
      bad.push(`pid ${task.pid}: ksm_rmap_items ${mm.ksmRmapItems}, list ${rmapItems}`);
    if (ksm instanceof Ksm618 && merging !== mm.ksmMergingPages)
      bad.push(`pid ${task.pid}: ksm_merging_pages ${mm.ksmMergingPages}, stable items ${merging}`);
  }
  if (zero !== ksm.ksmZeroPages) bad.push(`ksm_zero_pages ${ksm.ksmZeroPages}, processes map ${zero}`);
}
