import { beforeAll, describe, expect, it } from "vitest";
import {
  FRAME_ANON,
  frameMappers,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  type ProcessView,
  processAreas,
  type VmaView,
} from "../engine";
import { FRAME_ZERO, fakeSnapshot, loadEngineForTests, mergedMachine, pte } from "../views/frames/fixtures";
import {
  areaAt,
  areasOf,
  decodePte,
  frameAt,
  framesOfProcess,
  mapperCount,
  mappersOf,
  nextScanPage,
  processName,
} from "./query";

beforeAll(loadEngineForTests);

function vma(start: number, pages: number, mergeable = true): VmaView {
  return { start, end: start + pages * 4096, mergeable, pte: new Int32Array(pages) };
}

/** Every mapper of every frame, the slow way: a walk of every page table. */
function walk(processes: readonly ProcessView[], pfn: number) {
  const out: { pid: number; addr: number; writable: boolean }[] = [];
  for (const p of processes)
    for (const v of p.vmas)
      v.pte.forEach((e, i) => {
        const d = decodePte(e);
        if (d.pfn === pfn) out.push({ pid: p.pid, addr: v.start + i * 4096, writable: d.writable });
      });
  return out;
}

describe("decodePte", () => {
  it("decodes not present, writable and write-protected PTEs, the zero page included", () => {
    expect(decodePte(0)).toEqual({ present: false, pfn: -1, writable: false });
    expect(decodePte(pte(12, true))).toEqual({ present: true, pfn: 12, writable: true });
    expect(decodePte(pte(12, false))).toEqual({ present: true, pfn: 12, writable: false });
    expect(decodePte(pte(0, false))).toEqual({ present: true, pfn: 0, writable: false });
  });
});

describe("the frame → mappers index", () => {
  it("lists the same mappers as a walk of the page tables, on a real machine", () => {
    const m = mergedMachine();
    m.k.fork(m.a.pid, "child");
    const s = m.snap();
    for (let pfn = 0; pfn < s.frames.count; pfn++) {
      const got = mappersOf(s, pfn).map(({ pid, addr, writable }) => ({ pid, addr, writable }));
      expect(got).toEqual(walk(s.processes, pfn));
      expect(mapperCount(s, pfn)).toBe(got.length);
    }
    const kpfn = frameAt(s, m.a.pid, m.a.start);
    expect(mapperCount(s, kpfn)).toBe(s.frames.mapcount[kpfn]);
    expect(mappersOf(s, -1)).toEqual([]);
    expect(mappersOf(s, s.frames.count)).toEqual([]);
  });

  it("indexes 65,536 frames, each mapped once, in compact rows", () => {
    const frames = 65536;
    const v = vma(0x10000000, frames);
    for (let i = 0; i < frames; i++) v.pte[i] = pte(frames - 1 - i, i % 2 === 0);
    const idx = frameMappers(frames, [{ pid: 3, vmas: [v], regions: [] }]);
    expect(idx.start.length).toBe(frames + 1);
    expect(idx.pid.length).toBe(frames);
    // Frame f is mapped by page (frames - 1 - f).
    for (const f of [0, 1, 4095, 65535]) {
      expect(idx.start[f + 1] - idx.start[f]).toBe(1);
      expect(idx.addr[idx.start[f]]).toBe(v.start + (frames - 1 - f) * 4096);
      expect(idx.writable[idx.start[f]]).toBe((frames - 1 - f) % 2 === 0 ? 1 : 0);
    }
  });
});

describe("lookups", () => {
  it("finds the frame at an address, a process's frames and its name", () => {
    const v = vma(0x1000, 3);
    v.pte.set([0, pte(2, true), pte(1, false)]);
    const s = fakeSnapshot({
      frames: [{ state: FRAME_ZERO }, { state: FRAME_ANON }, { state: FRAME_ANON }],
      processes: [{ pid: 4, name: "P", totalVm: 3, registered: false, vmas: [v], regions: [] }],
    });
    expect(frameAt(s, 4, 0x1000)).toBe(-1);
    expect(frameAt(s, 4, 0x2000)).toBe(2);
    expect(frameAt(s, 4, 0x9000)).toBe(-1);
    expect(framesOfProcess(s, 4)).toEqual([1, 2]);
    expect(processName(s, 4)).toBe("P");
    expect(processName(s, 5)).toBe("pid 5");
  });
});

