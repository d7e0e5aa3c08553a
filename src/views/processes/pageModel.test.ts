import { beforeAll, describe, expect, it } from "vitest";
import type { KsmEvent, ProcessView, VmaView } from "../../engine";
import { pageKey } from "../../store/focus";
import {
  FRAME_ANON,
  FRAME_KSM,
  FRAME_ZERO,
  fakeSnapshot,
  loadEngineForTests,
  mergedMachine,
  pte,
} from "../frames/fixtures";
import {
  DOM_PAGE_BUDGET,
  decodePte,
  flashKeys,
  indicesInVma,
  nextScanPage,
  pageKind,
  pageLabel,
  planVmas,
  rmapIndex,
  segmentAt,
  vmaRange,
  vmaSegments,
  vmaStats,
} from "./pageModel";

beforeAll(loadEngineForTests);

describe("decodePte", () => {
  it("decodes not present, writable and write-protected PTEs, the zero page included", () => {
    expect(decodePte(0)).toEqual({ present: false, pfn: -1, writable: false });
    expect(decodePte(pte(12, true))).toEqual({ present: true, pfn: 12, writable: true });
    expect(decodePte(pte(12, false))).toEqual({ present: true, pfn: 12, writable: false });
    expect(decodePte(pte(0, false))).toEqual({ present: true, pfn: 0, writable: false });
  });
});

describe("pageKind", () => {
  it("says what backs a page", () => {
    const s = fakeSnapshot({
      frames: [
        { state: FRAME_ZERO },
        { state: FRAME_ANON },
        { state: FRAME_ANON, mapcount: 2 },
        { state: FRAME_KSM },
      ],
    });
    expect(pageKind(s.frames, 0)).toBe("absent");
    expect(pageKind(s.frames, pte(0, false))).toBe("zero");
    expect(pageKind(s.frames, pte(1, true))).toBe("anon");
    expect(pageKind(s.frames, pte(2, false))).toBe("fork");
    expect(pageKind(s.frames, pte(3, false))).toBe("ksm");
    expect(pageKind(s.frames, pte(99, false))).toBe("free");
  });
});

describe("addresses and labels", () => {
  it("writes VMA ranges in hex", () => {
    expect(vmaRange({ start: 0x7effffffc000, end: 0x7f0000000000 })).toBe("0x7effffffc000–0x7f0000000000");
  });

  it("labels a page for screen readers", () => {
    const label = pageLabel({
      name: "A",
      page: 3,
      addr: 0x7effffffc000,
      pte: pte(12, false),
      kind: "ksm",
      rmap: "stable",
      cursor: true,
    });
    expect(label).toBe(
      "A page 3 at 0x7effffffc000: KSM page 12, write-protected; rmap_item chained on a stable node; ksmd scans it next",
    );
    expect(pageLabel({ name: "B", region: "heap", page: 0, addr: 0x1000, pte: 0, kind: "absent" })).toBe(
      "B page 0 of heap at 0x1000: not present",
    );
    expect(pageLabel({ name: "B", page: 1, addr: 0x2000, pte: pte(0, false), kind: "zero" })).toBe(
      "B page 1 at 0x2000: zero page, write-protected",
    );
    expect(pageLabel({ name: "B", page: 1, addr: 0x2000, pte: pte(5, true), kind: "anon" })).toBe(
      "B page 1 at 0x2000: anonymous frame 5, writable",
    );
  });
});

function vma(start: number, pages: number, mergeable = true): VmaView {
  return { start, end: start + pages * 4096, mergeable, pte: new Int32Array(pages) };
}

describe("vmaSegments", () => {
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

  it("names a VMA by the region starting in it", () => {
    expect(vmaSegments(p, p.vmas[0])).toEqual([{ from: 0, name: "s", base: 0 }]);
    expect(vmaSegments(p, p.vmas[1])).toEqual([{ from: 0, name: "r", base: 0 }]);
  });

  it("gives the upper part of a split region its name and page numbers", () => {
    expect(vmaSegments(p, p.vmas[2])).toEqual([{ from: 0, name: "r", base: 2 }]);
  });

  it("tells two regions apart inside one merged VMA", () => {
    const merged: ProcessView = { ...p, vmas: [vma(base, 8)] };
    const segs = vmaSegments(merged, merged.vmas[0]);
    expect(segs).toEqual([
      { from: 0, name: "s", base: 0 },
      { from: 4, name: "r", base: 0 },
    ]);
    expect(segmentAt(segs, 3).name).toBe("s");
    expect(segmentAt(segs, 5)).toEqual({ from: 4, name: "r", base: 0 });
  });

  it("does not reach across a gap", () => {
    const gap: ProcessView = {
      ...p,
      vmas: [vma(base, 4), vma(base + 0x5000, 2)],
      regions: [{ start: base, name: "s" }],
    };
    expect(vmaSegments(gap, gap.vmas[1])).toEqual([{ from: 0, name: null, base: 0 }]);
  });
});

