import { describe, expect, it } from "vitest";
import { FRAME_ANON, fakeSnapshot, pte } from "../frames/fixtures";
import { gridLayout } from "../frames/frameModel";
import { ColorCache, parseColor } from "../frames/raster";
import { contentColor } from "../palette";
import { LETTER_CELL, PAGE_COLOR, RMAP_COLOR, repaintPages, rmapLetterPx } from "./drawPages";
import { PAGE_CANVAS, PRESENTER_PAGE_CANVAS } from "./pageModel";

/* A large mapping's canvas: presenter mode's cells take letters, the normal ones dots. */

const frames = fakeSnapshot({ frames: [{ state: FRAME_ANON, content: 7 }] }).frames;
const vma = {
  start: 0,
  end: 4 * 4096,
  mergeable: true,
  pte: Int32Array.from([1, 1, 1, 1], () => pte(0, true)),
};
const rmapAt = () => "unstable" as const;

/** Paint the four pages and read back page 0's cell (device pixels). */
function paint(layout: ReturnType<typeof gridLayout>, letters: boolean) {
  const buf = new Int32Array(layout.devWidth * layout.devHeight);
  repaintPages(buf, layout, frames, vma, rmapAt, new Uint32Array(8), new ColorCache(), true, letters);
  return (x: number, y: number) => buf[y * layout.devWidth + x];
}

describe("large mappings in presenter mode", () => {
  it("draws cells up to the presenter's buttons, letters only where they are 18 px or more", () => {
    const normal = gridLayout(4, 600, 1, PAGE_CANVAS);
    const presenter = gridLayout(4, 600, 1, PRESENTER_PAGE_CANVAS);
    expect(presenter.cell).toBeGreaterThanOrEqual(LETTER_CELL);
    expect(presenter.cell).toBeGreaterThan(2 * normal.cell);
    expect(rmapLetterPx(presenter)).toBeGreaterThanOrEqual(18);
    expect(rmapLetterPx(normal)).toBe(0);
  });

  it("leaves the rmap_item's corner to the letter and moves the contents swatch to the lower left", () => {
    const layout = gridLayout(4, 600, 1, PRESENTER_PAGE_CANVAS);
    const c = layout.devCell;
    const fill = parseColor(PAGE_COLOR.anon);
    const swatch = parseColor(contentColor(7));
    const dotted = paint(layout, false);
    expect(dotted(c - 1, 0)).toBe(parseColor(RMAP_COLOR.unstable));
    // Right of the middle: the centred swatch; the moved one has left it to the page's fill.
    const right = Math.round((3 * c) / 4) - 1;
    expect(dotted(right, c >> 1)).toBe(swatch);
    const lettered = paint(layout, true);
    expect(lettered(c - 1, 0)).toBe(fill);
    expect(lettered(right, c >> 1)).toBe(fill);
    const inset = Math.round(c / 8) + 1;
    expect(lettered(inset, c - 1 - inset)).toBe(swatch);
  });
});
