import { useEffect, useRef, useState } from "react";

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