describe("on a real machine", () => {
  it("indexes every rmap_item's place", () => {
    const m = mergedMachine();
    const s = m.snap();
    const r = rmapIndex(s);
    const a = r.get(m.a.pid)!;
    expect([0, 1, 2, 3].map((i) => a.get(m.a.start + i * 4096))).toEqual([
      "stable-node",
      "stable",
      "unstable",
      "unstable",
    ]);
    expect(r.get(m.b.pid)?.get(m.b.start)).toBe("stable");
  });

  it("finds the page ksmd scans next, following the cursor", () => {
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
  });

  it("counts a VMA's pages by kind", () => {
    const m = mergedMachine();
    const s = m.snap();
    const a = s.processes.find((p) => p.pid === m.a.pid)!;
    expect(vmaStats(s.frames, a.vmas[0])).toEqual({ present: 4, writable: 2, ksm: 2, zero: 0, fork: 0 });
  });
});

describe("nextScanPage", () => {
  it("skips not-present, zero and non-mergeable pages, and is null with nothing to scan", () => {
    const frames = [{ state: FRAME_ZERO }, { state: FRAME_ANON }, { state: FRAME_ANON }];
    const v1 = vma(0x1000, 3);
    v1.pte.set([0, pte(0, false), pte(1, true)]);
    const v0 = vma(0x0, 1, false);
    v0.pte.set([pte(2, true)]);
    const proc: ProcessView = {
      pid: 7,
      name: "P",
      totalVm: 4,
      registered: true,
      vmas: [v0, v1],
      regions: [],
    };
    const s = fakeSnapshot({
      frames,
      processes: [proc],
      slots: [{ pid: 7, exiting: false, items: [], itemCount: 0 }],
      cursor: { pid: 7, address: 0 },
    });
    expect(nextScanPage(s)).toEqual({ pid: 7, addr: 0x3000 });
    expect(nextScanPage({ ...s, slots: [] })).toBeNull();
  });
});

describe("planVmas", () => {
  it("keeps the page buttons within the budget and sends large VMAs to canvas", () => {
    const procs: ProcessView[] = Array.from({ length: 10 }, (_, i) => ({
      pid: i + 1,
      name: `P${i}`,
      totalVm: 0,
      registered: false,
      regions: [],
      vmas: [vma(0x100000, 300), vma(0x400000, 600)],
    }));
    const plan = planVmas(procs);
    expect(plan.get(pageKey(1, 0x100000))).toBe("dom");
    expect(plan.get(pageKey(1, 0x400000))).toBe("canvas");
    let dom = 0;
    for (const p of procs)
      for (const v of p.vmas) if (plan.get(pageKey(p.pid, v.start)) === "dom") dom += v.pte.length;
    expect(dom).toBeLessThanOrEqual(DOM_PAGE_BUDGET);
    expect(plan.get(pageKey(10, 0x100000))).toBe("canvas");
  });
});

describe("flashKeys and indicesInVma", () => {
  it("flashes the page a COW fault gave its own copy", () => {
    const events: KsmEvent[] = [
      { type: "cow-fault", fn: "do_wp_page", pid: 1, addr: 0x2000, from: 4, to: 9, ksm: true },
      { type: "break-cow", fn: "break_ksm", pid: 2, addr: 0x3000, from: 4, to: null, errno: "ENOMEM" },
      { type: "break-cow", fn: "break_ksm", pid: 2, addr: 0x4000, from: 4, to: 5 },
    ];
    expect([...flashKeys(events)]).toEqual(["1:8192", "2:16384"]);
    expect(
      indicesInVma(["1:8192", "1:4096", "2:8192", "1:65536"], 1, { start: 0x1000, end: 0x3000 }),
    ).toEqual([1, 0]);
  });
});
