// d3 is marked side-effect free, so its re-export of d3-transition (which adds .transition() to selections) would be dropped.
import "d3-transition";
import { axisBottom, axisLeft, select } from "d3";
import { useEffect, useLayoutEffect, useMemo, useRef } from "react";
import type { ScanPoint } from "../../store/store";
import { useBox } from "../useBox";
import {
  chartScales,
  chartSummary,
  formatTick,
  integerTicks,
  MARGIN,
  SERIES,
  type SeriesKey,
  seriesPath,
  tickCounts,
} from "./chart";

/** The chart's height until its box is measured (in tests, or hidden in presenter mode). */
const CHART_HEIGHT = 200;
const DEFAULT_WIDTH = 320;
const TRANSITION_MS = 300;
/** Rows of the visually hidden table. */
const TABLE_ROWS = 5;

export interface CounterChartProps {
  history: readonly ScanPoint[];
  motion: boolean;
  /** Initial width before the container is measured (server rendering, tests). */
  initialWidth?: number;
}

/**
 * pages_shared, pages_sharing, pages_unshared and pages_volatile per full
 * scan. React renders the lines (so the markup is complete without a DOM);
 * D3 draws the axes and, with motion on, eases each line from its previous
 * shape to the new one.
 */
export function CounterChart({ history, motion, initialWidth = DEFAULT_WIDTH }: CounterChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const xAxisRef = useRef<SVGGElement>(null);
  const yAxisRef = useRef<SVGGElement>(null);
  const pathRefs = useRef<Partial<Record<SeriesKey, SVGPathElement | null>>>({});
  const prevPaths = useRef<Partial<Record<SeriesKey, string>>>({});
  // The box's size comes from the stage (stats.css: the height left, 100 px or more), never from the drawing in it.
  const box = useBox(boxRef);
  const width = box.width > 0 ? box.width : initialWidth;
  const height = box.height > 0 ? box.height : CHART_HEIGHT;

  const scales = useMemo(() => chartScales(history, width, height), [history, width, height]);
  const paths = useMemo(() => {
    const out = {} as Record<SeriesKey, string>;
    for (const s of SERIES) out[s.key] = seriesPath(history, s.key, scales);
    return out;
  }, [history, scales]);
  const last = history[history.length - 1];

  // Axes: d3-axis, eased with motion on, instant without.
  useEffect(() => {
    const ms = motion ? TRANSITION_MS : 0;
    const ticks = tickCounts(scales);
    const xAxis = axisBottom(scales.x).tickValues(integerTicks(scales.x, ticks.x)).tickFormat(formatTick);
    const yAxis = axisLeft(scales.y).tickValues(integerTicks(scales.y, ticks.y)).tickFormat(formatTick);
    if (xAxisRef.current) {
      const g = select(xAxisRef.current);
      g.interrupt();
      if (ms) g.transition().duration(ms).call(xAxis);
      else g.call(xAxis);
    }
    if (yAxisRef.current) {
      const g = select(yAxisRef.current);
      g.interrupt();
      if (ms) g.transition().duration(ms).call(yAxis);
      else g.call(yAxis);
    }
  }, [scales, motion]);

  // Lines: React has set the new `d`; with motion on, ease from the previous one before paint.
  useLayoutEffect(() => {
    for (const s of SERIES) {
      const el = pathRefs.current[s.key];
      const next = paths[s.key];
      const prev = prevPaths.current[s.key];
      prevPaths.current[s.key] = next;
      if (!el) continue;
      const sel = select(el);
      sel.interrupt();
      if (motion && prev && next && prev !== next) {
        sel.attr("d", prev).transition().duration(TRANSITION_MS).attr("d", next);
      } else {
        sel.attr("d", next);
      }
    }
  }, [paths, motion]);

  const summary = chartSummary(history);
  const tail = history.slice(-TABLE_ROWS);

  return (
    <figure className={motion ? "ksm-chart ksm-chart-motion" : "ksm-chart"}>
      <ul className="ksm-chart-legend" aria-label="Legend">
        {SERIES.map((s) => (
          <li key={s.key}>
            <svg width="28" height="10" aria-hidden="true">
              <line
                x1="1"
                y1="5"
                x2="27"
                y2="5"
                stroke={s.color}
                strokeWidth="2.5"
                strokeDasharray={s.dash}
              />
            </svg>
            <code>{s.label}</code>
          </li>
        ))}
      </ul>
      <div ref={boxRef} className="ksm-chart-box">
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <g ref={yAxisRef} className="ksm-axis ksm-axis-y" />
            <g ref={xAxisRef} className="ksm-axis ksm-axis-x" transform={`translate(0,${scales.height})`} />
            {SERIES.map((s) => (
              <path
                key={s.key}
                ref={(el) => {
                  pathRefs.current[s.key] = el;
                }}
                className={`ksm-line ksm-line-${s.key}`}
                d={paths[s.key]}
                fill="none"
                stroke={s.color}
                strokeWidth="2"
                strokeDasharray={s.dash}
                strokeLinejoin="round"
              />
            ))}
            {last &&
              SERIES.map((s) => (
                <circle
                  key={s.key}
                  cx={scales.x(last.fullScans)}
                  cy={scales.y(last[s.key])}
                  r="3"
                  fill={s.color}
                />
              ))}
            <text
              className="ksm-axis-label"
              x={scales.width}
              y={scales.height + MARGIN.bottom - 2}
              textAnchor="end"
            >
              full_scans
            </text>
          </g>
        </svg>
      </div>
      <figcaption className="sr-only">
        <table>
          <caption>{`Counters at the last ${tail.length} full scans`}</caption>
          <thead>
            <tr>
              <th scope="col">full_scans</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tail.map((p) => (
              <tr key={p.fullScans}>
                <th scope="row">{p.fullScans}</th>
                {SERIES.map((s) => (
                  <td key={s.key}>{p[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
