import { beforeAll, describe, expect, it } from "vitest";
import { PROFILES } from "./ksm/profile";
import { ksmdBatch, waitScans } from "./ksmd";
import { FRAME_ANON, FRAME_KSM } from "./memory";
import { MMF_VM_MERGEABLE } from "./mm";
import { sysfsRead, sysfsWrite } from "./sysfs";
import {
  byteAt,
  ctr,
  expectSane,
  loadEngine,
  mergeableProc,
  newKernel,
  ofType,
  pfnAt,
  record,
  scans,
  spawnWithRegion,
} from "./testing";
import { PAGE_SIZE } from "./types";

beforeAll(loadEngine);

for (const profile of PROFILES) {
  describe(`${profile} run modes`, () => {
    it("run=0 stops ksmd; merged pages stay merged", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [3, 3, 3]);
      scans(k, 2);
      const kpage = pfnAt(k, a, 0);
      expect(sysfsWrite(k, "run", "0")).toBe(0);
      expect(sysfsRead(k, "run")).toBe("0\n");
      expect(ksmdBatch(k)).toBe(-1);
      expect(waitScans(k, 1)).toBe("ksmd is not running (run is 0)");
      expect(ctr(k)).toEqual([1, 2, 0, 0, 2]);
      expect([0, 1, 2].map((i) => pfnAt(k, a, i))).toEqual([kpage, kpage, kpage]);
      expect(k.mem.state[kpage]).toBe(FRAME_KSM);
      // and run=1 carries on where it was
      expect(sysfsWrite(k, "run", "1")).toBe(0);
      // a batch stops at the end of a full scan, and counts it
      expect(ksmdBatch(k)).toBe(3);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 3]);
      expect(ksmdBatch(k)).toBe(3);
      expect(ctr(k)).toEqual([1, 2, 0, 0, 4]);
      expectSane(k);
    });

    it("ksmd with nothing registered sleeps and counts no full scans", () => {
      const k = newKernel(profile);
      expect(sysfsWrite(k, "run", "1")).toBe(0);
      expect(ksmdBatch(k)).toBe(-1);
      expect(waitScans(k, 1)).toBe("ksmd is idle: no mm is registered");
      expect(ctr(k)).toEqual([0, 0, 0, 0, 0]);
    });

    it("run=2 unmerges everything: counters and full_scans 0, mms stay registered", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [3, 3, 3, 4]);
      const b = mergeableProc(k, "B", [3, 5]);
      scans(k, 3);
      expect(ctr(k)).toEqual([1, 3, 2, 0, 3]);
      const kpage = pfnAt(k, a, 0);
      const ev = record(k);
      expect(sysfsWrite(k, "run", "2")).toBe(0);
      expect(sysfsRead(k, "run")).toBe("2\n");
      expect(ctr(k)).toEqual([0, 0, 0, 0, 0]);
      expect(k.ksm.rmapItems).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, b.pid]);
      expect(k.ksm.ksmScan.mmSlot).toBe(k.ksm.ksmMmHead);
      const pfns = [0, 1, 2, 3].map((i) => pfnAt(k, a, i)).concat([pfnAt(k, b, 0), pfnAt(k, b, 1)]);
      expect(new Set(pfns).size).toBe(6);
      expect(pfns.every((p) => k.mem.state[p] === FRAME_ANON)).toBe(true);
      expect(pfns).not.toContain(kpage);
      expect([0, 1, 2, 3].map((i) => byteAt(k, a, i))).toEqual([3, 3, 3, 4]);
      expect(ofType(ev, "break-cow").length).toBe(4);
      expect(ofType(ev, "unmerge")).toEqual([{ type: "unmerge", fn: "unmerge_and_remove_all_rmap_items" }]);
      expect(ksmdBatch(k)).toBe(-1);
      expectSane(k);

      // run=1 starts over from the first scan: all volatile
      expect(sysfsWrite(k, "run", "1")).toBe(0);
      expect(waitScans(k, 1)).toBeNull();
      expect(ctr(k)).toEqual([0, 0, 0, 6, 1]);
      expect(waitScans(k, 1)).toBeNull();
      expect(ctr(k)).toEqual([1, 3, 2, 0, 2]);
      expectSane(k);
    });

    it("run=2 frees the slots of exited mms", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [3, 3]);
      const b = mergeableProc(k, "B", [3]);
      scans(k, 2);
      expect(k.exit(b.pid)).toBe(0);
      expect(k.ksm.slots().length).toBe(2);
      expect(sysfsWrite(k, "run", "2")).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid]);
      expect(ctr(k)).toEqual([0, 0, 0, 0, 0]);
      expectSane(k);
    });

    it("writing the value already set does nothing", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [8, 8]);
      expect(sysfsWrite(k, "run", "2")).toBe(0);
      // merge behind ksmd's back while run is 2 ...
      expect(k.ksm.ksmDoScan(10)).toBe(2);
      expect(k.ksm.ksmDoScan(10)).toBe(2);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 2]);
      const ev = record(k);
      // ... so that a second run=2 would show if it unmerged again
      expect(sysfsWrite(k, "run", "2")).toBe(0);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 2]);
      expect(k.mem.state[pfnAt(k, a, 0)]).toBe(FRAME_KSM);
      expect(ev.map((e) => e.type)).toEqual(["sysfs-write"]);
      expectSane(k);
    });

    it("exit while ksmd is mid-scan: counters count the dead process until ksmd passes it", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [2, 2, 2]);
      const b = mergeableProc(k, "B", [2, 2]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 4, 0, 0, 2]);
      expect(k.ksm.ksmDoScan(1)).toBe(1); // cursor now in A's slot
      expect(k.ksm.ksmScan.mmSlot.mm!.owner).toBe(a.pid);
      const ev = record(k);
      expect(k.exit(b.pid)).toBe(0);
      expect(ofType(ev, "exit")).toEqual([
        { type: "exit", fn: "__ksm_exit", pid: b.pid, easyToFree: false, registered: true },
      ]);
      expect(ctr(k)).toEqual([1, 4, 0, 0, 2]);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, b.pid]);

      // with run=0 nothing moves
      expect(sysfsWrite(k, "run", "0")).toBe(0);
      expect(ksmdBatch(k)).toBe(-1);
      expect(ctr(k)).toEqual([1, 4, 0, 0, 2]);
      expectSane(k);

      expect(sysfsWrite(k, "run", "1")).toBe(0);
      expect(k.ksm.ksmDoScan(2)).toBe(2); // A's last two pages
      expect(ctr(k)).toEqual([1, 4, 0, 0, 2]);
      expect(k.ksm.ksmDoScan(1)).toBe(0); // B is passed over: its items and slot go
      expect(ctr(k)).toEqual([1, 2, 0, 0, 3]);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid]);
      expect(ofType(ev, "slot-removed").map((e) => e.pid)).toEqual([b.pid]);
      expectSane(k);
    });

    it("exit of the mm under the cursor is left for ksmd too", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [2, 2]);
      const b = mergeableProc(k, "B", [2, 2]);
      scans(k, 2);
      expect(k.ksm.ksmDoScan(3)).toBe(3); // A0, A1, B0
      expect(k.ksm.ksmScan.mmSlot.mm!.owner).toBe(b.pid);
      expect(k.exit(b.pid)).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, b.pid]);
      expect(ctr(k)).toEqual([1, 3, 0, 0, 2]);
      expect(k.ksm.ksmDoScan(1)).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid]);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 3]);
      expectSane(k);
    });

    it("exit of an mm with no rmap_items, not at the cursor, frees its slot at once", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [2, 2]);
      scans(k, 2);
      const c = mergeableProc(k, "C", [2]);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, c.pid]);
      const mm = k.task(c.pid)!.mm;
      const ev = record(k);
      expect(k.exit(c.pid)).toBe(0);
      expect(ofType(ev, "exit")).toEqual([
        { type: "exit", fn: "__ksm_exit", pid: c.pid, easyToFree: true, registered: true },
      ]);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid]);
      expect(k.ksm.mmSlotsHash.has(mm)).toBe(false);
      expect(mm.flags & MMF_VM_MERGEABLE).toBe(0);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 2]);
      expectSane(k);
    });

    it("exit moves a dead mm's slot just after the cursor", () => {
      const k = newKernel(profile);
      const [a, b, c] = ["A", "B", "C"].map((n, i) => mergeableProc(k, n, [i + 1]));
      scans(k, 1);
      expect(k.ksm.ksmDoScan(1)).toBe(1); // cursor in A's slot
      expect(k.exit(c.pid)).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, c.pid, b.pid]);
      expect(ctr(k)).toEqual([0, 0, 1, 2, 1]);
      const ev = record(k);
      scans(k, 1);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, b.pid]);
      expect(ctr(k)).toEqual([0, 0, 2, 0, 2]);
      expect(
        ev.filter((e) => e.type === "slot-removed" || e.type === "visit").map((e) => [e.type, e.pid]),
      ).toEqual([
        ["slot-removed", c.pid],
        ["visit", b.pid],
      ]);
      expectSane(k);
    });

    it("exit between scans moves the dead mm's slot to the front, where ksmd frees it first", () => {
      const k = newKernel(profile);
      const [a, b, c] = ["A", "B", "C"].map((n, i) => mergeableProc(k, n, [i + 1]));
      scans(k, 1);
      expect(k.ksm.ksmScan.mmSlot).toBe(k.ksm.ksmMmHead);
      expect(k.exit(c.pid)).toBe(0);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([c.pid, a.pid, b.pid]);
      const ev = record(k);
      expect(k.ksm.ksmDoScan(1)).toBe(1);
      expect(ofType(ev, "slot-removed").map((e) => e.pid)).toEqual([c.pid]);
      expect(ofType(ev, "visit").map((e) => e.pid)).toEqual([a.pid]);
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, b.pid]);
      expectSane(k);
    });

    it("munmap: the region's rmap_items stay counted until ksmd passes", () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [6, 6]);
      const b = mergeableProc(k, "B", [6, 7]);
      scans(k, 2);
      expect(ctr(k)).toEqual([1, 2, 1, 0, 2]);
      const kpage = pfnAt(k, b, 0);
      expect(k.munmap(a.pid, a.start, 2 * PAGE_SIZE)).toBe(0);
      expect(k.mem.mapcount[kpage]).toBe(1);
      expect(ctr(k)).toEqual([1, 2, 1, 0, 2]);
      expect(k.ksm.rmapItems).toBe(4);
      expectSane(k);
      scans(k, 1);
      // A's items are gone, and A's slot (no mergeable area left) with them.
      expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([b.pid]);
      expect(k.ksm.rmapItems).toBe(2);
      if (profile === "linux-2.6.32") {
        // patch 4: B's KSM page has one mapper left: COW is broken, the page is volatile
        expect(ctr(k)).toEqual([0, 0, 1, 1, 3]);
        expect(k.mem.state[pfnAt(k, b, 0)]).toBe(FRAME_ANON);
      } else {
        expect(ctr(k)).toEqual([1, 0, 1, 0, 3]);
        expect(pfnAt(k, b, 0)).toBe(kpage);
      }
      expectSane(k);
    });
  });
}

