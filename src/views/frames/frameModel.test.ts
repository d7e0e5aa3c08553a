import { beforeAll, describe, expect, it } from "vitest";
import type { KsmEvent } from "../../engine";
import { pageKey, resolveFocus } from "../../store/focus";
import { framesOfProcess, mappersOf } from "../../store/query";
import {
  FRAME_ANON,
  FRAME_FREE,
  FRAME_KSM,
  FRAME_ZERO,
  fakeSnapshot,
  loadEngineForTests,
  mergedMachine,
  pte,
} from "./fixtures";
import {
  cellOrigin,
  classifyFrame,
  countFrames,
  describeFrame,
  FRAME_KINDS,
  focusedPid,
  frameKindCode,
  framesHeadline,
  framesSummary,
  gridLayout,
  hitTest,
  moveCursor,
  pulsesFrom,
} from "./frameModel";

beforeAll(loadEngineForTests);

describe("classifyFrame", () => {
  it("tells anonymous pages shared by fork from the rest", () => {
    expect(classifyFrame(FRAME_FREE, 0)).toBe("free");
    expect(classifyFrame(FRAME_ANON, 1)).toBe("anon");
    expect(classifyFrame(FRAME_ANON, 2)).toBe("fork");
    expect(classifyFrame(FRAME_KSM, 3)).toBe("ksm");
    expect(classifyFrame(FRAME_KSM, 1)).toBe("ksm");
    expect(classifyFrame(FRAME_ZERO, 5)).toBe("zero");
  });

  it("numbers the kinds in the legend's order (frameKindCode), for the loops over every frame", () => {
    const cases: [number, number][] = [
      [FRAME_FREE, 0],
      [FRAME_ANON, 1],
      [FRAME_ANON, 2],
      [FRAME_KSM, 3],
      [FRAME_ZERO, 5],
    ];
    for (const [state, mapcount] of cases)
      expect(FRAME_KINDS[frameKindCode(state, mapcount)].kind).toBe(classifyFrame(state, mapcount));
    expect(cases.map(([st, mc]) => frameKindCode(st, mc))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("counts", () => {
  it("counts frames by kind and words the summary", () => {
    const s = fakeSnapshot({
      frames: [
        { state: FRAME_ZERO },
        { state: FRAME_ANON },
        { state: FRAME_ANON, mapcount: 2 },
        { state: FRAME_KSM, mapcount: 3 },
        { state: FRAME_FREE },
        { state: FRAME_FREE },
      ],
    });
    const c = countFrames(s.frames);
    expect(c).toEqual({ free: 2, anon: 1, fork: 1, ksm: 1, zero: 1 });
    expect(framesHeadline(s.frames)).toBe("6 frames, 2 free");
    expect(framesSummary(s.frames, c)).toBe(
      "Physical memory: 6 frames, 2 free; 1 anonymous page, 1 page shared by fork, 1 KSM page, 1 zero page.",
    );
  });

  it("matches the engine's free count on a real machine", () => {
    const m = mergedMachine();
    const s = m.snap();
    const c = countFrames(s.frames);
    expect(c.free).toBe(s.frames.free);
    expect(c.ksm).toBe(1);
    expect(c.zero).toBe(1);
  });
});

describe("gridLayout", () => {
  it("uses big cells for a small machine", () => {
    const l = gridLayout(16, 600, 1);
    expect(l.cols).toBe(16);
    expect(l.rows).toBe(1);
    expect(l.cell).toBeGreaterThanOrEqual(18);
    expect(l.width).toBeLessThanOrEqual(600);
  });

  it("fits 65,536 frames into the width and a bounded height", () => {
    const l = gridLayout(65536, 800, 1);
    expect(l.width).toBeLessThanOrEqual(800);
    expect(l.cols * l.rows).toBeGreaterThanOrEqual(65536);
    expect(l.height).toBeLessThanOrEqual(800);
    expect(l.devPitch).toBeGreaterThanOrEqual(1);
  });

  it("keeps pitches whole device pixels at fractional ratios", () => {
    for (const dpr of [1, 1.25, 1.5, 2, 3]) {
      const l = gridLayout(1024, 500, dpr);
      expect(Number.isInteger(l.devPitch)).toBe(true);
      expect(l.devWidth).toBe(l.cols * l.devPitch);
      expect(l.width * dpr).toBeCloseTo(l.devWidth);
      expect(l.width).toBeLessThanOrEqual(500);
      expect(l.devCell + l.devGap).toBe(l.devPitch);
    }
  });

  it("grows the cells as the width grows", () => {
    const narrow = gridLayout(4096, 300, 1);
    const wide = gridLayout(4096, 1200, 1);
    expect(wide.devPitch).toBeGreaterThan(narrow.devPitch);
  });

  it("scrolls rather than shrink below the minimum pitch", () => {
    const l = gridLayout(262144, 200, 1, { minPitch: 2 });
    expect(l.devPitch).toBe(2);
    expect(l.height).toBeGreaterThan(l.width);
  });

  it("handles an empty machine", () => {
    const l = gridLayout(0, 400, 2);
    expect(l.rows).toBe(0);
    expect(l.devHeight).toBe(0);
  });
});

describe("hit testing and the keyboard cursor", () => {
  const l = gridLayout(10, 4 * 20, 1, { maxPitch: 20, maxHeight: 1000 });

  it("finds the frame under a point, in CSS pixels", () => {
    expect(l.cols).toBe(4);
    expect(hitTest(l, 0, 0)).toBe(0);
    expect(hitTest(l, 25, 0)).toBe(1);
    expect(hitTest(l, 5, 45)).toBe(8);
    expect(hitTest(l, 45, 45)).toBe(-1); // past the last frame
    expect(hitTest(l, -1, 5)).toBe(-1);
    expect(hitTest(l, 200, 5)).toBe(-1);
  });

  it("agrees with cellOrigin at a device pixel ratio of 2", () => {
    const l2 = gridLayout(100, 200, 2);
    for (const pfn of [0, 7, 42, 99]) {
      const o = cellOrigin(l2, pfn);
      expect(hitTest(l2, (o.x + 1) / 2, (o.y + 1) / 2)).toBe(pfn);
    }
  });

  it("moves within the grid without wrapping up or down", () => {
    expect(moveCursor(0, "ArrowRight", l)).toBe(1);
    expect(moveCursor(0, "ArrowLeft", l)).toBe(0);
    expect(moveCursor(1, "ArrowDown", l)).toBe(5);
    expect(moveCursor(9, "ArrowDown", l)).toBe(9);
    expect(moveCursor(8, "ArrowUp", l)).toBe(4);
    expect(moveCursor(3, "ArrowRight", l)).toBe(4);
    expect(moveCursor(5, "End", l)).toBe(9);
    expect(moveCursor(5, "Home", l)).toBe(0);
    expect(moveCursor(2, "PageDown", l)).toBe(9);
    expect(moveCursor(2, "x", l)).toBe(2);
  });
});

describe("who maps a frame", () => {
  it("derives mappers from the PTEs", () => {
    const s = fakeSnapshot({
      frames: [{ state: FRAME_ZERO }, { state: FRAME_KSM, mapcount: 2 }, { state: FRAME_ANON }],
      processes: [
        {
          pid: 1,
          name: "A",
          totalVm: 2,
          registered: true,
          regions: [],
          vmas: [
            { start: 0x1000, end: 0x3000, mergeable: true, pte: Int32Array.of(pte(1, false), pte(2, true)) },
          ],
        },
        {
          pid: 2,
          name: "B",
          totalVm: 1,
          registered: false,
          regions: [],
          vmas: [{ start: 0x8000, end: 0x9000, mergeable: false, pte: Int32Array.of(pte(1, false)) }],
        },
      ],
    });
    expect(mappersOf(s, 1)).toEqual([
      { pid: 1, name: "A", addr: 0x1000, writable: false },
      { pid: 2, name: "B", addr: 0x8000, writable: false },
    ]);
    expect(mappersOf(s, 2)).toEqual([{ pid: 1, name: "A", addr: 0x2000, writable: true }]);
    expect(mappersOf(s, 0)).toEqual([]);
    expect(framesOfProcess(s, 1)).toEqual([1, 2]);
    expect(describeFrame(s, 1)).toBe(
      "Frame 1: KSM page, mapcount 2; mapped by A (pid 1) 0x1000 write-protected, B (pid 2) 0x8000 write-protected.",
    );
  });

  it("finds all three sharers of the merged page on a real machine", () => {
    const m = mergedMachine();
    const s = m.snap();
    const kpfn = s.frames.state.indexOf(FRAME_KSM);
    const mappers = mappersOf(s, kpfn);
    expect(mappers.map((x) => x.name).sort()).toEqual(["A", "A", "B"]);
    expect(mappers.every((x) => !x.writable)).toBe(true);
    expect(mappers).toHaveLength(s.frames.mapcount[kpfn]);
  });
});

describe("focusedPid", () => {
  it("is the page's process, or the one process a frame belongs to", () => {
    const m = mergedMachine();
    const s = m.snap();
    const page = { kind: "page" as const, pid: m.b.pid, addr: m.b.start };
    expect(focusedPid(page, resolveFocus(s, page))).toBe(m.b.pid);
    const kpfn = s.frames.state.indexOf(FRAME_KSM);
    const shared = { kind: "frame" as const, pfn: kpfn };
    expect(focusedPid(shared, resolveFocus(s, shared))).toBeNull(); // A and B share it
    const own = m.k.pageAt(m.a.pid, m.a.start + 2 * 4096);
    const single = { kind: "frame" as const, pfn: own };
    const lit = resolveFocus(s, single);
    expect(lit.pages.has(pageKey(m.a.pid, m.a.start + 2 * 4096))).toBe(true);
    expect(focusedPid(single, lit)).toBe(m.a.pid);
    expect(focusedPid(null, lit)).toBeNull();
  });
});

describe("pulsesFrom", () => {
  it("pulses both frames of a COW fault and the KSM frame of a merge", () => {
    const events: KsmEvent[] = [
      { type: "cow-fault", fn: "do_wp_page", pid: 1, addr: 0, from: 4, to: 9, ksm: true },
      { type: "break-cow", fn: "break_ksm", pid: 1, addr: 0, from: 5, to: null, errno: "ENOMEM" },
      { type: "merge-two", fn: "try_to_merge_two_pages", items: [1, 2], kpfn: 7, ok: true },
      { type: "merge-two", fn: "try_to_merge_two_pages", items: [1, 2], kpfn: null, ok: false },
      { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 6, kpfn: 7, ok: true },
      { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 6, kpfn: 8, ok: false },
      { type: "fault", fn: "do_anonymous_page", pid: 1, addr: 0, pfn: 3, write: true },
    ];
    expect(pulsesFrom(events)).toEqual([
      { pfn: 4, kind: "cow" },
      { pfn: 9, kind: "cow" },
      { pfn: 5, kind: "cow" },
      { pfn: 7, kind: "merge" },
      { pfn: 7, kind: "merge" },
    ]);
  });

  it("sees the engine's own merge and COW events", () => {
    const m = mergedMachine();
    const merges = pulsesFrom(m.events).filter((p) => p.kind === "merge");
    expect(merges.length).toBeGreaterThan(0);
    m.events.length = 0;
    expect(m.k.writeByte(m.a.pid, m.a.start, 7)).toBe(0);
    const cow = pulsesFrom(m.events);
    expect(cow.map((p) => p.kind)).toEqual(["cow", "cow"]);
    expect(cow[1].pfn).toBe(m.k.pageAt(m.a.pid, m.a.start));
  });
});
