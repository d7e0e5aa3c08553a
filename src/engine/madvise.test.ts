import { beforeAll, describe, expect, it } from "vitest";
import { type Kernel, MADV_MERGEABLE, MADV_UNMERGEABLE } from "./kernel";
import { PROFILES } from "./ksm/profile";
import { FRAME_ANON, FRAME_KSM } from "./memory";
import { MMF_VM_MERGEABLE, pteWrite, VM_MERGEABLE, VM_READ, VM_WRITE, vmaAt } from "./mm";
import {
  byteAt,
  ctr,
  expectSane,
  fillPages,
  loadEngine,
  mergeableProc,
  newKernel,
  ofType,
  type Proc,
  pageAddr,
  pfnAt,
  record,
  scans,
  spawnWithRegion,
} from "./testing";
import { PAGE_SIZE } from "./types";

beforeAll(loadEngine);

const RW = VM_READ | VM_WRITE;
const RWM = RW | VM_MERGEABLE;

/** The process's VMAs as [first page, end page, flags], pages counted from p.start. */
function layout(k: Kernel, p: Proc): [number, number, number][] {
  return k
    .task(p.pid)!
    .mm.vmas.map((v) => [(v.vmStart - p.start) / PAGE_SIZE, (v.vmEnd - p.start) / PAGE_SIZE, v.vmFlags]);
}

describe("madvise arguments", () => {
  it("EINVAL for an unaligned start, an unknown advice or a negative length; nothing changes", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 2);
    const ev = record(k);
    expect(k.madvise(p.pid, p.start + 1, PAGE_SIZE, MADV_MERGEABLE)).toBe("EINVAL");
    expect(k.madvise(p.pid, p.start + 2048, PAGE_SIZE, MADV_UNMERGEABLE)).toBe("EINVAL");
    expect(k.madvise(p.pid, p.start, PAGE_SIZE, 14)).toBe("EINVAL");
    expect(k.madvise(p.pid, p.start, PAGE_SIZE, 0)).toBe("EINVAL");
    expect(k.madvise(p.pid, p.start, -1, MADV_MERGEABLE)).toBe("EINVAL");
    expect(k.madvise(p.pid, p.start, -PAGE_SIZE, MADV_MERGEABLE)).toBe("EINVAL");
    expect(k.madvise(p.pid, -PAGE_SIZE, PAGE_SIZE, MADV_MERGEABLE)).toBe("EINVAL");
    expect(layout(k, p)).toEqual([[0, 2, RW]]);
    expect(k.ksm.slots()).toEqual([]);
    expect(ofType(ev, "madvise").map((e) => [e.advice, e.errno])).toEqual([
      ["MADV_MERGEABLE", "EINVAL"],
      ["MADV_UNMERGEABLE", "EINVAL"],
      ["14", "EINVAL"],
      ["0", "EINVAL"],
      ["MADV_MERGEABLE", "EINVAL"],
      ["MADV_MERGEABLE", "EINVAL"],
      ["MADV_MERGEABLE", "EINVAL"],
    ]);
    expect(ofType(ev, "ksm-enter")).toEqual([]);
  });

  it("ESRCH for a pid that does not exist", () => {
    const k = newKernel();
    expect(k.madvise(7, 0x1000, PAGE_SIZE, MADV_MERGEABLE)).toBe("ESRCH");
  });

  it("length 0 succeeds and does nothing, even over unmapped addresses", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 2);
    expect(k.madvise(p.pid, p.start, 0, MADV_MERGEABLE)).toBe(0);
    expect(k.madvise(p.pid, 0x1000, 0, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([[0, 2, RW]]);
    expect(k.ksm.slots()).toEqual([]);
    expect(k.task(p.pid)!.mm.flags & MMF_VM_MERGEABLE).toBe(0);
  });

  it("rounds the length up to whole pages", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 4);
    expect(k.madvise(p.pid, p.start, 1, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 1, RWM],
      [1, 4, RW],
    ]);
    expect(k.madvise(p.pid, pageAddr(p, 1), PAGE_SIZE + 1, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 3, RWM],
      [3, 4, RW],
    ]);
  });

  it("ENOMEM for a range with a gap, after applying the advice to the mapped parts", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 5);
    expect(k.munmap(p.pid, pageAddr(p, 2), PAGE_SIZE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 2, RW],
      [3, 5, RW],
    ]);
    const ev = record(k);
    expect(k.madvise(p.pid, p.start, 5 * PAGE_SIZE, MADV_MERGEABLE)).toBe("ENOMEM");
    expect(layout(k, p)).toEqual([
      [0, 2, RWM],
      [3, 5, RWM],
    ]);
    expect(k.ksm.slots().map((s) => s.mm)).toEqual([k.task(p.pid)!.mm]);
    expect(ofType(ev, "madvise").map((e) => e.errno)).toEqual(["ENOMEM"]);

    expect(k.madvise(p.pid, p.start, 5 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe("ENOMEM");
    expect(layout(k, p)).toEqual([
      [0, 2, RW],
      [3, 5, RW],
    ]);
  });

  it("ENOMEM when the range starts in a gap, still advising what follows", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 3);
    expect(k.munmap(p.pid, p.start, PAGE_SIZE)).toBe(0);
    expect(k.madvise(p.pid, p.start, 2 * PAGE_SIZE, MADV_MERGEABLE)).toBe("ENOMEM");
    expect(layout(k, p)).toEqual([
      [1, 2, RWM],
      [2, 3, RW],
    ]);
  });

  it("ENOMEM and no change when nothing at all is mapped in the range", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 2);
    expect(k.madvise(p.pid, pageAddr(p, 2), PAGE_SIZE, MADV_MERGEABLE)).toBe("ENOMEM");
    expect(k.madvise(p.pid, p.start - PAGE_SIZE, PAGE_SIZE, MADV_MERGEABLE)).toBe("ENOMEM");
    expect(layout(k, p)).toEqual([[0, 2, RW]]);
    expect(k.ksm.slots()).toEqual([]);
  });
});

