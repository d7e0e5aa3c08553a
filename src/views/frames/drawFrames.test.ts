import { describe, expect, it } from "vitest";
import { contentColor, HIGHLIGHT, SHARED_BY_FORK, STATE_COLOR } from "../palette";
import { drawMapcounts, drawOverlay, paintFrameCells, paintFrames, stripeHeight } from "./drawFrames";
import { FRAME_ANON, FRAME_FREE, FRAME_KSM, FRAME_ZERO, fakeSnapshot } from "./fixtures";
import { cellOrigin, changedFrames, gridLayout } from "./frameModel";
import { parseColor } from "./raster";

/** A 2D context that records what is drawn. */
function recorder() {
  const calls: { op: string; args: unknown[]; style?: unknown }[] = [];
  const ctx = {
    fillStyle: "" as unknown,
    strokeStyle: "" as unknown,
    lineWidth: 1,
    globalAlpha: 1,
    font: "",
    textAlign: "",
    textBaseline: "",
  };
  const record =
    (op: string, style?: () => unknown) =>
    (...args: unknown[]) =>
      calls.push({ op, args, style: style?.() });
  Object.assign(ctx, {
    clearRect: record("clearRect"),
    beginPath: record("beginPath"),
    rect: record("rect"),
    stroke: record("stroke", () => ctx.strokeStyle),
    strokeRect: record("strokeRect", () => ctx.strokeStyle),
    fillText: record("fillText", () => ctx.fillStyle),
    setLineDash: record("setLineDash"),
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const FRAMES = [
  { state: FRAME_ZERO, mapcount: 4, content: 77 },
  { state: FRAME_ANON, content: 5 },
  { state: FRAME_ANON, mapcount: 2, content: 5 },
  { state: FRAME_KSM, mapcount: 3, content: 6 },
  { state: FRAME_FREE },
];
const snap = fakeSnapshot({ frames: FRAMES });

describe("paintFrameCells", () => {
  it("repaints the changed frames to the picture a full paint gives, and says which rows it touched", () => {
    const l = gridLayout(5, 40, 1, { maxPitch: 12 });
    // The free frame becomes a second KSM page.
    const after = fakeSnapshot({
      frames: [...FRAMES.slice(0, 4), { state: FRAME_KSM, mapcount: 2, content: 6 }],
    });
    const changed = changedFrames(snap.frames, after.frames);
    expect(changed).toEqual([4]);
    const buf = new Int32Array(l.devWidth * l.devHeight);
    paintFrames(buf, l, snap.frames);
    const rows = paintFrameCells(buf, l, after.frames, changed ?? []);
    const full = new Int32Array(buf.length);
    paintFrames(full, l, after.frames);
    expect(buf).toEqual(full);
    const y = cellOrigin(l, 4).y;
    expect(rows).toEqual([y, y + l.devCell]);
    expect(paintFrameCells(buf, l, after.frames, [])).toEqual([0, 0]);
  });
});

describe("paintFrames", () => {
  it("fills each cell by state with a content stripe at the bottom", () => {
    const l = gridLayout(5, 200, 1, { maxPitch: 20 });
    const buf = new Int32Array(l.devWidth * l.devHeight);
    paintFrames(buf, l, snap.frames);
    const px = (pfn: number, dx: number, dy: number) => {
      const o = cellOrigin(l, pfn);
      return buf[(o.y + dy) * l.devWidth + o.x + dx];
    };
    const bottom = l.devCell - 1;
    expect(stripeHeight(l.devCell)).toBeGreaterThan(0);
    expect(px(0, 1, 1)).toBe(parseColor(STATE_COLOR[FRAME_ZERO]));
    expect(px(1, 1, 1)).toBe(parseColor(STATE_COLOR[FRAME_ANON]));
    expect(px(2, 1, 1)).toBe(parseColor(SHARED_BY_FORK));
    expect(px(3, 1, 1)).toBe(parseColor(STATE_COLOR[FRAME_KSM]));
    expect(px(4, 1, 1)).toBe(parseColor(STATE_COLOR[FRAME_FREE]));
    // Equal contents, equal stripes; free frames have none.
    expect(px(1, 1, bottom)).toBe(parseColor(contentColor(5)));
    expect(px(2, 1, bottom)).toBe(px(1, 1, bottom));
    expect(px(3, 1, bottom)).not.toBe(px(1, 1, bottom));
    expect(px(4, 1, bottom)).toBe(parseColor(STATE_COLOR[FRAME_FREE]));
    // The gap between cells stays transparent.
    expect(buf[l.devCell]).toBe(0);
  });

  it("paints 65,536 frames quickly", () => {
    const big = fakeSnapshot({ frames: 65536 });
    const l = gridLayout(65536, 800, 2);
    const buf = new Int32Array(l.devWidth * l.devHeight);
    paintFrames(buf, l, big.frames); // warm up
    const t0 = performance.now();
    paintFrames(buf, l, big.frames);
    const ms = performance.now() - t0;
    console.log(`paintFrames 65536: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(500);
    expect(buf[0]).toBe(parseColor(STATE_COLOR[FRAME_ZERO]));
  });
});

describe("drawMapcounts", () => {
  it("writes the mapcount of every used frame when cells are large", () => {
    const l = gridLayout(5, 200, 1, { maxPitch: 24 });
    expect(l.cell).toBeGreaterThanOrEqual(18);
    const { ctx, calls } = recorder();
    drawMapcounts(ctx, l, snap.frames);
    expect(calls.filter((c) => c.op === "fillText").map((c) => c.args[0])).toEqual(["4", "1", "2", "3"]);
    expect(calls.find((c) => c.args[0] === "2")?.style).toBe("#ffffff"); // on the dark fork colour
  });

  it("writes nothing on small cells", () => {
    const { ctx, calls } = recorder();
    drawMapcounts(ctx, gridLayout(5, 200, 1, { maxPitch: 10 }), snap.frames);
    expect(calls).toEqual([]);
  });
});

describe("drawOverlay", () => {
  it("outlines lit frames in HIGHLIGHT and pulses fade out", () => {
    const l = gridLayout(5, 200, 1, { maxPitch: 20 });
    const { ctx, calls } = recorder();
    drawOverlay(ctx, l, { lit: [3], process: [1, 2], cursor: 4, pulses: [{ pfn: 2, kind: "cow", t: 0.5 }] });
    expect(calls[0].op).toBe("clearRect");
    const rects = calls.filter((c) => c.op === "rect");
    expect(rects.length).toBe(2 + 1 + 2); // process, lit, cursor (twice)
    const strokes = calls.filter((c) => c.op === "stroke").map((c) => c.style);
    expect(strokes.slice(0, 2)).toEqual([HIGHLIGHT, HIGHLIGHT]);
    const pulse = calls.filter((c) => c.op === "strokeRect");
    expect(pulse).toHaveLength(1);
  });

  it("skips frames out of range", () => {
    const l = gridLayout(5, 200, 1);
    const { ctx, calls } = recorder();
    drawOverlay(ctx, l, { lit: [99], process: [], cursor: -1, pulses: [{ pfn: 42, kind: "merge", t: 0 }] });
    expect(calls.filter((c) => c.op === "rect" || c.op === "strokeRect")).toEqual([]);
  });
});
