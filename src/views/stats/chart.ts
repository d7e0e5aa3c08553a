import { format, line, type ScaleLinear, scaleLinear } from "d3";
import type { ScanPoint } from "../../store/store";
import { COUNTER_COLOR } from "../palette";

/*
 * The counters chart without the DOM: series, scales, paths and ticks, so
 * they can be tested in node and the component only draws.
 */

export type SeriesKey = keyof typeof COUNTER_COLOR;

export interface Series {
  key: SeriesKey;
  /** The sysfs file it plots. */
  label: string;
  color: string;
  /** SVG stroke-dasharray: each series differs in dash as well as colour. */
  dash: string;
}

export const SERIES: readonly Series[] = [
  { key: "shared", label: "pages_shared", color: COUNTER_COLOR.shared, dash: "none" },
  { key: "sharing", label: "pages_sharing", color: COUNTER_COLOR.sharing, dash: "7 3" },
  { key: "unshared", label: "pages_unshared", color: COUNTER_COLOR.unshared, dash: "2 3" },
  { key: "volatile", label: "pages_volatile", color: COUNTER_COLOR.volatile, dash: "9 3 2 3" },
];

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const MARGIN: Margin = { top: 8, right: 12, bottom: 34, left: 40 };

export interface ChartScales {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  /** Inner (plot) width and height. */
  width: number;
  height: number;
}

/** x: full_scans over the history (at least one scan wide); y: 0 to the largest counter, niced. */
export function chartScales(
  history: readonly ScanPoint[],
  width: number,
  height: number,
  margin: Margin = MARGIN,
): ChartScales {
  const w = Math.max(1, width - margin.left - margin.right);
  const h = Math.max(1, height - margin.top - margin.bottom);
  const lo = history.length ? history[0].fullScans : 0;
  const hi = history.length ? history[history.length - 1].fullScans : 1;
  let top = 0;
  for (const p of history) for (const s of SERIES) top = Math.max(top, p[s.key]);
  const x = scaleLinear()
    .domain([lo, Math.max(hi, lo + 1)])
    .range([0, w]);
  const y = scaleLinear()
    .domain([0, Math.max(top, 4)])
    .range([h, 0])
    .nice();
  return { x, y, width: w, height: h };
}

/** The SVG path of one counter over the history ("" when there is no point). */
export function seriesPath(history: readonly ScanPoint[], key: SeriesKey, scales: ChartScales): string {
  const gen = line<ScanPoint>()
    .x((p) => scales.x(p.fullScans))
    .y((p) => scales.y(p[key]));
  return gen(history as ScanPoint[]) ?? "";
}

/** Whole-number ticks only: full_scans and page counts are integers. */
export function integerTicks(scale: ScaleLinear<number, number>, count: number): number[] {
  const ticks = scale.ticks(count).filter(Number.isInteger);
  return ticks.length ? ticks : scale.domain().map(Math.round);
}

export const formatTick = format("d");

/** How many ticks fit: about one per 60 px across, one per 30 px up. */
export function tickCounts(scales: ChartScales): { x: number; y: number } {
  return {
    x: Math.max(2, Math.min(10, Math.floor(scales.width / 60))),
    y: Math.max(2, Math.min(8, Math.floor(scales.height / 30))),
  };
}

/** One sentence for screen readers: the latest point and the range covered. */
export function chartSummary(history: readonly ScanPoint[]): string {
  if (history.length === 0) return "Counters per full scan: no full scan yet.";
  const last = history[history.length - 1];
  const values = SERIES.map((s) => `${s.label} ${last[s.key]}`).join(", ");
  const from = history[0].fullScans;
  const range = from === last.fullScans ? `full scan ${from}` : `full scans ${from} to ${last.fullScans}`;
  return `Counters per full scan, ${range}. Latest, at full_scans ${last.fullScans}: ${values}.`;
}
