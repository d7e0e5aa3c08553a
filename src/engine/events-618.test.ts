import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "./kernel";
import type { Ksm618 } from "./ksm/ksm-618";
import type { StableNode } from "./ksm/rmap";
import { sysfsWrite } from "./sysfs";
import {
  ctr,
  fillPages,
  loadEngine,
  mergeableProc,
  newKernel,
  ofType,
  pageAddr,
  pfnAt,
  record,
  scans,
} from "./testing";
import { WRITE_COST_NS } from "./writeCost";

beforeAll(loadEngine);

/* The events 6.18's chains, smart scan and plain writes emit; they narrate, they change no counter. */

function machine(max: number): Kernel {
  const k = newKernel("linux-6.18");
  expect(sysfsWrite(k, "max_page_sharing", String(max))).toBe(0);
  expect(sysfsWrite(k, "stable_node_chains_prune_millisecs", "0")).toBe(0);
  return k;
}

const root = (k: Kernel) => (k.ksm as Ksm618).rootStableTree.rbNode as StableNode;

describe("6.18 chain events", () => {
  it("stable-chain: the node that became a chain, then each dup added", () => {
    const k = machine(3);
    const ev = record(k);
    mergeableProc(k, "A", Array(10).fill(0x5a));
    scans(k, 2);
    const chain = root(k);
    const [first, ...more] = ofType(ev, "stable-chain");
    // The first KSM page filled up at 3; the second made its node a chain, the third joined it.
    expect(first).toMatchObject({ chain: chain.id, dups: 2, from: chain.dups[2].id, dup: chain.dups[1].id });
    expect(more).toEqual([
      {
        type: "stable-chain",
        fn: "stable_tree_insert",
        chain: chain.id,
        dup: chain.dups[0].id,
        kpfn: chain.dups[0].kpfn,
        dups: 3,
        from: null,
      },
    ]);
  });

  it("stable-search names the dup it picked: one with room, the most shared", () => {
    const k = machine(4);
    const a = mergeableProc(k, "A", Array(10).fill(0x5a));
    scans(k, 2); // dups of 4, 4 and 2
    expect(
      root(k)
        .dups.map((d) => d.rmapHlistLen)
        .sort(),
    ).toEqual([2, 4, 4]);
    const full = root(k).dups.find((d) => d.kpfn === pfnAt(k, a, 0))!;
    expect(full.rmapHlistLen).toBe(4);
    fillPages(k, a, [0x99], 0); // A's page 0 leaves that dup: 3 sharers, room again
    mergeableProc(k, "B", [0x5a]);
    const ev = record(k);
    scans(k, 2);
    const [search] = ofType(ev, "stable-search").filter((e) => e.pick?.candidate);
    expect(search.pick).toEqual({
      node: root(k).id,
      dups: 3,
      dup: full.id,
      pfn: full.kpfn,
      sharers: 3, // chosen over the dup of 2: the most sharers below max_page_sharing
      maxPageSharing: 4,
      candidate: true,
    });
    expect(search.found).toBe(full.id);
  });

  it("a search that finds only full dups says so (candidate false, found null)", () => {
    const k = machine(2);
    mergeableProc(k, "A", [7, 7, 7, 7, 7]);
    const ev = record(k);
    scans(k, 2);
    const full = ofType(ev, "stable-search").filter((e) => e.pick && !e.pick.candidate);
    expect(full.length).toBeGreaterThan(0);
    for (const e of full) {
      expect(e.found).toBeNull();
      expect(e.pick!.sharers).toBe(2);
    }
  });

  it("no pick where no equal node was met", () => {
    const k = machine(2);
    mergeableProc(k, "A", [1, 2, 3]);
    const ev = record(k);
    scans(k, 2);
    expect(ofType(ev, "stable-search").every((e) => e.pick === undefined)).toBe(true);
  });
});

describe("smart-skip", () => {
  it("one event per page passed over, with its age and the skips still to come", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1]);
    const ev = record(k);
    for (let i = 0; i < 12; i++) scans(k, 1);
    const skips = ofType(ev, "smart-skip");
    expect(skips.length).toBe(k.ksm.pagesSkipped);
    // visited at ages 0-3, skipped once (age 5 after), visited, skipped twice, visited, skipped thrice
    expect(skips.map((e) => [e.age, e.remainingSkips])).toEqual([
      [5, 0],
      [7, 1],
      [8, 0],
      [10, 3],
      [11, 2],
      [12, 1],
    ]);
  });
});

describe("plain-write", () => {
  it("a write to a present writable page: one event with the plain cost, and none with a fault", () => {
    const k = newKernel("linux-6.18", 64);
    const a = mergeableProc(k, "A", [1, 2]);
    const before = ctr(k);
    const ev = record(k);
    expect(k.writeByte(a.pid, pageAddr(a, 1) + 5, 0xee)).toBe(0);
    expect(ev).toEqual([
      {
        type: "plain-write",
        fn: "handle_mm_fault",
        pid: a.pid,
        addr: pageAddr(a, 1) + 5,
        pfn: pfnAt(k, a, 1),
        ns: WRITE_COST_NS.plain,
      },
    ]);
    expect(ctr(k)).toEqual(before);
    scans(k, 3); // A's two pages differ: nothing merges; a fork makes the next write a COW
    expect(typeof k.fork(a.pid, "B")).not.toBe("string");
    ev.length = 0;
    expect(k.writeByte(a.pid, pageAddr(a, 0), 0xee)).toBe(0);
    expect(ofType(ev, "plain-write")).toEqual([]);
    expect(ofType(ev, "cow-fault")).toHaveLength(1);
  });
});
