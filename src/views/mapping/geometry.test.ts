import { describe, expect, it } from "vitest";
import { cssGrid, frameRect, gridLayout, hitTest } from "../frames/frameModel";
import { buttonGrid, PAGE_BUTTON, pageRect } from "../processes/pageModel";
import { viewBoxPoint } from "../trees/geometry";
import { cellRect, edgeToward, facingEdges, placeGrid } from "./geometry";

describe("the views' layout functions", () => {
  it("page buttons: as many 20 px columns with 3 px gaps as fit (CSS grid's auto-fill), below a 6 px pad", () => {
    expect(buttonGrid(200).cols).toBe(8); // 8 × 20 + 7 × 3 = 181 ≤ 200 < 204
    expect(buttonGrid(203).cols).toBe(8);
    expect(buttonGrid(204).cols).toBe(9); // 9 × 20 + 8 × 3 = 204
    expect(buttonGrid(5).cols).toBe(1);
    expect(pageRect(buttonGrid(200), 9)).toEqual({ x: 23, y: PAGE_BUTTON.top + 23, w: 20, h: 20 });
  });

  it("frames: a cell's rectangle in CSS px is where hitTest finds that frame", () => {
    for (const dpr of [1, 1.5, 2]) {
      const layout = gridLayout(1000, 333, dpr);
      for (const pfn of [0, 1, 37, 999]) {
        const r = frameRect(layout, pfn);
        expect(hitTest(layout, r.x + r.w / 2, r.y + r.h / 2)).toBe(pfn);
      }
    }
    const layout = gridLayout(64, 400, 2);
    expect(cssGrid(layout).pitch).toBe(layout.devPitch / 2);
  });

  it("tree nodes: viewBox points land where preserveAspectRatio xMidYMin meet puts them", () => {
    const vb = { x: -50, y: -25, w: 100, h: 50 };
    // Height-bound: scaled ×2 (not ×4), centred across, at the top.
    expect(viewBoxPoint(vb, { width: 400, height: 100 }, { x: 0, y: 0 })).toEqual({ x: 200, y: 50 });
    expect(viewBoxPoint(vb, { width: 400, height: 100 }, { x: -50, y: -25 })).toEqual({ x: 100, y: 0 });
    // Width-bound: ×2, from the top.
    expect(viewBoxPoint(vb, { width: 200, height: 400 }, { x: 50, y: 25 })).toEqual({ x: 200, y: 100 });
  });
});

describe("geometry", () => {
  const grid = { cols: 4, pitch: 10, cell: 8, left: 5, top: 7 };

  it("places a grid's cells with an offset and a scale", () => {
    expect(cellRect(grid, 5)).toEqual({ x: 15, y: 17, w: 8, h: 8 });
    expect(cellRect(placeGrid(grid, 100, 200, 2), 5)).toEqual({ x: 130, y: 234, w: 16, h: 16 });
  });

  it("links leave and arrive on the facing edges", () => {
    const a = { x: 0, y: 0, w: 10, h: 10 };
    const below = { x: 50, y: 100, w: 4, h: 4 };
    expect(facingEdges(a, below)).toEqual({ from: { x: 5, y: 10 }, to: { x: 52, y: 100 } });
    expect(facingEdges(below, a)).toEqual({ from: { x: 52, y: 100 }, to: { x: 5, y: 10 } });
    expect(edgeToward(a, { x: 0, y: 50 })).toEqual({ x: 5, y: 10 });
    expect(edgeToward(a, { x: 0, y: -50 })).toEqual({ x: 5, y: 0 });
  });
});
