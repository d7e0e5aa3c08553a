import { type RefObject, useEffect, useState } from "react";

export interface BoxSize {
  width: number;
  height: number;
  /** devicePixelRatio: browser zoom changes it with the size, so both are read together. */
  dpr: number;
}

const UNMEASURED: BoxSize = { width: 0, height: 0, dpr: 1 };

/**
 * The content box of an element (CSS px, whole pixels) and the devicePixelRatio,
 * kept up to date by a ResizeObserver; 0 × 0 until measured. A tree's box and the
 * counters chart's get their size from the stage's layout (trees.css, stats.css),
 * and the view draws to fit it. `shown`: whether the element is rendered yet (a
 * view that first renders a placeholder measures once it appears). `keepLast`: a
 * box that shrinks to nothing (hidden) keeps its last size.
 */
export function useBox(ref: RefObject<HTMLElement | null>, shown = true, keepLast = false): BoxSize {
  const [size, setSize] = useState(UNMEASURED);
  useEffect(() => {
    const el = shown ? ref.current : null;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = (width: number, height: number) =>
      setSize((old) => {
        const w = Math.floor(width);
        const h = Math.floor(height);
        const dpr = window.devicePixelRatio || 1;
        if (keepLast && w <= 0) return old;
        return w === old.width && h === old.height && dpr === old.dpr ? old : { width: w, height: h, dpr };
      });
    measure(el.clientWidth, el.clientHeight);
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) measure(e.contentRect.width, e.contentRect.height);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, shown, keepLast]);
  return size;
}