describe("madvise and VMAs", () => {
  it("splits VMAs at the range's edges and merges neighbours with equal flags again", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 4);
    fillPages(k, p, [10, 11, 12, 13]);
    const pfns = [0, 1, 2, 3].map((i) => pfnAt(k, p, i));

    expect(k.madvise(p.pid, pageAddr(p, 1), 2 * PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 1, RW],
      [1, 3, RWM],
      [3, 4, RW],
    ]);
    // the pieces keep their page tables
    expect([0, 1, 2, 3].map((i) => pfnAt(k, p, i))).toEqual(pfns);
    expect([0, 1, 2, 3].map((i) => byteAt(k, p, i))).toEqual([10, 11, 12, 13]);

    expect(k.madvise(p.pid, p.start, PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 3, RWM],
      [3, 4, RW],
    ]);
    expect(k.madvise(p.pid, pageAddr(p, 3), PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([[0, 4, RWM]]);
    expect([0, 1, 2, 3].map((i) => pfnAt(k, p, i))).toEqual(pfns);

    expect(k.madvise(p.pid, pageAddr(p, 2), PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([
      [0, 2, RWM],
      [2, 3, RW],
      [3, 4, RWM],
    ]);
    expect(k.madvise(p.pid, p.start, 4 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(layout(k, p)).toEqual([[0, 4, RW]]);
    expect([0, 1, 2, 3].map((i) => pfnAt(k, p, i))).toEqual(pfns);
    expectSane(k);
  });

  it("ignores MADV_MERGEABLE on an already mergeable area: no split, no second registration", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 4);
    expect(k.madvise(p.pid, p.start, 4 * PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    const vma = k.task(p.pid)!.mm.vmas[0];
    const ev = record(k);
    expect(k.madvise(p.pid, pageAddr(p, 1), PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(k.task(p.pid)!.mm.vmas).toEqual([vma]);
    expect(layout(k, p)).toEqual([[0, 4, RWM]]);
    expect(ofType(ev, "ksm-enter")).toEqual([]);
    expect(k.ksm.slots().length).toBe(1);
  });

  it("ignores MADV_UNMERGEABLE on an area that was never mergeable", () => {
    const k = newKernel();
    const p = spawnWithRegion(k, "A", 3);
    fillPages(k, p, [1, 1, 1]);
    const vma = k.task(p.pid)!.mm.vmas[0];
    expect(k.madvise(p.pid, pageAddr(p, 1), PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(k.task(p.pid)!.mm.vmas).toEqual([vma]);
    expect(layout(k, p)).toEqual([[0, 3, RW]]);
    expect(k.ksm.slots()).toEqual([]);
  });
});

describe("MADV_MERGEABLE registration", () => {
  it("registers the mm once, on its first advice, and wakes ksmd only for the first mm", () => {
    const k = newKernel();
    const a = spawnWithRegion(k, "A", 4);
    const b = spawnWithRegion(k, "B", 1);
    const ev = record(k);
    expect(k.madvise(a.pid, a.start, PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(k.madvise(a.pid, pageAddr(a, 2), PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(k.madvise(b.pid, b.start, PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    const mmA = k.task(a.pid)!.mm;
    const mmB = k.task(b.pid)!.mm;
    expect(k.ksm.slots().map((s) => s.mm)).toEqual([mmA, mmB]);
    expect(mmA.flags & MMF_VM_MERGEABLE).toBe(MMF_VM_MERGEABLE);
    expect(k.ksm.mmSlotsHash.get(mmA)).toBe(k.ksm.slots()[0]);
    expect(ofType(ev, "ksm-enter")).toEqual([
      { type: "ksm-enter", fn: "__ksm_enter", pid: a.pid, wakeup: true },
      { type: "ksm-enter", fn: "__ksm_enter", pid: b.pid, wakeup: false },
    ]);
    expectSane(k);
  });

  it("inserts a new slot at the list's end while the cursor is at the head", () => {
    const k = newKernel();
    const procs = ["A", "B", "C"].map((n) => mergeableProc(k, n, [1, 2]));
    expect(k.ksm.ksmScan.mmSlot).toBe(k.ksm.ksmMmHead);
    expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual(procs.map((p) => p.pid));
  });

  it("inserts a new slot just behind the scan cursor when the cursor is mid-list", () => {
    const k = newKernel();
    const [a, b, c] = ["A", "B", "C"].map((n) => mergeableProc(k, n, [1, 2]));
    // A's two pages and B's first: the cursor now stands in B's slot.
    expect(k.ksm.ksmDoScan(3)).toBe(3);
    expect(k.ksm.ksmScan.mmSlot.mm).toBe(k.task(b.pid)!.mm);
    const d = mergeableProc(k, "D", [1]);
    expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([a.pid, d.pid, b.pid, c.pid]);
    // so D is scanned last in this pass: B1, C0, C1, then the scan ends
    const ev = record(k);
    expect(k.ksm.ksmDoScan(10)).toBe(3);
    expect(ofType(ev, "visit").map((e) => e.pid)).toEqual([b.pid, c.pid, c.pid]);
    expect(k.ksm.fullScans).toBe(1);
    // and first in the next pass after A
    ev.length = 0;
    expect(k.ksm.ksmDoScan(10)).toBe(7);
    expect(ofType(ev, "visit").map((e) => e.pid)).toEqual([a.pid, a.pid, d.pid, b.pid, b.pid, c.pid, c.pid]);
    expectSane(k);
  });
  it("an mm forgotten by ksmd registers again on its next MADV_MERGEABLE", () => {
    const k = newKernel();
    const a = mergeableProc(k, "A", [7]);
    scans(k, 1);
    expect(k.madvise(a.pid, a.start, PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    scans(k, 1);
    expect(k.ksm.slots()).toEqual([]);
    const ev = record(k);
    expect(k.madvise(a.pid, a.start, PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    expect(ofType(ev, "ksm-enter")).toEqual([
      { type: "ksm-enter", fn: "__ksm_enter", pid: a.pid, wakeup: true },
    ]);
    expect(k.ksm.slots().map((s) => s.mm)).toEqual([k.task(a.pid)!.mm]);
    scans(k, 1);
    expect(ctr(k)).toEqual([0, 0, 0, 1, 3]);
    expectSane(k);
  });

  it("a child of a registered process is registered at fork, behind the cursor", () => {
    const k = newKernel();
    const a = mergeableProc(k, "A", [7, 8]);
    const b = mergeableProc(k, "B", [9]);
    expect(k.ksm.ksmDoScan(1)).toBe(1); // cursor in A's slot
    const ev = record(k);
    const child = k.fork(a.pid, "A2");
    if (typeof child === "string") throw new Error(child);
    expect(ofType(ev, "ksm-enter")).toEqual([
      { type: "ksm-enter", fn: "__ksm_enter", pid: child.pid, wakeup: false },
    ]);
    expect(child.mm.flags & MMF_VM_MERGEABLE).toBe(MMF_VM_MERGEABLE);
    expect(k.ksm.slots().map((s) => s.mm!.owner)).toEqual([child.pid, a.pid, b.pid]);
    expect(k.ksm.slots()[0].rmapList).toBeNull(); // rmap_items are not copied
    expect(child.mm.vmas.map((v) => v.vmFlags)).toEqual([RWM]);
  });

  it("a child of an unregistered process is not registered", () => {
    const k = newKernel();
    const a = spawnWithRegion(k, "A", 1);
    const child = k.fork(a.pid, "A2");
    if (typeof child === "string") throw new Error(child);
    expect(k.ksm.slots()).toEqual([]);
    expect(child.mm.flags & MMF_VM_MERGEABLE).toBe(0);
  });
});

describe("MADV_UNMERGEABLE", () => {
  for (const profile of PROFILES) {
    it(`${profile}: breaks COW on the KSM pages in the range; counters drop on ksmd's next pass`, () => {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [7, 7, 7, 7]);
      scans(k, 2);
      const kpage = pfnAt(k, a, 0);
      expect([0, 1, 2, 3].map((i) => pfnAt(k, a, i))).toEqual([kpage, kpage, kpage, kpage]);
      expect(k.mem.state[kpage]).toBe(FRAME_KSM);
      expect(ctr(k)).toEqual([1, 3, 0, 0, 2]);

      const ev = record(k);
      expect(k.madvise(a.pid, a.start, 2 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
      const [p0, p1] = [pfnAt(k, a, 0), pfnAt(k, a, 1)];
      expect(new Set([p0, p1, kpage]).size).toBe(3);
      expect([k.mem.state[p0], k.mem.state[p1]]).toEqual([FRAME_ANON, FRAME_ANON]);
      expect(k.mem.mapcount[kpage]).toBe(2);
      expect([0, 1, 2, 3].map((i) => byteAt(k, a, i))).toEqual([7, 7, 7, 7]);
      expect(ofType(ev, "break-cow").map((e) => [e.addr, e.from])).toEqual([
        [pageAddr(a, 0), kpage],
        [pageAddr(a, 1), kpage],
      ]);
      expect(layout(k, a)).toEqual([
        [0, 2, RW],
        [2, 4, RWM],
      ]);
      // the counters wait for ksmd
      expect(ctr(k)).toEqual([1, 3, 0, 0, 2]);
      expectSane(k);

      scans(k, 1);
      expect(ctr(k)).toEqual([1, 1, 0, 0, 3]);
      expectSane(k);
    });
  }

  it("linux-2.6.32 breaks COW by a write fault (PTE writable); linux-6.18 unshares (PTE read-only)", () => {
    for (const [profile, writableAfter] of [
      ["linux-2.6.32", true],
      ["linux-6.18", false],
    ] as const) {
      const k = newKernel(profile);
      const a = mergeableProc(k, "A", [7, 7]);
      scans(k, 2);
      expect(k.madvise(a.pid, a.start, PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
      const vma = vmaAt(k.task(a.pid)!.mm, a.start)!;
      expect(pteWrite(vma.pte[0])).toBe(writableAfter);
      expectSane(k);
    }
  });

  it("unmerging a whole area registered alone lets ksmd forget the mm on its next pass", () => {
    const k = newKernel();
    const a = mergeableProc(k, "A", [7, 7]);
    scans(k, 2);
    expect(k.madvise(a.pid, a.start, 2 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(k.ksm.slots().length).toBe(1);
    expect(ctr(k)).toEqual([1, 1, 0, 0, 2]);
    const ev = record(k);
    scans(k, 1);
    expect(ctr(k)).toEqual([0, 0, 0, 0, 3]);
    expect(k.ksm.slots()).toEqual([]);
    expect(k.task(a.pid)!.mm.flags & MMF_VM_MERGEABLE).toBe(0);
    expect(ofType(ev, "slot-removed")).toEqual([
      { type: "slot-removed", fn: "scan_get_next_rmap_item", pid: a.pid },
    ]);
    expectSane(k);
  });
});
