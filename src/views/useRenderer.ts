import { type RefObject, useEffect, useRef } from "react";

/**
 * A drawing that owns what is inside one element (a canvas pair, an <svg>):
 * React owns the element, the renderer its contents. `update` draws the
 * latest input (and may animate towards it); `destroy` stops its timers and
 * transitions and removes what it drew.
 */
export interface Renderer<I> {
  update(input: I): void;
  destroy(): void;
}

/**
 * Owns a renderer for the element in `ref`: creates it when the element
 * mounts (or `create` changes), hands it each new input, destroys it on
 * unmount — the way xyflow keeps one d3-zoom instance per pane.
 * `create` should be stable (a module function or a memoised callback).
 */
export function useRenderer<E extends Element, I>(
  ref: RefObject<E | null>,
  create: (el: E) => Renderer<I>,
  input: I,
): RefObject<Renderer<I> | null> {
  const renderer = useRef<Renderer<I> | null>(null);
  const latest = useRef(input);
  latest.current = input;
  // The input the current renderer last drew: each input is drawn once.
  const drawn = useRef<{ input: I } | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = create(el);
    renderer.current = r;
    drawn.current = { input: latest.current };
    r.update(latest.current);
    return () => {
      r.destroy();
      if (renderer.current === r) renderer.current = null;
      drawn.current = null;
    };
  }, [ref, create]);
  useEffect(() => {
    if (!renderer.current || drawn.current?.input === input) return;
    drawn.current = { input };
    renderer.current.update(input);
  }, [input]);
  return renderer;
}
