import { useEffect, useRef, useState } from "react";
import { type AppState, useStore } from "./store";

/**
 * The value, but changing at most once per `ms`: the first change shows at
 * once, later ones within the interval are folded into one at its end.
 * Heavy views (trees, the event log) use it so that ksmd running flat out
 * cannot starve the main thread, while single steps still show immediately.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(Number.NEGATIVE_INFINITY);
  const latest = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  latest.current = value;

  useEffect(() => {
    if (Object.is(value, shown) || timer.current !== null) return;
    const wait = lastShown.current + ms - performance.now();
    const show = () => {
      timer.current = null;
      lastShown.current = performance.now();
      setShown(latest.current);
    };
    if (wait <= 0) show();
    else timer.current = setTimeout(show, wait);
  }, [value, shown, ms]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return shown;
}

/**
 * The animation frame after an update (while playing) in which each heavy
 * view draws it: one heavy view per frame, not all in the update's frame.
 */
export const PICTURE_SLOT = { processes: 1, frames: 2, trees: 3, log: 4, mapping: 5 } as const;

/** Flat out, how often the trees redraw and the log refreshes (the worker sends the trees as often). */
export { FLAT_OUT_REDRAW_MS } from "../worker/protocol";

/**
 * A value from the store, as `select` picks it, for a heavy view. Paused or
 * stepping, it follows the store at once. While ksmd plays, each change shows
 * `slot` animation frames after it arrived (the newest value by then), so the
 * heavy views draw one per frame instead of all in the frame of the update.
 */
export function useStaggered<T>(select: (s: AppState) => T, slot: number): T {
  const [shown, setShown] = useState(() => select(useStore.getState()));
  const pick = useRef(select);
  pick.current = select;
  useEffect(() => {
    let frame = 0;
    const show = () => {
      frame = 0;
      setShown(pick.current(useStore.getState()));
    };
    const unsubscribe = useStore.subscribe((s, prev) => {
      if (Object.is(pick.current(s), pick.current(prev))) return;
      if (!s.playing || slot === 0) {
        cancelAnimationFrame(frame);
        show();
      } else if (frame === 0) {
        let left = slot;
        const tick = () => {
          if (--left > 0) frame = requestAnimationFrame(tick);
          else show();
        };
        frame = requestAnimationFrame(tick);
      }
    });
    show(); // anything that changed before the subscription
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [slot]);
  return shown;
}
