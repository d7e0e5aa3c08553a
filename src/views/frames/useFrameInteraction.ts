import { type KeyboardEvent, type PointerEvent, type RefObject, useCallback, useRef, useState } from "react";
import type { Focus } from "../../store/store";
import type { Tip } from "./FrameTooltip";
import { cellOrigin, type GridLayout, hitTest, moveCursor } from "./frameModel";

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

function frameFocus(pfn: number): Focus {
  return { kind: "frame", pfn };
}

export interface FrameCallbacks {
  onHover: (f: Focus) => void;
  onUnhover: (f: Focus) => void;
  onToggleSelect: (f: Focus) => void;
  onClearSelect: () => void;
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

/**
 * The frame grid's pointer and keyboard: hover (with a tooltip), click to
 * select, arrows to move a keyboard cursor, Enter to select, Escape to clear.
 */
export function useFrameInteraction(
  layout: GridLayout,
  refs: { canvas: RefObject<HTMLCanvasElement | null>; scroller: RefObject<HTMLElement | null> },
  cb: FrameCallbacks,
) {
  const { onHover, onUnhover, onToggleSelect, onClearSelect } = cb;
  const count = layout.count;
  const [cursor, setCursor] = useState(0);
  const [keyboard, setKeyboard] = useState(false);
  const [tip, setTip] = useState<Tip | null>(null);
  const hovered = useRef<number>(-1);
  const tipFor = useCallback(
    (pfn: number): Tip | null => {
      const canvas = refs.canvas.current;
      if (!canvas || pfn < 0) return null;
      const r = canvas.getBoundingClientRect();
      const o = cellOrigin(layout, pfn);
      const left = r.left + o.x / layout.dpr;
      return { pfn, x: left + layout.cell, y: r.top + o.y / layout.dpr, left };
    },
    [layout, refs.canvas],
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
  const handlers = {
    onPointerMove: (e: PointerEvent<HTMLCanvasElement>) => {
      setKeyboard(false);
      hoverFrame(pfnAt(e));
    },
    onPointerLeave: () => hoverFrame(-1),
    onPointerDown: (e: PointerEvent<HTMLCanvasElement>) => {
      const pfn = pfnAt(e);
      if (e.button === 0 && pfn >= 0) {
        setCursor(pfn);
        onToggleSelect(frameFocus(pfn));
      }
    },
    onKeyDown: (e: KeyboardEvent<HTMLCanvasElement>) => {
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
      scrollCellIntoView(refs.scroller.current, layout, next);
      hoverFrame(next);
    },
    onBlur: () => {
      if (keyboard) hoverFrame(-1);
      setKeyboard(false);
    },
  };
  /** The keyboard cursor's frame, or -1 when the pointer leads. */
  const cursorAt = keyboard ? Math.min(cursor, count - 1) : -1;
  return { cursorAt, tip, handlers };
}
