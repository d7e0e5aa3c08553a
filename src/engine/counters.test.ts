import { beforeAll, describe, expect, it } from "vitest";
import { PROFILES, type ProfileName } from "./ksm/profile";
import { FRAME_ANON, FRAME_FREE, FRAME_KSM } from "./memory";
import { sysfsRead, sysfsWrite } from "./sysfs";
import {
  byteAt,
  ctr,
  expectSane,
  fillPages,
  loadEngine,
  mergeable,
  mergeableProc,
  newKernel,
  ofType,
  pageAddr,
  pfnAt,
  record,
  scans,
  spawnWithRegion,
} from "./testing";

beforeAll(loadEngine);

const is2632 = (p: ProfileName) => p === "linux-2.6.32";

for (const profile of PROFILES) {
  describe(`${profile} counters`, () => {
    it("a page needs two visits: the first scan finds every page volatile", () => {
      const k = newKernel(profile);
      mergeableProc(k, "A", [1, 1, 2, 3]);
      const ev = record(k);
      scans(k, 1);
      expect(ctr(k)).toEqual([0, 0, 0, 4, 1]);
      const sums = ofType(ev, "checksum");
      expect(sums.map((e) => [e.old, e.volatile])).toEqual([
        [0, true],
        [0, true],
        [0, true],
        [0, true],
      ]);
      expect(sums[0].checksum).toBe(sums[1].checksum);
      expect(sums[0].checksum).not.toBe(sums[2].checksum);
      expect(ofType(ev, "unstable-search")).toEqual([]);
      expect(ofType(ev, "merge-two")).toEqual([]);
      expectSane(k);

      scans(k, 1);
      expect(ctr(k)).toEqual([1, 1, 2, 0, 2]);
      expectSane(k);
    });

    it("a page whose contents change between visits stays volatile", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [1, 1]);
      scans(k, 1);
      expect(k.writeByte(a.pid, pageAddr(a, 1) + 9, 9)).toBe(0);
      scans(k, 1);
      // page 0 went into the unstable tree; page 1 changed, so it is volatile again
      expect(ctr(k)).toEqual([0, 0, 1, 1, 2]);
      expect(k.writeByte(a.pid, pageAddr(a, 1) + 9, 0)).toBe(0); // equal to page 0 again
      scans(k, 1);
      expect(ctr(k)).toEqual([0, 0, 1, 1, 3]);
      scans(k, 1);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 4]);
      expectSane(k);
    });

    it("unique pages wait in the unstable tree as pages_unshared, rebuilt each scan", () => {
      const k = newKernel(profile);
      // 6.18's smart scan would start skipping them at the fifth scan (see smart-scan.test.ts).
      if (profile === "linux-6.18") expect(sysfsWrite(k, "smart_scan", "0")).toBe(0);
      mergeableProc(k, "A", [1, 2, 3]);
      mergeableProc(k, "B", [4, 5]);
      scans(k, 2);
      expect(ctr(k)).toEqual([0, 0, 5, 0, 2]);
      expect(k.ksm.rmapItems).toBe(5);
      scans(k, 3);
      expect(ctr(k)).toEqual([0, 0, 5, 0, 5]);
      expectSane(k);
    });

    it("N equal pages become one KSM page: pages_shared 1, pages_sharing N-1", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [9, 9, 9]);
      const b = mergeableProc(k, "B", [9, 9]);
      const free = k.mem.freeFrames;
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 4, 0, 0, 2]);
      const kpage = pfnAt(k, a, 0);
      expect(k.mem.state[kpage]).toBe(FRAME_KSM);
      expect([pfnAt(k, a, 1), pfnAt(k, a, 2), pfnAt(k, b, 0), pfnAt(k, b, 1)]).toEqual([
        kpage,
        kpage,
        kpage,
        kpage,
      ]);
      expect(k.mem.mapcount[kpage]).toBe(5);
      expect(k.mem.freeFrames).toBe(free + 4); // five frames became one
      expect([0, 1, 2].map((i) => byteAt(k, a, i))).toEqual([9, 9, 9]);
      // stable: a third scan changes nothing but full_scans
      scans(k, 1);
      expect(ctr(k)).toEqual([1, 4, 0, 0, 3]);
      expectSane(k);
    });

    it("groups of equal pages: one KSM page per group", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [1, 2, 1, 2, 3, 1]);
      scans(k, 2);
      expect(ctr(k)).toEqual([2, 3, 1, 0, 2]);
      expect(pfnAt(k, a, 0)).toBe(pfnAt(k, a, 5));
      expect(pfnAt(k, a, 1)).toBe(pfnAt(k, a, 3));
      expect(pfnAt(k, a, 0)).not.toBe(pfnAt(k, a, 1));
      expect(k.mem.state[pfnAt(k, a, 4)]).toBe(FRAME_ANON);
      expectSane(k);
    });

    it("a COW write to a merged page changes no counter until the next scan", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [4, 4, 4]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]);
      const kpage = pfnAt(k, a, 0);
      const ev = record(k);
      expect(k.writeByte(a.pid, pageAddr(a, 1), 0x44)).toBe(0);
      expect(ofType(ev, "cow-fault").map((e) => [e.from, e.ksm])).toEqual([[kpage, true]]);
      expect(k.mem.mapcount[kpage]).toBe(2);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]); // the lag
      expectSane(k);
      scans(k, 1);
      expect(ctr(k)).toEqual([1, 1, 0, 1, 3]);
      expect(byteAt(k, a, 1)).toBe(0x44);
      expect([byteAt(k, a, 0), byteAt(k, a, 2)]).toEqual([4, 4]);
      scans(k, 1);
      expect(ctr(k)).toEqual([1, 1, 1, 0, 4]);
      expectSane(k);
    });

    it("the unstable tree is emptied at the start of each full scan", () => {
      const k = newKernel(profile);
      mergeableProc(k, "A", [1, 2, 3]);
      scans(k, 2);
      expect(k.ksm.rootUnstableTree.rbNode).not.toBeNull();
      const seen: [number, boolean, number][] = [];
      k.tracer = (e) => {
        if (e.type === "scan-start")
          seen.push([e.seqnr, k.ksm.rootUnstableTree.rbNode === null, e.unstableDropped]);
      };
      expect(k.ksm.ksmDoScan(1)).toBe(1);
      expect(seen).toEqual([[2, true, 3]]);
      // the first page of this scan went back in at once
      expect(k.ksm.rootUnstableTree.rbNode).not.toBeNull();
      expectSane(k);
    });

    it("pages_volatile is never negative, mid-scan included", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [1, 1, 2, 3, 3, 3]);
      const b = mergeableProc(k, "B", [3, 2, 5]);
      const check = () => {
        const ksm = k.ksm;
        const raw = ksm.rmapItems - ksm.pagesShared - ksm.pagesSharing - ksm.pagesUnshared;
        expect(raw).toBeGreaterThanOrEqual(0);
        expect(ksm.pagesVolatile).toBe(raw);
        expect(sysfsRead(k, "pages_volatile")).toBe(`${raw}\n`);
      };
      for (let i = 0; i < 30; i++) {
        k.ksm.ksmDoScan(1);
        check();
        if (i === 12) expect(k.writeByte(a.pid, pageAddr(a, 3), 1)).toBe(0);
        if (i === 17) expect(k.exit(b.pid)).toBe(0);
      }
      expectSane(k);
    });

    it("the scan passes over not-present and zero-page addresses at no cost", () => {
      const k = newKernel(profile);
      const a = spawnWithRegion(k, "A", 4);
      expect(k.fill(a.pid, pageAddr(a, 0), 1, 1)).toBe(0);
      expect(k.readByte(a.pid, pageAddr(a, 1))).toBe(0); // zero page
      expect(k.fill(a.pid, pageAddr(a, 3), 1, 2)).toBe(0);
      mergeable(k, a, 4);
      const ev = record(k);
      expect(k.ksm.ksmDoScan(10)).toBe(2);
      expect(ofType(ev, "visit").map((e) => e.addr)).toEqual([pageAddr(a, 0), pageAddr(a, 3)]);
      expect(k.ksm.rmapItems).toBe(2);
      expect(ctr(k)).toEqual([0, 0, 0, 2, 1]);
      expectSane(k);
    });

    it("an area with only read faults (no anon_vma) is skipped; the mm stays registered", () => {
      const k = newKernel(profile);
      const a = spawnWithRegion(k, "A", 2);
      expect(k.readByte(a.pid, a.start)).toBe(0);
      mergeable(k, a, 2);
      const ev = record(k);
      expect(k.ksm.ksmDoScan(10)).toBe(0);
      expect(ofType(ev, "scan-end").length).toBe(1);
      expect(ctr(k)).toEqual([0, 0, 0, 0, 1]);
      expect(k.ksm.slots().length).toBe(1);
    });

    it("with nothing registered a scan does nothing and counts nothing", () => {
      const k = newKernel(profile);
      const ev = record(k);
      expect(k.ksm.ksmDoScan(10)).toBe(0);
      expect(ev.filter((e) => e.type !== "ksmd-batch")).toEqual([]);
      expect(ctr(k)).toEqual([0, 0, 0, 0, 0]);
    });

    it("the unstable tree is ordered by memcmp of the contents", () => {
      const k = newKernel(profile);
      // bytes, first to last: 03 00 00 01 < 05 00 01 00 < 05 ff 00 00 < 81 .. < ff ..
      // (as little-endian words, page 1's 0xff05 would come before page 4's 0x10005)
      const a = mergeableProc(k, "A", [0x00000081, 0x0000ff05, 0x01000003, 0x000000ff, 0x00010005]);
      scans(k, 2);
      expect(ctr(k)).toEqual([0, 0, 5, 0, 2]);
      const inorder: number[] = [];
      const walk = (n: import("./rbtree").RbNode | null) => {
        if (!n) return;
        walk(n.rbLeft);
        const it = n as import("./ksm/rmap").RmapItem;
        inorder.push((it.address - a.start) / 4096);
        walk(n.rbRight);
      };
      walk(k.ksm.rootUnstableTree.rbNode);
      expect(inorder).toEqual([2, 4, 1, 0, 3]);
    });

    it("fork: a page is never merged with itself", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [0x77]);
      const pfn = pfnAt(k, a, 0);
      const child = k.fork(a.pid, "B");
      if (typeof child === "string") throw new Error(child);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, child.pid]);
      const ev = record(k);
      scans(k, 2);
      expect(ctr(k)).toEqual([0, 0, 1, 1, 2]);
      expect(ofType(ev, "unstable-search").map((e) => e.outcome)).toEqual(["inserted", "same-page"]);
      expect(ofType(ev, "merge-two")).toEqual([]);
      expect(k.mem.state[pfn]).toBe(FRAME_ANON);
      expect(k.mem.mapcount[pfn]).toBe(2);
      expect(k.pageAt(child.pid, a.start)).toBe(pfn);
      expectSane(k);
    });

    it("fork of a merged process: the child's pages join the KSM page without merging", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [6, 6, 6]);
      scans(k, 2);
      const kpage = pfnAt(k, a, 0);
      const child = k.fork(a.pid, "B");
      if (typeof child === "string") throw new Error(child);
      expect(k.mem.mapcount[kpage]).toBe(6);
      const ev = record(k);
      scans(k, 1);
      // the child's three items all hang off the same KSM page now
      expect(ctr(k)).toEqual([1, 5, 0, 0, 3]);
      expect(ofType(ev, "merge-two")).toEqual([]);
      // 2.6.32 sees the page is the KSM page and skips the merge; 6.18 calls
      // try_to_merge_with_ksm_page, whose try_to_merge_one_page returns at once (page == kpage)
      expect(ofType(ev, "merge-with-ksm").map((e) => [e.pfn, e.kpfn, e.ok])).toEqual(
        is2632(profile) ? [] : [0, 1, 2].map(() => [kpage, kpage, true]),
      );
      expect(ofType(ev, "stable-append").length).toBe(3);
      expect(k.mem.mapcount[kpage]).toBe(6);
      expectSane(k);
    });

    it("a KSM page keeps its contents and is mapped read-only everywhere", () => {
      const k = newKernel(profile);
      const a = spawnWithRegion(k, "A", 2);
      fillPages(k, a, [0x01020304, 0x01020304]);
      expect(k.writeByte(a.pid, pageAddr(a, 0) + 4095, 0xee)).toBe(0);
      expect(k.writeByte(a.pid, pageAddr(a, 1) + 4095, 0xee)).toBe(0);
      mergeable(k, a, 2);
      scans(k, 2);
      const kpage = pfnAt(k, a, 0);
      expect(pfnAt(k, a, 1)).toBe(kpage);
      expect(Array.from(k.mem.pageBytes(kpage).subarray(0, 4))).toEqual([4, 3, 2, 1]);
      expect(k.mem.readByte(kpage, 4095)).toBe(0xee);
      expectSane(k); // includes: no KSM page mapped writable
    });
  });
}

