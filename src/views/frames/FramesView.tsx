import {
  type KeyboardEvent,
  type PointerEvent,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import type { KsmEvent, Snapshot } from "../../engine";
import { resolveFocus } from "../../store/focus";
import { clearHover, clearSelected, setHover, toggleSelected, useViewState } from "../../store/linking";
import type { Focus } from "../../store/store";
import { PICTURE_SLOT } from "../../store/throttle";
import { HIGHLIGHT } from "../palette";
import {
  drawMapcounts,
  drawOverlay,
  LABEL_MIN_CELL,
  type OverlayPulse,
  paintFrameCells,
  paintFrames,
  pulseColor,
} from "./drawFrames";
import {
  cellOrigin,
  changedFrames,
  classifyFrame,
  countFrames,
  FRAME_KINDS,
  type FrameCounts,
  focusedPid,
  framesHeadline,
  framesOfProcess,
  framesSummary,
  type GridLayout,
  gridLayout,
  hexAddr,
  hitTest,
  KIND_NAME,
  mappersOf,
  moveCursor,
  PULSE_MS,
  type PulseKind,
  pulsesFrom,
} from "./frameModel";
import { ColorCache } from "./raster";
import { useWidth } from "./useWidth";
import "./frames.css";

/** Content colours parse to at most a few thousand distinct strings: one cache for the app's life. */
const colors = new ColorCache();

const DEFAULT_WIDTH = 640;
const NAV_KEYS = new Set([
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
]);

/** Physical memory, connected to the store; `maxHeight`: the grid's height to fit in (the stage's box). */
export function FramesView({ maxHeight, shown }: { maxHeight?: number; shown?: number } = {}) {
  return (
    <FramesPanel
      {...useViewState(PICTURE_SLOT.frames)}
      maxHeight={maxHeight}
      shown={shown}
      onHover={setHover}
      onUnhover={clearHover}
      onToggleSelect={toggleSelected}
      onClearSelect={clearSelected}
    />
  );
}

export interface FramesPanelProps {
  snapshot: Snapshot | null;
  hover: Focus | null;
  selected: Focus | null;
  recent: readonly KsmEvent[];
  motion: boolean;
  onHover: (f: Focus) => void;
  /** Clear the hover if it is still f. */
  onUnhover: (f: Focus) => void;
  onToggleSelect: (f: Focus) => void;
  onClearSelect: () => void;
  /** Width to lay out for before the first measurement (and in server rendering). */
  initialWidth?: number;
  /** The most height the grid may take (CSS px): cells shrink to fit it. */
  maxHeight?: number;
  /** Draw only frames 0 to shown - 1 (every frame above is free); all when absent. */
  shown?: number;
}

interface Tip {
  pfn: number;
  /** Viewport coordinates of the cell's top-right corner. */
  x: number;
  y: number;
  /** The cell's top-left x, to flip the tooltip to the left near the right edge. */
  left: number;
}

function frameFocus(pfn: number): Focus {
  return { kind: "frame", pfn };
}

/** The view itself, driven by props (testable without a store or DOM). */
export function FramesPanel(props: FramesPanelProps) {
  const { snapshot, hover, selected, recent, motion, onHover, onUnhover, onToggleSelect, onClearSelect } =
    props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overRef = useRef<HTMLCanvasElement>(null);
  const imageRef = useRef<ImageData | null>(null);
  const { width, dpr } = useWidth(wrapRef, props.initialWidth ?? DEFAULT_WIDTH);
  const [cursor, setCursor] = useState(0);
  const [keyboard, setKeyboard] = useState(false);
  const [tip, setTip] = useState<Tip | null>(null);
  const liveId = useId();
  const hintId = useId();

  const frames = snapshot?.frames ?? null;
  const count = Math.min(frames?.count ?? 0, props.shown ?? Number.POSITIVE_INFINITY);
  const maxHeight = props.maxHeight;
  const layout = useMemo(() => gridLayout(count, width, dpr, { maxHeight }), [count, width, dpr, maxHeight]);
  const counts = useMemo(() => (frames ? countFrames(frames) : null), [frames]);

  const focus = hover ?? selected;
  const lit = useMemo(() => resolveFocus(snapshot, focus), [snapshot, focus]);
  // The focused process: the selection's, else the hover's.
  const pidFocus = selected ?? hover;
  const pid = useMemo(
    () => focusedPid(pidFocus, pidFocus === focus ? lit : resolveFocus(snapshot, pidFocus)),
    [pidFocus, focus, lit, snapshot],
  );
  const processFrames = useMemo(
    () => (snapshot && pid !== null ? framesOfProcess(snapshot, pid) : []),
    [snapshot, pid],
  );
  const processName = snapshot?.processes.find((p) => p.pid === pid)?.name ?? null;
  const cursorAt = keyboard ? Math.min(cursor, count - 1) : -1;

  // The base layer: repainted cell by cell where frames changed since the last picture (ksmd's batches
  // change a few hundred of 65,536), in full only for a new layout or when mapcounts are written on it.
  const painted = useRef<{
    canvas: HTMLCanvasElement;
    frames: Snapshot["frames"];
    layout: GridLayout;
  } | null>(null);
  useEffect(() => {
    const canvas = baseRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx || !frames) return;
    const { devWidth: w, devHeight: h } = layout;
    if (w === 0 || h === 0) return;
    const last = painted.current;
    const img = imageRef.current;
    const changed =
      last && img && last.canvas === canvas && last.layout === layout
        ? changedFrames(last.frames, frames)
        : null;
    if (changed?.length === 0) return;
    painted.current = { canvas, frames, layout };
    if (img && changed && layout.cell < LABEL_MIN_CELL) {
      const [top, bottom] = paintFrameCells(new Int32Array(img.data.buffer), layout, frames, changed, colors);
      if (bottom > top) ctx.putImageData(img, 0, 0, 0, top, w, bottom - top);
      return;
    }
    const full = img && img.width === w && img.height === h ? img : ctx.createImageData(w, h);
    imageRef.current = full;
    paintFrames(new Int32Array(full.data.buffer), layout, frames, colors);
    ctx.putImageData(full, 0, 0);
    drawMapcounts(ctx, layout, frames);
  }, [frames, layout]);

  // The overlay: outlines and pulses. Its inputs live in a ref so the animation loop sees the latest.
  const pulses = useRef(new Map<number, { kind: PulseKind; start: number }>());
  const overlayInput = useRef<{ layout: GridLayout; lit: Set<number>; process: number[]; cursor: number }>({
    layout,
    lit: lit.pfns,
    process: processFrames,
    cursor: cursorAt,
  });
  const raf = useRef(0);

  const paintOverlay = useCallback((now: number): boolean => {
    const ctx = overRef.current?.getContext("2d");
    const input = overlayInput.current;
    const live: OverlayPulse[] = [];
    for (const [pfn, p] of pulses.current) {
      const t = (now - p.start) / PULSE_MS;
      if (t >= 1) pulses.current.delete(pfn);
      else live.push({ pfn, kind: p.kind, t: Math.max(0, t) });
    }
    if (ctx) drawOverlay(ctx, input.layout, { ...input, pulses: live });
    return live.length > 0;
  }, []);

  const animate = useCallback(() => {
    if (raf.current !== 0) return;
    const tick = (now: number) => {
      raf.current = paintOverlay(now) ? requestAnimationFrame(tick) : 0;
    };
    raf.current = requestAnimationFrame(tick);
  }, [paintOverlay]);

  useEffect(() => {
    overlayInput.current = { layout, lit: lit.pfns, process: processFrames, cursor: cursorAt };
    paintOverlay(performance.now());
  }, [layout, lit, processFrames, cursorAt, paintOverlay]);

  const pulsed = useRef<readonly KsmEvent[] | null>(null);
  useEffect(() => {
    if (!motion) {
      pulsed.current = recent;
      if (pulses.current.size > 0) {
        pulses.current.clear();
        paintOverlay(performance.now());
      }
      return;
    }
    if (pulsed.current === recent) return; // turning motion on does not replay the last update
    pulsed.current = recent;
    const now = performance.now();
    for (const p of pulsesFrom(recent)) pulses.current.set(p.pfn, { kind: p.kind, start: now });
    if (pulses.current.size > 0) animate();
  }, [recent, motion, animate, paintOverlay]);

  useEffect(
    () => () => {
      if (raf.current !== 0) cancelAnimationFrame(raf.current);
      raf.current = 0;
    },
    [],
  );

  // Pointer and keyboard.
  const hovered = useRef<number>(-1);
  const tipFor = useCallback(
    (pfn: number): Tip | null => {
      const canvas = baseRef.current;
      if (!canvas || pfn < 0) return null;
      const r = canvas.getBoundingClientRect();
      const o = cellOrigin(layout, pfn);
      const left = r.left + o.x / layout.dpr;
      return { pfn, x: left + layout.cell, y: r.top + o.y / layout.dpr, left };
    },
    [layout],
  );
  const hoverFrame = useCallback(
    (pfn: number) => {
      if (pfn === hovered.current) return;
      if (hovered.current >= 0) onUnhover(frameFocus(hovered.current));
      hovered.current = pfn;
      if (pfn >= 0) onHover(frameFocus(pfn));
      setTip(tipFor(pfn));
    },
    [onHover, onUnhover, tipFor],
  );
  const pfnAt = (e: PointerEvent<HTMLCanvasElement>): number => {
    const r = e.currentTarget.getBoundingClientRect();
    return hitTest(layout, e.clientX - r.left, e.clientY - r.top);
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    setKeyboard(false);
    hoverFrame(pfnAt(e));
  };
  const onPointerLeave = () => hoverFrame(-1);
  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    const pfn = pfnAt(e);
    if (e.button === 0 && pfn >= 0) {
      setCursor(pfn);
      onToggleSelect(frameFocus(pfn));
    }
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (count === 0) return;
    const at = Math.min(cursor, count - 1);
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      setKeyboard(true);
      onToggleSelect(frameFocus(at));
      return;
    }
    if (e.key === "Escape") {
      onClearSelect();
      return;
    }
    if (!NAV_KEYS.has(e.key)) return;
    const next = keyboard ? moveCursor(at, e.key, layout) : at;
    e.preventDefault();
    setKeyboard(true);
    setCursor(next);
    scrollCellIntoView(wrapRef.current, layout, next);
    hoverFrame(next);
  };
  const onBlur = () => {
    if (keyboard) hoverFrame(-1);
    setKeyboard(false);
  };

  if (!snapshot || !frames || !counts) {
    return (
      <section className="frames-view" aria-labelledby={`${hintId}-h`}>
        <h2 id={`${hintId}-h`}>Physical memory</h2>
        <p className="frames-empty">No machine yet.</p>
      </section>
    );
  }

  const summary = framesSummary(frames, counts);
  const selectedPfn = selected?.kind === "frame" ? selected.pfn : -1;
  return (
    <section className="frames-view" aria-labelledby={`${hintId}-h`}>
      <h2 id={`${hintId}-h`}>Physical memory</h2>
      <p className="frames-headline">{framesHeadline(frames)}</p>
      <FramesLegend counts={counts} />
      {count < frames.count ? (
        <p className="frames-window">Frames 0–{count - 1} shown: every frame above is free.</p>
      ) : null}
      <div className="frames-scroll" ref={wrapRef}>
        <div className="frames-stack" style={{ width: layout.width, height: layout.height }}>
          {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: the canvas is one keyboard-driven widget; "application" hands it the arrow keys */}
          <canvas
            ref={baseRef}
            className="frames-base"
            width={layout.devWidth}
            height={layout.devHeight}
            style={{ width: layout.width, height: layout.height }}
            tabIndex={0}
            role="application"
            aria-roledescription="frame map"
            aria-label={summary}
            aria-describedby={`${hintId} ${liveId}`}
            onPointerMove={onPointerMove}
            onPointerLeave={onPointerLeave}
            onPointerDown={onPointerDown}
            onKeyDown={onKeyDown}
            onBlur={onBlur}
          />
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: the overlay is never focusable (no tabindex, no pointer events); it only draws outlines */}
          <canvas
            ref={overRef}
            className="frames-overlay"
            width={layout.devWidth}
            height={layout.devHeight}
            style={{ width: layout.width, height: layout.height }}
            aria-hidden="true"
          />
        </div>
      </div>
      <p id={hintId} className="frames-sr-only">
        Arrow keys move between frames, Home and End go to the first and last, Enter selects or clears the
        selection, Escape clears it.
      </p>
      <p id={liveId} className="frames-sr-only" aria-live="polite">
        {cursorAt >= 0 ? frameSentence(snapshot, cursorAt) : ""}
      </p>
      <FramesTable
        counts={counts}
        frames={frames}
        selectedText={selectedPfn >= 0 ? frameSentence(snapshot, selectedPfn) : ""}
      />
      {tip && tip.pfn < count ? (
        <FrameTooltip
          snapshot={snapshot}
          tip={tip}
          process={pid !== null ? { pid, name: processName ?? "?", frames: processFrames } : null}
        />
      ) : null}
    </section>
  );
}