describe("run=2 out of memory", () => {
  for (const profile of PROFILES) {
    it(`${profile}: the shell writing 2 is the OOM killer's first choice: the unmerge stops, run reads 0, the write fails, nobody dies`, () => {
      const k = newKernel(profile, 8);
      const a = mergeableProc(k, "A", [3, 3, 3, 3]);
      scans(k, 2);
      const before = ctr(k);
      expect(before.slice(0, 2)).toEqual([1, 3]);
      // Fill the rest of memory with other processes: any of them could be a victim.
      const small = spawnWithRegion(k, "S", 2);
      const big = spawnWithRegion(k, "Big", 6);
      expect(k.fill(small.pid, small.start, 2, 1)).toBe(0);
      expect(k.fill(big.pid, big.start, k.mem.freeFrames - 2, 1)).toBe(0);
      expect(k.fill(small.pid, small.start + PAGE_SIZE, 1, 2)).toBe(0);
      const free = k.mem.freeFrames;
      const ev = record(k);
      const err = sysfsWrite(k, "run", "2");
      // Its pending SIGKILL ends unmerge_ksm_pages() (ERESTARTSYS: EINTR to a caller not restarted).
      expect(err).toBe("EINTR");
      expect(ofType(ev, "sysfs-write")).toMatchObject([{ file: "run", errno: "EINTR", why: "unmerge" }]);
      expect(sysfsRead(k, "run")).toBe("0\n");
      expect(ofType(ev, "oom-kill")).toEqual([
        { type: "oom-kill", fn: "oom_kill_process", pid: 0, totalVm: 0, name: "sh (echo 2 > run)" },
      ]);
      expect([k.task(a.pid), k.task(small.pid), k.task(big.pid)].every((t) => t !== null)).toBe(true);
      // The unmerge broke COW on as many pages as memory allowed, then stopped; nothing was freed.
      expect(ofType(ev, "break-cow").filter((e) => !e.errno).length).toBe(free);
      expect(ofType(ev, "unmerge")).toEqual([
        { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items", errno: "ENOMEM" },
      ]);
      expect(k.ksm.fullScans).toBe(2); // not reset
      expect(k.ksm.ksmScan.mmSlot).toBe(k.ksm.ksmMmHead);
      expect([0, 1, 2, 3].map((i) => byteAt(k, a, i))).toEqual([3, 3, 3, 3]);
      expectSane(k);
    });
  }

  it("with memory enough, run=2 unmerges all and no OOM kill happens", () => {
    const k = newKernel("linux-6.18", 16);
    const a = mergeableProc(k, "A", [3, 3, 3, 3]);
    expect(sysfsWrite(k, "run", "1")).toBe(0);
    scans(k, 2);
    const ev = record(k);
    expect(sysfsWrite(k, "run", "2")).toBe(0);
    expect(ofType(ev, "oom-kill")).toEqual([]);
    expect(ctr(k)).toEqual([0, 0, 0, 0, 0]);
    expect(k.oomOrigin).toBe(false);
    expect([0, 1, 2, 3].map((i) => byteAt(k, a, i))).toEqual([3, 3, 3, 3]);
    expectSane(k);
  });
});