describe("differences between the profiles", () => {
  it("linux-2.6.32 breaks COW on a KSM page left with one mapper (patch 4); linux-6.18 keeps it", () => {
    const results: Record<string, unknown> = {};
    for (const profile of PROFILES) {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [81, 81]);
      const b = mergeableProc(k, "B", [81]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]);
      const kpage = pfnAt(k, b, 0);
      expect(k.writeByte(a.pid, pageAddr(a, 0), 1)).toBe(0);
      expect(k.writeByte(a.pid, pageAddr(a, 1), 2)).toBe(0);
      expect(k.mem.mapcount[kpage]).toBe(1);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]);
      const ev = record(k);
      scans(k, 1);
      const bPage = pfnAt(k, b, 0);
      results[profile] = {
        after1: ctr(k),
        bIsKsm: k.mem.state[bPage] === FRAME_KSM,
        bSameFrame: bPage === kpage,
        breaks: ofType(ev, "break-cow").map((e) => [e.pid === b.pid, e.from === kpage]),
      };
      expect(byteAt(k, b, 0)).toBe(81);
      expectSane(k);
      scans(k, 2);
      results[`${profile} settled`] = ctr(k);
      expectSane(k);
    }
    expect(results).toEqual({
      "linux-2.6.32": { after1: [0, 0, 0, 3, 3], bIsKsm: false, bSameFrame: false, breaks: [[true, true]] },
      "linux-2.6.32 settled": [0, 0, 3, 0, 5],
      "linux-6.18": { after1: [1, 0, 0, 2, 3], bIsKsm: true, bSameFrame: true, breaks: [] },
      // Smart scan: A's two rewritten pages reach age 4 on the fifth scan and are skipped.
      "linux-6.18 settled": [1, 0, 0, 2, 5],
    });
  });

  it("a fresh page equal to a KSM page: linux-2.6.32 merges it on its first scan, linux-6.18 on its second", () => {
    for (const [profile, afterOne, afterTwo] of [
      ["linux-2.6.32", [1, 4, 0, 0, 3], [1, 4, 0, 0, 4]],
      ["linux-6.18", [1, 3, 0, 1, 3], [1, 4, 0, 0, 4]],
    ] as const) {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [91, 91]);
      mergeableProc(k, "B", [91, 91]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 3, 0, 0, 2]);
      const kpage = pfnAt(k, a, 0);
      const c = mergeableProc(k, "C", [91]);
      const ev = record(k);
      scans(k, 1);
      expect(ctr(k)).toEqual(afterOne);
      expect(ofType(ev, "merge-with-ksm").map((e) => [e.kpfn, e.ok])).toEqual(
        is2632(profile) ? [[kpage, true]] : [],
      );
      expect(pfnAt(k, c, 0) === kpage).toBe(is2632(profile));
      scans(k, 1);
      expect(ctr(k)).toEqual(afterTwo);
      expect(pfnAt(k, c, 0)).toBe(kpage);
      expectSane(k);
    }
  });

  it("linux-2.6.32 copies two equal pages into a new KSM frame; linux-6.18 makes the scanned page the KSM page", () => {
    for (const profile of PROFILES) {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [5]);
      const b = mergeableProc(k, "B", [5]);
      const [pa, pb] = [pfnAt(k, a, 0), pfnAt(k, b, 0)];
      expect([pa, pb]).toEqual([1, 2]);
      const free = k.mem.freeFrames;
      const ev = record(k);
      scans(k, 2);
      const kpage = pfnAt(k, a, 0);
      expect(pfnAt(k, b, 0)).toBe(kpage);
      expect(k.mem.state[kpage]).toBe(FRAME_KSM);
      const merges = ofType(ev, "merge-two");
      expect(merges.length).toBe(1);
      expect(merges[0].kpfn).toBe(kpage);
      if (is2632(profile)) {
        expect(kpage).toBe(3); // a new frame
        expect([k.mem.state[pa], k.mem.state[pb]]).toEqual([FRAME_FREE, FRAME_FREE]);
      } else {
        expect(kpage).toBe(pb); // B's page, the one being scanned, became the KSM page
        expect(k.mem.state[pa]).toBe(FRAME_FREE);
      }
      expect(k.mem.freeFrames).toBe(free + 1);
      expectSane(k);
    }
  });

  it("a KSM page gone: linux-6.18 removes its stale node whole at once; linux-2.6.32 drops items one by one", () => {
    for (const [profile, afterFirst] of [
      ["linux-2.6.32", [3, 2, 0, 1, 2]],
      ["linux-6.18", [2, 2, 0, 2, 2]],
    ] as const) {
      const k = newKernel(profile);
      // B's KSM page is the stable tree's root, A's its left child, D's its right child
      mergeableProc(k, "B", [0x20, 0x20]);
      const a = mergeableProc(k, "A", [0x10, 0x10]);
      mergeableProc(k, "D", [0x30, 0x30]);
      scans(k, 2);
      expect(ctr(k)).toEqual([3, 3, 0, 0, 2]);
      const kpage = pfnAt(k, a, 0);
      // A's pages now sort after D's: A's own searches never meet A's node
      expect(k.writeByte(a.pid, pageAddr(a, 0), 0x40)).toBe(0);
      expect(k.writeByte(a.pid, pageAddr(a, 1), 0x40)).toBe(0);
      expect(k.mem.state[kpage]).toBe(FRAME_FREE);
      expect(ctr(k)).toEqual([3, 3, 0, 0, 2]);
      k.ksm.ksmDoScan(2); // B0, B1
      const ev = record(k);
      expect(k.ksm.ksmDoScan(1)).toBe(1); // A0
      expect(ctr(k)).toEqual(afterFirst);
      expect(ofType(ev, "stable-prune").map((e) => e.fn)).toEqual(
        profile === "linux-6.18" ? ["remove_node_from_stable_tree"] : [],
      );
      expect(ofType(ev, "stable-remove").map((e) => e.promoted !== null)).toEqual(
        profile === "linux-6.18" ? [] : [true],
      );
      expectSane(k);
      k.ksm.ksmDoScan(10);
      expect(ctr(k)).toEqual([2, 2, 0, 2, 3]);
      expectSane(k);
    }
  });

  it("linux-2.6.32 prunes a COW'd item met in another page's stable search; linux-6.18 leaves it for its own visit", () => {
    for (const profile of PROFILES) {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [0x33]);
      const b = mergeableProc(k, "B", [0x33, 0x33]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]);
      expect(k.ksm.ksmDoScan(1)).toBe(1); // A0: the cursor is now in A's slot
      expect(k.writeByte(a.pid, a.start, 1)).toBe(0); // A's page leaves the KSM page
      const c = mergeableProc(k, "C", [0x33]); // goes just behind the cursor: before A
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([c.pid, a.pid, b.pid]);
      k.ksm.ksmDoScan(10); // finish this scan: B0, B1
      expect(ctr(k)).toEqual([1, 2, 0, 0, 3]);
      const ev = record(k);
      expect(k.ksm.ksmDoScan(1)).toBe(1); // C0
      const aItem = k.ksm.slots()[1].rmapList!;
      if (profile === "linux-2.6.32") {
        // C0's search met A0 (the tree's node): pruned, B's item promoted; C0 merged at once
        expect(ofType(ev, "stable-prune").map((e) => [e.fn, e.item])).toEqual([
          ["stable_tree_search", aItem.id],
        ]);
        expect(pfnAt(k, c, 0)).toBe(pfnAt(k, b, 0));
        expect(ctr(k)).toEqual([1, 2, 0, 1, 3]);
      } else {
        // C0 is new: volatile, no search; A0 still hangs off the node
        expect(ofType(ev, "stable-prune")).toEqual([]);
        expect(ofType(ev, "stable-search")).toEqual([]);
        expect(ctr(k)).toEqual([1, 2, 0, 1, 3]);
        expect(aItem.head).not.toBeNull();
      }
      expectSane(k);
    }
  });

  it("linux-2.6.32: max_kernel_pages refuses new KSM pages once reached, still merges into existing ones", () => {
    const k = newKernel("linux-2.6.32");
    expect(sysfsWrite(k, "max_kernel_pages", "1")).toBe(0);
    const a = mergeableProc(k, "A", [1, 1, 2, 2, 1]);
    const ev = record(k);
    scans(k, 2);
    expect(ctr(k)).toEqual([1, 2, 1, 1, 2]);
    expect(ofType(ev, "merge-two").map((e) => [e.ok, e.why])).toEqual([
      [true, undefined],
      [false, "max_kernel_pages reached"],
    ]);
    const kpage = pfnAt(k, a, 0);
    expect([pfnAt(k, a, 1), pfnAt(k, a, 4)]).toEqual([kpage, kpage]);
    expect(pfnAt(k, a, 2)).not.toBe(pfnAt(k, a, 3));
    expect(k.mem.state[pfnAt(k, a, 2)]).toBe(FRAME_ANON);
    expectSane(k);

    // Raising the limit lets the second pair merge on the next scan.
    expect(sysfsWrite(k, "max_kernel_pages", "2")).toBe(0);
    scans(k, 1);
    expect(ctr(k)).toEqual([2, 3, 0, 0, 3]);
    expectSane(k);
  });

  it("linux-2.6.32: max_kernel_pages 0 means no limit", () => {
    const k = newKernel("linux-2.6.32");
    expect(sysfsWrite(k, "max_kernel_pages", "0")).toBe(0);
    mergeableProc(k, "A", [1, 1, 2, 2, 3, 3]);
    scans(k, 2);
    expect(ctr(k)).toEqual([3, 3, 0, 0, 2]);
  });

  it("linux-6.18 has no max_kernel_pages: the same pages all merge", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "max_kernel_pages", "1")).toBe("EACCES");
    mergeableProc(k, "A", [1, 1, 2, 2, 1]);
    scans(k, 2);
    expect(ctr(k)).toEqual([2, 3, 0, 0, 2]);
  });
});