function frameSentence(s: Snapshot, pfn: number): string {
  const f = s.frames;
  const kind = classifyFrame(f.state[pfn], f.mapcount[pfn]);
  const mappers = mappersOf(s, pfn);
  const who =
    mappers.length === 0
      ? ""
      : `; mapped by ${mappers
          .slice(0, 4)
          .map((m) => `${m.name} ${hexAddr(m.addr)}`)
          .join(", ")}${mappers.length > 4 ? ` and ${mappers.length - 4} more` : ""}`;
  return `Frame ${pfn}: ${KIND_NAME[kind]}${kind === "free" ? "" : `, mapcount ${f.mapcount[pfn]}`}${who}.`;
}

/** Keep the keyboard cursor's cell visible in the scrolling container. */
function scrollCellIntoView(el: HTMLElement | null, layout: GridLayout, pfn: number): void {
  if (!el) return;
  const o = cellOrigin(layout, pfn);
  const top = o.y / layout.dpr;
  const bottom = top + layout.cell;
  if (top < el.scrollTop) el.scrollTop = top;
  else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
}

export function FramesLegend({ counts }: { counts: FrameCounts }) {
  return (
    <ul className="frames-legend" aria-label="Frame states">
      {FRAME_KINDS.map((k) => (
        <li key={k.kind} data-kind={k.kind}>
          <span className="frames-swatch" style={{ background: k.color }} aria-hidden="true" />
          {k.label} <span className="frames-count">{counts[k.kind]}</span>
        </li>
      ))}
      <li className="frames-legend-note">
        <span className="frames-swatch frames-swatch-stripe" aria-hidden="true" />
        stripe: contents (equal pages, equal colour)
      </li>
      <li className="frames-legend-note">
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: HIGHLIGHT }}
          aria-hidden="true"
        />
        hovered or selected (dashed: the focused process&rsquo;s frames)
      </li>
      <li className="frames-legend-note">
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: pulseColor("cow") }}
          aria-hidden="true"
        />
        COW copy
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: pulseColor("merge"), marginLeft: "0.6em" }}
          aria-hidden="true"
        />
        merge
      </li>
    </ul>
  );
}

