import { type KeyboardEvent, type PointerEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import type { Snapshot } from "../../engine";
import { useStore } from "../../store/store";
import { cssGrid, type GridLayout, gridLayout, hitTest, moveCursor } from "../frames/frameModel";
import { ColorCache } from "../frames/raster";
import { useWidth } from "../frames/useWidth";
import { type PagesAnchor, useAnchor } from "../mapping/anchors";
import {
  drawPageMarks,
  drawRmapLetters,
  markBoxes,
  type PageMarks,
  repaintPages,
  rmapLetterPx,
} from "./drawPages";
import { indicesInVma, PAGE, PAGE_CANVAS, PRESENTER_PAGE_CANVAS } from "./pageModel";
import { GRID_KEYS, type GridProps, pageInfo } from "./pageProps";

const colors = new ColorCache();
/** More marks than this moved: copy the whole picture rather than box by box. */
const MAX_BOXES = 64;

/** Pages of a large VMA on a canvas: bounded DOM whatever the size. */
export function PageCanvas(props: GridProps & { frames: Snapshot["frames"]; summary: string }) {
  const { process: p, vma: v, frames, actions } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imageRef = useRef<ImageData | null>(null);
  const { width, dpr } = useWidth(wrapRef, 560);
  const n = v.pte.length;
  // Presenter mode enlarges the cells, up to the page buttons' size, with their letters where they fit.
  const presenter = useStore((s) => s.presenter);
  const layout = useMemo(
    () => gridLayout(n, width, dpr, presenter ? PRESENTER_PAGE_CANVAS : PAGE_CANVAS),
    [n, width, dpr, presenter],
  );
  const anchor = useMemo<PagesAnchor>(
    () => ({ pid: p.pid, start: v.start, end: v.end, grid: () => cssGrid(layout) }),
    [layout, p.pid, v.start, v.end],
  );
  useAnchor("pages", `${p.pid}:${v.start}`, canvasRef, anchor);
  const [keyboard, setKeyboard] = useState(-1);
  const [tip, setTip] = useState<{ index: number; x: number; y: number } | null>(null);
  const hovered = useRef(-1);
  const liveId = useId();
  const litIdx = useMemo(() => indicesInVma(props.lit, p.pid, v), [props.lit, p.pid, v]);
  const flashIdx = useMemo(() => indicesInVma(props.flash, p.pid, v), [props.flash, p.pid, v]);
  const cursorIdx = props.next >= 0 ? (props.next - v.start) / PAGE : -1;

  // Repaint only the pages that would look different (ksmd's batches change few of them) and copy
  // to the canvas only their rows and the boxes of the marks that moved; everything for a new layout.
  const painted = useRef<{
    canvas: HTMLCanvasElement;
    layout: GridLayout;
    codes: Uint32Array;
    marks: PageMarks;
    key: string;
    letters: boolean;
  } | null>(null);
  const rmap = props.rmap;
  const letters = presenter && rmap.size > 0 && rmapLetterPx(layout) > 0;
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx || layout.devWidth === 0 || layout.devHeight === 0) return;
    const rmapAt = rmap.size === 0 ? null : (i: number) => rmap.get(v.start + i * PAGE);
    let img = imageRef.current;
    if (!img || img.width !== layout.devWidth || img.height !== layout.devHeight) {
      img = ctx.createImageData(layout.devWidth, layout.devHeight);
      imageRef.current = img;
    }
    const last = painted.current;
    const same =
      last !== null &&
      last.canvas === canvas &&
      last.layout === layout &&
      last.letters === letters &&
      last.codes.length === 2 * n;
    const codes = same ? last.codes : new Uint32Array(2 * n);
    const buf = new Int32Array(img.data.buffer);
    if (!same) buf.fill(0);
    const [top, bottom] = repaintPages(buf, layout, frames, v, rmapAt, codes, colors, !same, letters);
    const marks: PageMarks = { lit: litIdx, cursor: cursorIdx, keyboard, flash: flashIdx };
    const key = JSON.stringify(marks);
    painted.current = { canvas, layout, codes, marks, key, letters };
    if (same && top === bottom && key === last.key) return;
    const boxes = same ? [...markBoxes(layout, last.marks), ...markBoxes(layout, marks)] : [];
    // Letters are few (only large cells have them) and drawn over the pages: all are put back and redrawn.
    if (!same || letters || boxes.length > MAX_BOXES) ctx.putImageData(img, 0, 0);
    else {
      if (bottom > top)
        ctx.putImageData(
          img,
          0,
          0,
          0,
          top * layout.devPitch,
          layout.devWidth,
          (bottom - top) * layout.devPitch,
        );
      for (const b of boxes) ctx.putImageData(img, 0, 0, b.x, b.y, b.w, b.h);
    }
    if (letters && rmapAt) drawRmapLetters(ctx, layout, rmapAt);
    drawPageMarks(ctx, layout, marks);
  }, [layout, frames, v, n, rmap, letters, litIdx, cursorIdx, keyboard, flashIdx]);

  const hoverIndex = (i: number, at?: { x: number; y: number }) => {
    if (i === hovered.current) return;
    if (hovered.current >= 0) actions.unhover(p.pid, v.start + hovered.current * PAGE);
    hovered.current = i;
    if (i >= 0) actions.hover(p.pid, v.start + i * PAGE);
    setTip(i >= 0 && at ? { index: i, ...at } : null);
  };
  const indexAt = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return hitTest(layout, e.clientX - r.left, e.clientY - r.top);
  };
  const cellPoint = (i: number) => {
    const r = canvasRef.current?.getBoundingClientRect();
    if (!r) return undefined;
    const col = i % layout.cols;
    const row = Math.floor(i / layout.cols);
    return {
      x: r.left + ((col + 1) * layout.devPitch) / layout.dpr,
      y: r.top + (row * layout.devPitch) / layout.dpr,
    };
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (n === 0) return;
    const at = keyboard < 0 ? Math.max(0, cursorIdx) : keyboard;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      setKeyboard(at);
      actions.toggle(p.pid, v.start + at * PAGE);
      return;
    }
    if (!GRID_KEYS.has(e.key) && e.key !== "PageUp" && e.key !== "PageDown") return;
    e.preventDefault();
    const next = keyboard < 0 ? at : moveCursor(at, e.key, layout);
    setKeyboard(next);
    hoverIndex(next, cellPoint(next));
  };
  const tipInfo = tip && tip.index < n ? pageInfo(props, tip.index) : null;
  const kbdInfo = keyboard >= 0 && keyboard < n ? pageInfo(props, keyboard) : null;
  return (
    <div className="pv-canvas-wrap" ref={wrapRef}>
      {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: the canvas is one keyboard-driven widget; "application" hands it the arrow keys */}
      <canvas
        ref={canvasRef}
        className="pv-canvas"
        data-pitch={layout.devPitch / layout.dpr}
        data-letter-px={letters ? rmapLetterPx(layout) : 0}
        width={layout.devWidth}
        height={layout.devHeight}
        style={{ width: layout.width, height: layout.height }}
        tabIndex={0}
        role="application"
        aria-roledescription="page map"
        aria-label={`${props.summary} Arrow keys move between pages, Enter selects.`}
        aria-describedby={liveId}
        onPointerMove={(e) => {
          const i = indexAt(e);
          hoverIndex(i, i >= 0 ? cellPoint(i) : undefined);
        }}
        onPointerLeave={() => hoverIndex(-1)}
        onPointerDown={(e) => {
          const i = indexAt(e);
          if (e.button === 0 && i >= 0) actions.toggle(p.pid, v.start + i * PAGE);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (keyboard >= 0) hoverIndex(-1);
          setKeyboard(-1);
        }}
      />
      <p id={liveId} className="pv-sr-only" aria-live="polite">
        {kbdInfo ? kbdInfo.label : ""}
      </p>
      {tipInfo && tip ? (
        <div className="pv-tooltip" role="tooltip" style={{ left: tip.x + 6, top: tip.y }}>
          {tipInfo.label}
        </div>
      ) : null}
    </div>
  );
}
