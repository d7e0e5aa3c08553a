import { type RefObject, useEffect, useState } from "react";

export interface BoxSize {
  width: number;
  height: number;
}

const UNMEASURED: BoxSize = { width: 0, height: 0 };

/**
 * The content box of an element (CSS px, whole pixels), kept up to date by a
 * ResizeObserver; 0 × 0 until measured. A tree's box and the counters
 * chart's get their size from the stage's layout (trees.css, stats.css), and
 * the view draws to fit it.
 */
export function useBox(ref: RefObject<HTMLElement | null>): BoxSize {
  const [size, setSize] = useState(UNMEASURED);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = (width: number, height: number) =>
      setSize((old) => {
        const w = Math.floor(width);
        const h = Math.floor(height);
        return w === old.width && h === old.height ? old : { width: w, height: h };
      });
    measure(el.clientWidth, el.clientHeight);
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) measure(e.contentRect.width, e.contentRect.height);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}
