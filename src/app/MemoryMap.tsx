import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isPlaying } from "../controls/player";
import type { Snapshot } from "../engine";
import { useStore } from "../store/store";
import { useThrottled } from "../store/throttle";
import { FrameRaster } from "../views/frames/drawFrames";
import { gridLayout } from "../views/frames/frameModel";
import { ColorCache } from "../views/frames/raster";

/** Cell pitches (CSS px) of the zoom levels; 0 fits the whole grid in its box. */
const ZOOMS = [0, 4, 8, 16] as const;
export type Zoom = (typeof ZOOMS)[number];

/** The minimap's width in frames per row (one device pixel each). */
const MINI_COLS = 256;
const colors = new ColorCache();
const MINIMAP_REDRAW_MS = 500;

/**
 * Zoom for a large machine's frame map: buttons for the cell size, and a
 * minimap of all of memory (a pixel per frame) with the part in view
 * outlined; a click on it scrolls the map there.
 */
export function MemoryMap({
  frames: latest,
  zoom,
  onZoom,
  boxRef,
}: {
  frames: Snapshot["frames"];
  zoom: Zoom;
  onZoom: (z: Zoom) => void;
  boxRef: RefObject<HTMLElement | null>;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [view, setView] = useState({ top: 0, height: 1 });
  const scroller = useCallback(
    () => boxRef.current?.querySelector<HTMLElement>(".frames-scroll") ?? null,
    [boxRef],
  );

  // The whole of memory, a pixel a frame: at most twice a second while ksmd plays.
  const playing = useStore(isPlaying);
  const frames = useThrottled(latest, playing ? MINIMAP_REDRAW_MS : 0);
  const layout = useMemo(
    () => gridLayout(frames.count, MINI_COLS, 1, { minPitch: 1, maxPitch: 1, maxHeight: 1 << 20 }),
    [frames.count],
  );
  // Only the frames that changed since the last picture are repainted.
  const raster = useRef(new FrameRaster());
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    if (canvas.width !== layout.devWidth || canvas.height !== layout.devHeight) {
      canvas.width = layout.devWidth;
      canvas.height = layout.devHeight;
      raster.current.reset();
    }
    raster.current.draw(ctx, layout, frames, colors);
  }, [frames, layout]);

  // The part of the map in view, as fractions of its height (rows hold frames in order in both).
  useEffect(() => {
    const el = scroller();
    if (!el) return;
    const measure = () => {
      const next = {
        top: el.scrollTop / el.scrollHeight,
        height: Math.min(1, el.clientHeight / el.scrollHeight),
      };
      setView((v) => (v.top === next.top && v.height === next.height ? v : next));
    };
    measure();
    el.addEventListener("scroll", measure, { passive: true });
    // The grid's canvas stack changes size with the zoom and the box.
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => {
      el.removeEventListener("scroll", measure);
      ro.disconnect();
    };
  }, [scroller]);

  const jump = (fraction: number) => {
    const el = scroller();
    if (el) el.scrollTop = fraction * el.scrollHeight - el.clientHeight / 2;
  };

  return (
    <div className="memory-map">
      <fieldset className="memory-zoom">
        <legend className="sr-only">Zoom of the frame map</legend>
        {ZOOMS.map((z) => (
          <button key={z} type="button" aria-pressed={z === zoom} onClick={() => onZoom(z)}>
            {z === 0 ? "fit" : `${z} px`}
          </button>
        ))}
      </fieldset>
      <button
        type="button"
        className="memory-mini"
        aria-label="Minimap of all of physical memory: click a part to show it"
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          jump(e.clientY > 0 ? (e.clientY - r.top) / r.height : 0);
        }}
      >
        <canvas ref={canvasRef} />
        <span
          className="memory-mini-view"
          style={{ top: `${view.top * 100}%`, height: `${Math.max(view.height * 100, 2)}%` }}
        />
      </button>
    </div>
  );
}
