import { type RefObject, useEffect, useState } from "react";

/**
 * The content width of an element (CSS px) and the devicePixelRatio, kept up
 * to date with a ResizeObserver. Browser zoom changes both, so they are read
 * together. Before the first measurement (and on the server) `initial` and 1.
 * `shown`: whether the element is rendered yet (a view that first renders a
 * placeholder without it measures once it appears).
 */
export function useWidth(
  ref: RefObject<HTMLElement | null>,
  initial: number,
  shown = true,
): { width: number; dpr: number } {
  const [size, setSize] = useState({ width: initial, dpr: 1 });
  useEffect(() => {
    const el = shown ? ref.current : null;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = (w: number) => {
      const dpr = window.devicePixelRatio || 1;
      setSize((old) => {
        const width = w > 0 ? Math.floor(w) : old.width;
        return width === old.width && dpr === old.dpr ? old : { width, dpr };
      });
    };
    measure(el.clientWidth);
    const ro = new ResizeObserver((entries) => {
      for (const e of entries) measure(e.contentRect.width);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, shown]);
  return size;
}
