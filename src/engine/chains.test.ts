import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "./kernel";
import type { Ksm618 } from "./ksm/ksm-618";
import { isStableNodeChain, type StableNode } from "./ksm/rmap";
import { ksmdBatch } from "./ksmd";
import { ContentIds, takeSnapshot } from "./snapshot";
import { sysfsRead, sysfsWrite } from "./sysfs";
import { ctr, expectSane, fillPages, loadEngine, mergeableProc, newKernel, pfnAt, scans } from "./testing";

beforeAll(loadEngine);

/** A 6.18 machine with max_page_sharing `max` and chain pruning at every search unless told. */
function machine(max: number, pruneMs = 0): Kernel {
  const k = newKernel("linux-6.18");
  expect(sysfsWrite(k, "max_page_sharing", String(max))).toBe(0);
  expect(sysfsWrite(k, "stable_node_chains_prune_millisecs", String(pruneMs))).toBe(0);
  return k;
}

const ksm618 = (k: Kernel) => k.ksm as Ksm618;
const root = (k: Kernel) => ksm618(k).rootStableTree.rbNode as StableNode | null;
const chainCounters = (k: Kernel) => [ksm618(k).stableNodeChains, ksm618(k).stableNodeDups];

describe("linux-6.18 stable node chains (max_page_sharing)", () => {
  it("ten equal pages with max_page_sharing 3: a chain of three dups of three, one page left over", () => {
    const k = machine(3);
    const a = mergeableProc(k, "A", Array(10).fill(0x5a));
    scans(k, 2);
    expect(ctr(k)).toEqual([3, 6, 1, 0, 2]);
    expect(chainCounters(k)).toEqual([1, 3]);
    const chain = root(k)!;
    expect(isStableNodeChain(chain)).toBe(true);
    expect(chain.dups.map((d) => d.rmapHlistLen)).toEqual([3, 3, 3]);
    // three KSM frames of equal contents
    const frames = new Set(Array.from({ length: 10 }, (_, i) => pfnAt(k, a, i)));
    expect(frames.size).toBe(4);
    // the snapshot shows the chain with its dups, newest first
    const s = takeSnapshot(k, new ContentIds());
    expect(s.stableTree.nodes).toHaveLength(1);
    expect(s.stableTree.nodes[0].dups?.map((d) => d.itemCount)).toEqual([3, 3, 3]);
    expect(s.stableTree.nodes[0].dups?.map((d) => d.id)).toEqual(chain.dups.map((d) => d.id));
    expectSane(k);
  });

  it("a full dup is not offered: the search finds the contents but pairs the page up anew", () => {
    const k = machine(2);
    mergeableProc(k, "A", [7, 7, 7]);
    scans(k, 2);
    expect(ctr(k)).toEqual([1, 1, 1, 0, 2]); // one KSM page full at 2; the third waits unstable
    expect(chainCounters(k)).toEqual([0, 0]);
    mergeableProc(k, "B", [7]);
    scans(k, 2); // B's page pairs with A's third in the unstable tree: a new KSM page, a dup
    expect(ctr(k)).toEqual([2, 2, 0, 0, 4]);
    expect(chainCounters(k)).toEqual([1, 2]);
    expectSane(k);
  });

  it("a dup whose KSM page went is pruned, and a chain left with one dup collapses into it", () => {
    const k = machine(2);
    const a = mergeableProc(k, "A", [7, 7, 7, 7, 1]);
    expect(sysfsWrite(k, "smart_scan", "0")).toBe(0);
    scans(k, 2);
    expect(chainCounters(k)).toEqual([1, 2]);
    const [newest, oldest] = root(k)!.dups;
    // Rewrite both pages of one dup: its KSM page is freed.
    const pages = [0, 1, 2, 3].filter((i) => pfnAt(k, a, i) === newest.kpfn);
    expect(pages).toHaveLength(2);
    for (const i of pages) fillPages(k, a, [9], i);
    scans(k, 1);
    expect(chainCounters(k)).toEqual([0, 0]);
    expect(root(k)).toBe(oldest); // the last dup took the chain's place in the tree
    expect(isStableNodeChain(oldest)).toBe(false);
    expect(ctr(k).slice(0, 2)).toEqual([1, 1]);
    expectSane(k);
  });

  it("fork bypasses the limit: a child's items join its parent's full KSM page", () => {
    const k = machine(2);
    const a = mergeableProc(k, "A", [7, 7]);
    scans(k, 2);
    expect(k.fork(a.pid, "B")).not.toBeTypeOf("string");
    scans(k, 1);
    const node = root(k)!;
    expect(isStableNodeChain(node)).toBe(false);
    expect(node.rmapHlistLen).toBe(4); // over max_page_sharing 2: stable_tree_search's "ksm page forked"
    expect(ctr(k).slice(0, 2)).toEqual([1, 3]);
    expect(chainCounters(k)).toEqual([0, 0]);
    expectSane(k);
  });

  it("prunes a chain's stale dups at most every stable_node_chains_prune_millisecs of the simulated clock", () => {
    const k = machine(2, 2000);
    expect(sysfsWrite(k, "smart_scan", "0")).toBe(0);
    expect(sysfsWrite(k, "sleep_millisecs", "100")).toBe(0);
    mergeableProc(k, "A", [7, 7, 7, 7, 1]); // page 4 is searched for at every scan
    scans(k, 2);
    const chain = root(k)!;
    expect(isStableNodeChain(chain)).toBe(true);
    const born = chain.chainPruneTime;
    const batch = () => expect(ksmdBatch(k)).toBeGreaterThan(0); // 5 pages, then 100 ms of sleep
    while (k.ksm.clockUs / 1000 < born + 1900) batch();
    expect(chain.chainPruneTime).toBe(born);
    while (k.ksm.clockUs / 1000 < born + 2100) batch();
    batch();
    expect(chain.chainPruneTime).toBeGreaterThanOrEqual(born + 2000);
    expect(sysfsRead(k, "stable_node_chains_prune_millisecs")).toBe("2000\n");
    expectSane(k);
  });

  it("max_page_sharing below 2 is EINVAL; changing it while pages are shared is EBUSY", () => {
    const k = machine(3);
    expect(sysfsWrite(k, "max_page_sharing", "1")).toBe("EINVAL");
    mergeableProc(k, "A", [7, 7]);
    scans(k, 2);
    expect(sysfsWrite(k, "max_page_sharing", "4")).toBe("EBUSY");
    expect(sysfsWrite(k, "run", "2")).toBe(0);
    expect(sysfsWrite(k, "max_page_sharing", "4")).toBe(0);
  });
});
