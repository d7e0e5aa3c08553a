import { describe, expect, it } from "vitest";
import type { ScanPoint } from "../../store/store";
import { COUNTER_COLOR } from "../palette";
import { chartScales, chartSummary, integerTicks, MARGIN, SERIES, seriesPath, tickCounts } from "./chart";

const p = (fullScans: number, shared: number, sharing: number, unshared = 0, volatile = 0): ScanPoint => ({
  fullScans,
  shared,
  sharing,
  unshared,
  volatile,
});

const HISTORY = [p(0, 0, 0, 0, 6), p(1, 0, 0, 4, 2), p(2, 2, 5, 1, 0), p(3, 2, 7, 1, 0)];

describe("series", () => {
  it("plots the four counters in the palette's colours, each with its own dash", () => {
    expect(SERIES.map((s) => s.label)).toEqual([
      "pages_shared",
      "pages_sharing",
      "pages_unshared",
      "pages_volatile",
    ]);
    for (const s of SERIES) expect(s.color).toBe(COUNTER_COLOR[s.key]);
    expect(new Set(SERIES.map((s) => s.dash)).size).toBe(SERIES.length);
  });
});

describe("scales", () => {
  it("maps full_scans across and counts up, inside the margins", () => {
    const { x, y, width, height } = chartScales(HISTORY, 400, 200);
    expect(width).toBe(400 - MARGIN.left - MARGIN.right);
    expect(height).toBe(200 - MARGIN.top - MARGIN.bottom);
    expect(x.domain()).toEqual([0, 3]);
    expect(x(0)).toBe(0);
    expect(x(3)).toBe(width);
    expect(y.domain()[0]).toBe(0);
    expect(y.domain()[1]).toBeGreaterThanOrEqual(7);
    expect(y(0)).toBe(height);
  });

  it("starts at the oldest point kept and is never zero wide or tall", () => {
    const one = chartScales([p(5, 0, 0)], 300, 200);
    expect(one.x.domain()).toEqual([5, 6]);
    expect(one.y.domain()).toEqual([0, 4]);
    const none = chartScales([], 300, 200);
    expect(none.x.domain()).toEqual([0, 1]);
    expect(chartScales(HISTORY, 10, 10).width).toBe(1);
  });

  it("ticks whole numbers only", () => {
    const { x, y } = chartScales([p(0, 0, 0), p(2, 1, 3)], 400, 200);
    expect(integerTicks(x, 10)).toEqual([0, 1, 2]);
    expect(integerTicks(y, 8).every(Number.isInteger)).toBe(true);
    const t = tickCounts(chartScales(HISTORY, 400, 200));
    expect(t.x).toBeGreaterThanOrEqual(2);
    expect(t.y).toBeGreaterThanOrEqual(2);
  });
});

describe("paths", () => {
  it("draws one point per full scan", () => {
    const scales = chartScales(HISTORY, 400, 200);
    const d = seriesPath(HISTORY, "sharing", scales);
    expect(d.startsWith(`M${scales.x(0)},${scales.y(0)}`)).toBe(true);
    expect(d.match(/[ML]/g)).toHaveLength(HISTORY.length);
    expect(d).toContain(`${scales.x(3)},${scales.y(7)}`);
    expect(seriesPath([], "sharing", scales)).toBe("");
  });
});

describe("summary", () => {
  it("says the latest values and the range of scans", () => {
    expect(chartSummary([])).toBe("Counters per full scan: no full scan yet.");
    expect(chartSummary(HISTORY)).toBe(
      "Counters per full scan, full scans 0 to 3. Latest, at full_scans 3: pages_shared 2, pages_sharing 7, pages_unshared 1, pages_volatile 0.",
    );
  });
});