describe("regions (Snapshot.index.areas)", () => {
  const base = 0x10000;
  // Region "r" (4 pages) at base+0x4000 split by madvise in two VMAs; region "s" (4 pages) below it.
  const p: ProcessView = {
    pid: 1,
    name: "A",
    totalVm: 8,
    registered: true,
    vmas: [vma(base, 4), vma(base + 0x4000, 2, false), vma(base + 0x6000, 2)],
    regions: [
      { start: base + 0x4000, name: "r" },
      { start: base, name: "s" },
    ],
  };
  const areas = (q: ProcessView, i: number) =>
    areasOf(fakeSnapshot({ frames: 1, processes: [q] }), q.pid, q.vmas[i].start);

  it("names a VMA by the region starting in it", () => {
    expect(areas(p, 0)).toEqual([{ from: 0, name: "s", base: 0 }]);
    expect(areas(p, 1)).toEqual([{ from: 0, name: "r", base: 0 }]);
  });

  it("gives the upper part of a split region its name and page numbers", () => {
    expect(areas(p, 2)).toEqual([{ from: 0, name: "r", base: 2 }]);
  });

  it("tells two regions apart inside one merged VMA", () => {
    const merged: ProcessView = { ...p, vmas: [vma(base, 8)] };
    const segs = areas(merged, 0);
    expect(segs).toEqual([
      { from: 0, name: "s", base: 0 },
      { from: 4, name: "r", base: 0 },
    ]);
    expect(areaAt(segs, 3).name).toBe("s");
    expect(areaAt(segs, 5)).toEqual({ from: 4, name: "r", base: 0 });
  });

  it("does not reach across a gap", () => {
    const gap: ProcessView = {
      ...p,
      vmas: [vma(base, 4), vma(base + 0x5000, 2)],
      regions: [{ start: base, name: "s" }],
    };
    expect(areas(gap, 1)).toEqual([{ from: 0, name: null, base: 0 }]);
    expect(processAreas([gap])).toEqual({
      [`1:${base}`]: [{ from: 0, name: "s", base: 0 }],
      [`1:${base + 0x5000}`]: [{ from: 0, name: null, base: 0 }],
    });
  });
});

describe("nextScanPage (Snapshot.index.nextScan)", () => {
  it("follows ksmd's cursor, and is the page ksmd then visits", () => {
    const m = mergedMachine();
    let s = m.snap();
    expect(s.cursor.pid).toBeNull(); // between full scans
    expect(nextScanPage(s)).toEqual({ pid: m.a.pid, addr: m.a.start });
    m.k.ksm.ksmDoScan(1);
    s = m.snap();
    expect(s.cursor.pid).toBe(m.a.pid);
    expect(nextScanPage(s)).toEqual({ pid: m.a.pid, addr: m.a.start + 4096 });
    m.k.ksm.ksmDoScan(3);
    expect(nextScanPage(m.snap())).toEqual({ pid: m.b.pid, addr: m.b.start });
    m.k.ksm.ksmDoScan(2);
    expect(nextScanPage(m.snap())).toEqual({ pid: m.a.pid, addr: m.a.start });
    // Whatever the cursor, the page predicted is the one the next visit reports.
    for (let i = 0; i < 9; i++) {
      const want = nextScanPage(m.snap());
      m.events.length = 0;
      // (At the end of a full scan, one call only ends it: the next one visits.)
      while (!m.events.some((e) => e.type === "visit")) m.k.ksm.ksmDoScan(1);
      const visit = m.events.find((e) => e.type === "visit");
      expect(visit && { pid: visit.pid, addr: visit.addr }).toEqual(want);
    }
  });

  it("passes over pages not present, the zero page and areas not mergeable; null with nothing to scan", () => {
    const m = mergedMachine();
    const t = m.k.spawn("C");
    const plain = m.k.mmap(t.pid, 2, "plain") as number;
    const area = m.k.mmap(t.pid, 4, "area") as number;
    m.k.fill(t.pid, plain, 2, 5); // present but not mergeable
    m.k.readByte(t.pid, area); // the zero page
    m.k.fill(t.pid, area + 3 * 4096, 1, 6); // page 3 present, page 2 never touched
    m.k.madvise(t.pid, area, 4 * 4096, MADV_MERGEABLE);
    // Move ksmd's cursor to C: A's and B's six pages, then C is next.
    m.k.ksm.ksmDoScan(6);
    expect(nextScanPage(m.snap())).toEqual({ pid: t.pid, addr: area + 3 * 4096 });
    for (const [pid, start, pages] of [
      [m.a.pid, m.a.start, 4],
      [m.b.pid, m.b.start, 2],
      [t.pid, area, 4],
    ])
      m.k.madvise(pid, start, pages * 4096, MADV_UNMERGEABLE);
    expect(nextScanPage(m.snap())).toBeNull();
  });
});
