import { beforeAll, describe, expect, it } from "vitest";
import { MADV_UNMERGEABLE } from "./kernel";
import { FRAME_KSM } from "./memory";
import { VM_MERGEABLE } from "./mm";
import {
  byteAt,
  ctr,
  expectSane,
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
import { PAGE_SIZE } from "./types";

beforeAll(loadEngine);

describe("OOM killer: victim choice", () => {
  it("picks the largest total_vm, counting mapped size not resident pages", () => {
    const k = newKernel("linux-2.6.32", 32);
    const a = spawnWithRegion(k, "A", 3);
    const b = spawnWithRegion(k, "B", 5); // nothing faulted in
    const c = spawnWithRegion(k, "C", 4);
    expect(k.fill(a.pid, a.start, 3, 1)).toBe(0);
    expect(k.fill(c.pid, c.start, 4, 1)).toBe(0);
    expect(k.selectBadProcess()?.pid).toBe(b.pid);
    expect(k.munmap(b.pid, b.start, 2 * PAGE_SIZE)).toBe(0); // B now has 3
    expect(k.selectBadProcess()?.pid).toBe(c.pid);
  });

  it("breaks ties by the highest pid", () => {
    const k = newKernel("linux-2.6.32", 32);
    const a = spawnWithRegion(k, "A", 4);
    const b = spawnWithRegion(k, "B", 4);
    spawnWithRegion(k, "C", 2);
    expect(k.selectBadProcess()?.pid).toBe(b.pid);
    expect(k.exit(b.pid)).toBe(0);
    expect(k.selectBadProcess()?.pid).toBe(a.pid);
  });

  it("has no victim when no process is left", () => {
    const k = newKernel("linux-2.6.32", 32);
    expect(k.selectBadProcess()).toBeNull();
  });
});

describe("OOM killer: faults", () => {
  it("a fault that finds no memory kills the largest process and retries", () => {
    const k = newKernel("linux-2.6.32", 8);
    const small = spawnWithRegion(k, "S", 2);
    const big = spawnWithRegion(k, "Big", 10);
    expect(k.fill(small.pid, small.start, 1, 0x11)).toBe(0);
    expect(k.fill(big.pid, big.start, 6, 0x22)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    expect(k.writeByte(small.pid, pageAddr(small, 1), 0x33)).toBe(0);
    expect(ev.map((e) => e.type)).toEqual(["oom-kill", "fault"]);
    expect(ofType(ev, "oom-kill")).toEqual([
      { type: "oom-kill", fn: "oom_kill_process", pid: big.pid, totalVm: 10 },
    ]);
    expect(k.task(big.pid)).toBeNull();
    expect(k.readByte(small.pid, pageAddr(small, 1))).toBe(0x33);
    expect(byteAt(k, small, 0)).toBe(0x11);
    expect(k.mem.freeFrames).toBe(5); // Big's six frames, less the new one
    expectSane(k);
  });

  it("a COW fault that finds no memory kills the largest process too", () => {
    const k = newKernel("linux-2.6.32", 6);
    const a = spawnWithRegion(k, "A", 1);
    expect(k.fill(a.pid, a.start, 1, 0x11)).toBe(0);
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    const big = spawnWithRegion(k, "Big", 5);
    expect(k.fill(big.pid, big.start, 4, 0x22)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    expect(k.writeByte(child.pid, a.start, 0x44)).toBe(0);
    expect(ev.map((e) => e.type)).toEqual(["oom-kill", "cow-fault"]);
    expect(k.readByte(a.pid, a.start)).toBe(0x11);
    expect(k.readByte(child.pid, a.start)).toBe(0x44);
    expectSane(k);
  });

  it("when the faulting process is itself the largest, it dies and the access fails with ENOMEM", () => {
    const k = newKernel("linux-2.6.32", 6);
    const other = spawnWithRegion(k, "O", 2);
    const p = spawnWithRegion(k, "P", 8);
    expect(k.fill(other.pid, other.start, 2, 1)).toBe(0);
    expect(k.fill(p.pid, p.start, 3, 2)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    expect(k.writeByte(p.pid, pageAddr(p, 5), 1)).toBe("ENOMEM");
    expect(ofType(ev, "oom-kill").map((e) => e.pid)).toEqual([p.pid]);
    expect(k.task(p.pid)).toBeNull();
    expect(k.task(other.pid)).not.toBeNull();
    expect(k.mem.freeFrames).toBe(3);
    expectSane(k);
  });

  /** M: eight pages merged into one KSM page shared with S: killing M frees no frame. */
  function mergedPair() {
    const k = newKernel("linux-2.6.32", 12);
    const m = mergeableProc(k, "M", [5, 5, 5, 5, 5, 5, 5, 5]);
    const s = mergeableProc(k, "S", [5]);
    scans(k, 2);
    expect(ctr(k)).toEqual([1, 8, 0, 0, 2]);
    k.ksm.knobs.run = 0;
    expect(k.mem.freeFrames).toBe(10); // zero page + KSM page in use
    return { k, m, s, kpage: pfnAt(k, s, 0) };
  }

  it("KSM sharing is not considered: a heavily merged process with the largest total_vm dies first", () => {
    const { k, m, s, kpage } = mergedPair();
    const w = spawnWithRegion(k, "W", 7);
    expect(k.fill(w.pid, w.start, 6, 1)).toBe(0);
    const x = spawnWithRegion(k, "X", 4);
    expect(k.fill(x.pid, x.start, 4, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);

    const ev = record(k);
    // M (total_vm 8) dies and frees nothing; the retry picks W (7), the faulting process itself.
    expect(k.writeByte(w.pid, pageAddr(w, 6), 9)).toBe("ENOMEM");
    expect(ofType(ev, "oom-kill")).toEqual([
      { type: "oom-kill", fn: "oom_kill_process", pid: m.pid, totalVm: 8 },
      { type: "oom-kill", fn: "oom_kill_process", pid: w.pid, totalVm: 7 },
    ]);
    expect(k.task(m.pid)).toBeNull();
    expect(k.task(w.pid)).toBeNull();
    expect(k.mem.state[kpage]).toBe(FRAME_KSM);
    expect(k.mem.mapcount[kpage]).toBe(1);
    expect(k.readByte(s.pid, s.start)).toBe(5);
    expect(k.mem.freeFrames).toBe(6); // only W's frames came back
    expectSane(k);
  });

  it("killing a merged process that frees nothing leads to the next victim", () => {
    const { k, m, s } = mergedPair();
    const w = spawnWithRegion(k, "W", 7);
    expect(k.fill(w.pid, w.start, 7, 1)).toBe(0);
    const x = spawnWithRegion(k, "X", 4);
    expect(k.fill(x.pid, x.start, 3, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    expect(k.writeByte(x.pid, pageAddr(x, 3), 9)).toBe(0);
    expect(ofType(ev, "oom-kill").map((e) => [e.pid, e.totalVm])).toEqual([
      [m.pid, 8],
      [w.pid, 7],
    ]);
    expect(k.task(s.pid)).not.toBeNull();
    expect(k.readByte(x.pid, pageAddr(x, 3))).toBe(9);
    expect(k.readByte(s.pid, s.start)).toBe(5);
    expect(k.mem.freeFrames).toBe(6);
    expectSane(k);
  });

  it("ksmd's new KSM page (linux-2.6.32) goes through the same allocator and OOM killer", () => {
    const k = newKernel("linux-2.6.32", 4);
    const a = mergeableProc(k, "A", [7]);
    const b = mergeableProc(k, "B", [7]);
    const big = spawnWithRegion(k, "Big", 3);
    expect(k.fill(big.pid, big.start, 1, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    scans(k, 2);
    expect(ofType(ev, "oom-kill").map((e) => e.pid)).toEqual([big.pid]);
    expect(ofType(ev, "merge-two").map((e) => e.ok)).toEqual([true]);
    expect(pfnAt(k, a, 0)).toBe(pfnAt(k, b, 0));
    expect(ctr(k)).toEqual([1, 1, 0, 0, 2]);
    expectSane(k);
  });
  it("ksmd holds its pages: killing their owners frees nothing, so all die and the merge fails", () => {
    const k = newKernel("linux-2.6.32", 3); // the zero page and the two pages to merge
    const a = spawnWithRegion(k, "A", 5);
    expect(k.fill(a.pid, a.start, 1, 7)).toBe(0);
    mergeable(k, a, 5);
    const b = mergeableProc(k, "B", [7]);
    expect(k.mem.freeFrames).toBe(0);
    scans(k, 1);
    const ev = record(k);
    expect(k.ksm.ksmDoScan(100)).toBe(2);
    expect(
      ev
        .filter((e) => ["oom-kill", "oom-fail", "merge-two", "slot-removed", "scan-end"].includes(e.type))
        .map((e) => [e.type, "pid" in e ? e.pid : null]),
    ).toEqual([
      ["oom-kill", a.pid],
      ["oom-kill", b.pid],
      ["oom-fail", null],
      ["merge-two", null],
      ["slot-removed", b.pid],
      ["slot-removed", a.pid],
      ["scan-end", null],
    ]);
    expect(ofType(ev, "merge-two")[0]).toMatchObject({ ok: false, why: "out of memory", kpfn: null });
    expect(k.tasks.size).toBe(0);
    expect(k.mem.freeFrames).toBe(2); // both pages went when ksmd let go
    expect(k.ksm.slots()).toEqual([]);
    expect(ctr(k)).toEqual([0, 0, 0, 0, 2]);
    expectSane(k);
  });
});

describe("OOM killer: break_ksm", () => {
  it("MADV_UNMERGEABLE kills the largest other process to get its copies", () => {
    const k = newKernel("linux-2.6.32", 6);
    const a = mergeableProc(k, "A", [4, 4, 4]);
    scans(k, 2);
    k.ksm.knobs.run = 0;
    const big = spawnWithRegion(k, "Big", 9);
    expect(k.fill(big.pid, big.start, 4, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    expect(k.madvise(a.pid, a.start, 3 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(ofType(ev, "oom-kill").map((e) => e.pid)).toEqual([big.pid]);
    expect(ofType(ev, "break-cow").length).toBe(3);
    expect(k.task(a.pid)!.mm.vmas[0].vmFlags & VM_MERGEABLE).toBe(0);
    expect([0, 1, 2].map((i) => byteAt(k, a, i))).toEqual([4, 4, 4]);
    expectSane(k);
  });

  it("MADV_UNMERGEABLE fails with EAGAIN when the OOM killer picks the caller itself", () => {
    const k = newKernel("linux-2.6.32", 9);
    const a = mergeableProc(k, "A", [4, 4, 4, 4, 4, 4]);
    scans(k, 2);
    k.ksm.knobs.run = 0;
    const other = spawnWithRegion(k, "O", 5);
    expect(k.fill(other.pid, other.start, 5, 1)).toBe(0);
    const third = spawnWithRegion(k, "T", 2);
    expect(k.fill(third.pid, third.start, 2, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(0);
    const ev = record(k);
    // break_ksm() fails with ENOMEM; madvise() reports a resource shortage as EAGAIN.
    expect(k.madvise(a.pid, a.start, 6 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe("EAGAIN");
    expect(ofType(ev, "oom-kill").map((e) => e.pid)).toEqual([a.pid]);
    expect(ofType(ev, "break-cow").map((e) => e.errno)).toEqual(["ENOMEM"]);
    expect(ofType(ev, "madvise").map((e) => e.errno)).toEqual(["EAGAIN"]);
    expect(k.task(a.pid)).toBeNull();
    expect(k.task(other.pid)).not.toBeNull();
    expectSane(k);
  });
});