/** The visually hidden fallback: counts by state and the selected frame, never one row per frame. */
export function FramesTable(props: {
  counts: FrameCounts;
  frames: Snapshot["frames"];
  selectedText: string;
}) {
  return (
    <table className="frames-sr-only">
      <caption>
        Frames by state: {framesHeadline(props.frames)}
        {props.selectedText ? `. Selected: ${props.selectedText}` : ""}
      </caption>
      <thead>
        <tr>
          <th scope="col">state</th>
          <th scope="col">frames</th>
        </tr>
      </thead>
      <tbody>
        {FRAME_KINDS.map((k) => (
          <tr key={k.kind}>
            <th scope="row">{k.label}</th>
            <td>{props.counts[k.kind]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const TIP_WIDTH = 280;
const MAX_MAPPERS = 8;
const MAX_PROCESS_FRAMES = 24;

export function FrameTooltip(props: {
  snapshot: Snapshot;
  tip: Tip;
  process: { pid: number; name: string; frames: number[] } | null;
}) {
  const { snapshot: s, tip, process } = props;
  const f = s.frames;
  const pfn = tip.pfn;
  const kind = classifyFrame(f.state[pfn], f.mapcount[pfn]);
  const mappers = mappersOf(s, pfn);
  const vw = typeof window === "undefined" ? Number.POSITIVE_INFINITY : window.innerWidth;
  const left = tip.x + 8 + TIP_WIDTH > vw ? Math.max(0, tip.left - 8 - TIP_WIDTH) : tip.x + 8;
  return (
    <div className="frames-tooltip" role="tooltip" style={{ left, top: tip.y, width: TIP_WIDTH }}>
      <div className="frames-tooltip-title">Frame {pfn}</div>
      <div>
        {KIND_NAME[kind]}
        {kind !== "free" ? `, mapcount ${f.mapcount[pfn]}` : ""}
      </div>
      {f.contentId[pfn] !== 0 ? (
        <div>
          contents <code>#{f.contentId[pfn].toString(16).padStart(8, "0")}</code>
        </div>
      ) : null}
      {mappers.length > 0 ? (
        <ul className="frames-tooltip-list">
          {mappers.slice(0, MAX_MAPPERS).map((m) => (
            <li key={`${m.pid}:${m.addr}`}>
              {m.name} (pid {m.pid}) <code>{hexAddr(m.addr)}</code> {m.writable ? "rw" : "ro"}
            </li>
          ))}
          {mappers.length > MAX_MAPPERS ? <li>…and {mappers.length - MAX_MAPPERS} more</li> : null}
        </ul>
      ) : kind === "free" ? null : (
        <div>no page maps it</div>
      )}
      {process ? (
        <div className="frames-tooltip-process">
          {process.name} (pid {process.pid}) maps {process.frames.length} frame
          {process.frames.length === 1 ? "" : "s"}: {process.frames.slice(0, MAX_PROCESS_FRAMES).join(", ")}
          {process.frames.length > MAX_PROCESS_FRAMES ? ", …" : ""}
        </div>
      ) : null}
    </div>
  );
}
