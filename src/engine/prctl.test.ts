import { beforeAll, describe, expect, it } from "vitest";
import { PR_GET_MEMORY_MERGE, PR_SET_MEMORY_MERGE } from "./kernel";
import { ksmStat } from "./ksm/ksm-618";
import { VM_MERGEABLE } from "./mm";
import {
  ctr,
  expectSane,
  fillPages,
  loadEngine,
  newKernel,
  ofType,
  record,
  scans,
  spawnWithRegion,
} from "./testing";

beforeAll(loadEngine);

describe("prctl(PR_SET_MEMORY_MERGE)", () => {
  it("linux-2.6.32 has no such option: EINVAL", () => {
    const k = newKernel("linux-2.6.32");
    const a = spawnWithRegion(k, "A", 2);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1)).toBe("EINVAL");
    expect(k.prctl(a.pid, PR_GET_MEMORY_MERGE, 0)).toBe("EINVAL");
  });

  it("registers the process and makes its current and future areas mergeable", () => {
    const k = newKernel("linux-6.18");
    const a = spawnWithRegion(k, "A", 2);
    fillPages(k, a, [3, 3]);
    expect(k.prctl(a.pid, PR_GET_MEMORY_MERGE, 0)).toBe(0);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1)).toBe(0);
    expect(k.prctl(a.pid, PR_GET_MEMORY_MERGE, 0)).toBe(1);
    const later = k.mmap(a.pid, 2) as number;
    expect(k.fill(a.pid, later, 2, 3)).toBe(0);
    const mm = k.task(a.pid)!.mm;
    expect(mm.vmas.every((v) => v.vmFlags & VM_MERGEABLE)).toBe(true);
    scans(k, 2);
    expect(ctr(k).slice(0, 2)).toEqual([1, 3]);
    expect(ksmStat(mm)).toEqual({
      ksm_rmap_items: 4,
      ksm_zero_pages: 0,
      ksm_merging_pages: 4,
      ksm_process_profit: 4 * 4096 - 4 * 64,
      ksm_merge_any: 1,
      ksm_mergeable: 1,
    });
    expectSane(k);
  });

  it("emits a prctl event for each setting (not for a read), with the errno of a refusal", () => {
    const old = newKernel("linux-2.6.32");
    const oldEvents = record(old);
    const o = spawnWithRegion(old, "A", 1);
    old.prctl(o.pid, PR_SET_MEMORY_MERGE, 1);
    expect(ofType(oldEvents, "prctl")).toEqual([
      { type: "prctl", fn: "prctl", pid: o.pid, value: 1, errno: "EINVAL" },
    ]);
    const k = newKernel("linux-6.18");
    const events = record(k);
    const a = spawnWithRegion(k, "A", 1);
    k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1);
    k.prctl(a.pid, PR_GET_MEMORY_MERGE, 0);
    k.prctl(a.pid, PR_SET_MEMORY_MERGE, 0);
    expect(ofType(events, "prctl")).toEqual([
      { type: "prctl", fn: "prctl", pid: a.pid, value: 1 },
      { type: "prctl", fn: "prctl", pid: a.pid, value: 0 },
    ]);
    // Registering came first (__ksm_enter), so the prctl is the step's last word.
    expect(events.findIndex((e) => e.type === "ksm-enter")).toBeLessThan(
      events.findIndex((e) => e.type === "prctl"),
    );
  });

  it("is kept across fork", () => {
    const k = newKernel("linux-6.18");
    const a = spawnWithRegion(k, "A", 1);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1)).toBe(0);
    const b = k.fork(a.pid, "B");
    if (typeof b === "string") throw new Error(b);
    expect(k.prctl(b.pid, PR_GET_MEMORY_MERGE, 0)).toBe(1);
    expect(ksmStat(b.mm)).toMatchObject({ ksm_merge_any: 1, ksm_mergeable: 1 });
  });

  it("0 unmerges every area, as MADV_UNMERGEABLE would, and areas mapped later stay unmergeable", () => {
    const k = newKernel("linux-6.18");
    const a = spawnWithRegion(k, "A", 3);
    fillPages(k, a, [3, 3, 3]);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1)).toBe(0);
    scans(k, 2);
    expect(ctr(k).slice(0, 2)).toEqual([1, 2]);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 0)).toBe(0);
    const mm = k.task(a.pid)!.mm;
    expect(ksmStat(mm)).toMatchObject({ ksm_merge_any: 0, ksm_mergeable: 0 });
    expect(mm.vmas.some((v) => v.vmFlags & VM_MERGEABLE)).toBe(false);
    for (let i = 0; i < 3; i++) expect(k.mem.isKsm(k.pageAt(a.pid, a.start + i * 4096))).toBe(false);
    const later = k.mmap(a.pid, 1) as number;
    expect(mm.vmas.find((v) => v.vmStart === later)!.vmFlags & VM_MERGEABLE).toBe(0);
    scans(k, 1); // no mergeable area left: ksmd drops the items and the slot
    expect(ctr(k).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expectSane(k);
  });

  it("0 that runs out of memory fails with ENOMEM; 6.18's OOM killer ranks by RSS + page tables", () => {
    const k = newKernel("linux-6.18", 12);
    const a = spawnWithRegion(k, "A", 6);
    fillPages(k, a, [3, 3, 3, 3, 3, 3]);
    const unique = k.mmap(a.pid, 3) as number;
    fillPages(k, { pid: a.pid, start: unique }, [1, 2, 4]);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1)).toBe(0);
    scans(k, 2);
    // H maps far more (total_vm 1000) but has fewer pages resident than A (9 PTEs).
    const h = spawnWithRegion(k, "H", 1000);
    fillPages(k, h, Array(k.mem.freeFrames).fill(2));
    expect(k.mem.freeFrames).toBe(0);
    expect(k.selectBadProcess()?.pid).toBe(a.pid);
    const ev = record(k);
    expect(k.prctl(a.pid, PR_SET_MEMORY_MERGE, 0)).toBe("ENOMEM");
    expect(ofType(ev, "oom-kill").map((e) => e.pid)).toEqual([a.pid]);
    expect(k.task(a.pid)).toBeNull();
    expect(k.task(h.pid)).not.toBeNull();
    expectSane(k);
  });
});
