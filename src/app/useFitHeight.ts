import { type RefObject, useEffect, useState } from "react";

/**
 * The height (CSS px) of the element matching `selector` inside `ref`, kept
 * up to date by a ResizeObserver (no layout is forced): the stage gives the
 * frame grid the room its box has left under the heading and legend, so the
 * grid fits without scrolling. `ready` re-finds the element once it exists.
 * Undefined until measured.
 */
export function useFitHeight(
  ref: RefObject<HTMLElement | null>,
  selector: string,
  ready: boolean,
): number | undefined {
  const [height, setHeight] = useState<number | undefined>(undefined);
  useEffect(() => {
    const el = ready ? ref.current?.querySelector<HTMLElement>(selector) : null;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver((entries) => {
      const h = Math.floor(entries[entries.length - 1].contentRect.height);
      if (h > 0) setHeight((old) => (old === h ? old : h));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, selector, ready]);
  return height;
}
