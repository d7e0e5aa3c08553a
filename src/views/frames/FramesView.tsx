import { useId, useMemo, useRef } from "react";
import type { Snapshot } from "../../engine";
import { resolveFocus } from "../../store/focus";
import {
  clearSelected,
  FOCUS_ACTIONS,
  type FocusCallbacks,
  useViewState,
  type ViewState,
} from "../../store/linking";
import { framesOfProcess } from "../../store/query";
import { PICTURE_SLOT } from "../../store/throttle";
import { type FramesAnchor, useAnchor } from "../mapping/anchors";
import { useRenderer } from "../useRenderer";
import { mapcountFontPx } from "./drawFrames";
import { FramesLegend, FramesTable } from "./FramesLegend";
import { FrameTooltip, frameSentence } from "./FrameTooltip";
import { countFrames, cssGrid, focusedPid, framesHeadline, framesSummary, gridLayout } from "./frameModel";
import { createFramesRenderer, type FramesInput } from "./framesRenderer";
import { useFrameInteraction } from "./useFrameInteraction";
import { useWidth } from "./useWidth";
import "./frames.css";

const DEFAULT_WIDTH = 640;

/** The stage's fit for the grid: the height to fit in, the frames to show, the largest and smallest cell. */
export interface FramesFit {
  maxHeight?: number;
  shown?: number;
  maxPitch?: number;
  minPitch?: number;
}

/** Physical memory, connected to the store, fitted to the stage's box. */
export function FramesView(fit: FramesFit = {}) {
  return (
    <FramesPanel
      {...useViewState(PICTURE_SLOT.frames)}
      {...fit}
      {...FOCUS_ACTIONS}
      onClearSelect={clearSelected}
    />
  );
}

export interface FramesPanelProps extends ViewState, FocusCallbacks {
  onClearSelect: () => void;
  /** Width to lay out for before the first measurement (and in server rendering). */
  initialWidth?: number;
  /** The most height the grid may take (CSS px): cells shrink to fit it. */
  maxHeight?: number;
  /** Draw only frames 0 to shown - 1 (every frame above is free); all when absent. */
  shown?: number;
  /** The largest cell pitch (CSS px): presenter mode draws larger cells and numbers. */
  maxPitch?: number;
  /** The smallest cell pitch (CSS px): zoomed in, the grid is taller than its box and scrolls. */
  minPitch?: number;
}

const NO_FRAMES: Snapshot["frames"] = {
  count: 0,
  free: 0,
  state: new Uint8Array(0),
  mapcount: new Int32Array(0),
  contentId: new Uint32Array(0),
};

/** The view itself, driven by props (testable without a store or DOM). */
export function FramesPanel(props: FramesPanelProps) {
  const { snapshot, hover, selected, recent, motion } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const stackRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  // The grid's box exists once there are frames to draw (before, a placeholder): measure it then.
  const { width, dpr } = useWidth(wrapRef, props.initialWidth ?? DEFAULT_WIDTH, !!snapshot?.frames);
  const liveId = useId();
  const hintId = useId();

  const frames = snapshot?.frames ?? null;
  const count = Math.min(frames?.count ?? 0, props.shown ?? Number.POSITIVE_INFINITY);
  const { maxHeight, maxPitch, minPitch } = props;
  const layout = useMemo(
    () => gridLayout(count, width, dpr, { maxHeight, maxPitch, minPitch }),
    [count, width, dpr, maxHeight, maxPitch, minPitch],
  );
  const counts = useMemo(() => (frames ? countFrames(frames) : null), [frames]);
  const anchor = useMemo<FramesAnchor>(() => ({ grid: () => cssGrid(layout) }), [layout]);
  useAnchor("frames", "memory", baseRef, anchor, wrapRef);

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
  const { cursorAt, tip, handlers } = useFrameInteraction(
    layout,
    { canvas: baseRef, scroller: wrapRef },
    props,
  );

  const input = useMemo<FramesInput>(
    () => ({
      frames: frames ?? NO_FRAMES,
      layout,
      lit: lit.pfns,
      process: processFrames,
      cursor: cursorAt,
      recent,
      motion,
    }),
    [frames, layout, lit, processFrames, cursorAt, recent, motion],
  );
  useRenderer(stackRef, createFramesRenderer, input);

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
        <div className="frames-stack" ref={stackRef} style={{ width: layout.width, height: layout.height }}>
          {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: the canvas is one keyboard-driven widget; "application" hands it the arrow keys */}
          <canvas
            ref={baseRef}
            className="frames-base"
            data-label-px={mapcountFontPx(layout)}
            data-pitch={layout.devPitch / layout.dpr}
            width={layout.devWidth}
            height={layout.devHeight}
            style={{ width: layout.width, height: layout.height }}
            tabIndex={0}
            role="application"
            aria-roledescription="frame map"
            aria-label={summary}
            aria-describedby={`${hintId} ${liveId}`}
            {...handlers}
          />
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: the overlay is never focusable (no tabindex, no pointer events); it only draws outlines */}
          <canvas
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
