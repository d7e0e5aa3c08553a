import { describe, expect, it } from "vitest";
import { contentColor } from "../palette";
import { ColorCache, fillRectPx, hatchRectPx, packRgba, parseColor, unpackRgba } from "./raster";

describe("parseColor", () => {
  it("reads hex colours in the three lengths", () => {
    expect(unpackRgba(parseColor("#56b4e9"))).toEqual([0x56, 0xb4, 0xe9, 255]);
    expect(unpackRgba(parseColor("#fff"))).toEqual([255, 255, 255, 255]);
    expect(unpackRgba(parseColor("#00000080"))).toEqual([0, 0, 0, 128]);
  });

  it("reads the palette's hsl content colours", () => {
    expect(unpackRgba(parseColor("hsl(0 100% 50%)"))).toEqual([255, 0, 0, 255]);
    expect(unpackRgba(parseColor("hsl(120, 100%, 25%)"))).toEqual([0, 128, 0, 255]);
    const [, , , a] = unpackRgba(parseColor(contentColor(123456)));
    expect(a).toBe(255);
  });

  it("reads rgb and gives transparent for unknown strings", () => {
    expect(unpackRgba(parseColor("rgb(1 2 3)"))).toEqual([1, 2, 3, 255]);
    expect(parseColor("transparent")).toBe(0);
    expect(parseColor("chartreuse")).toBe(0);
  });

  it("packs little-endian RGBA as ImageData expects", () => {
    const buf = new Int32Array(1);
    buf[0] = packRgba(1, 2, 3, 4);
    expect([...new Uint8ClampedArray(buf.buffer)]).toEqual([1, 2, 3, 4]);
  });
});

describe("rectangles", () => {
  it("fills and clips to the buffer", () => {
    const buf = new Int32Array(4 * 3);
    fillRectPx(buf, 4, 2, 1, 5, 5, 7);
    expect([...buf]).toEqual([0, 0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7]);
  });

  it("hatches along diagonals", () => {
    const buf = new Int32Array(3 * 3);
    hatchRectPx(buf, 3, 0, 0, 3, 3, 1, 2, 3);
    expect([...buf]).toEqual([2, 1, 1, 1, 1, 2, 1, 2, 1]);
  });

  it("caches parsed colours", () => {
    const c = new ColorCache();
    expect(c.get("#000")).toBe(packRgba(0, 0, 0));
    expect(c.get("#000")).toBe(c.get("#000000"));
  });
});
