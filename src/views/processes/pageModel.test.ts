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
  flashKeys,
  indicesInVma,
  pageKind,
  pageLabel,
  planVmas,
  rmapIndex,
  vmaRange,
  vmaStats,
} from "./pageModel";

beforeAll(loadEngineForTests);

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

  it("counts a VMA's pages by kind", () => {
    const m = mergedMachine();
    const s = m.snap();
    const a = s.processes.find((p) => p.pid === m.a.pid)!;
    expect(vmaStats(s.frames, a.vmas[0])).toEqual({ present: 4, writable: 2, ksm: 2, zero: 0, fork: 0 });
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
