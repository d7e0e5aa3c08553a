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
 * Owns a renderer for the element in `ref`: creates it once the element is
 * there (a view may first render without it, before the engine's first
 * snapshot), again if the element or `create` changes, hands it each new
 * input once, and destroys it on unmount — the way xyflow keeps one d3-zoom
 * instance per pane. `create` should be stable (a module function or a
 * memoised callback).
 */
export function useRenderer<E extends Element, I>(
  ref: RefObject<E | null>,
  create: (el: E) => Renderer<I>,
  input: I,
): RefObject<Renderer<I> | null> {
  const renderer = useRef<Renderer<I> | null>(null);
  const owner = useRef<{ el: E; create: (el: E) => Renderer<I>; drawn: I } | null>(null);
  // After every commit: the element may have appeared, gone or changed.
  useEffect(() => {
    const el = ref.current;
    const o = owner.current;
    if (o && (o.el !== el || o.create !== create)) {
      renderer.current?.destroy();
      renderer.current = null;
      owner.current = null;
    }
    if (!el) return;
    if (!owner.current) {
      renderer.current = create(el);
      owner.current = { el, create, drawn: input };
      renderer.current.update(input);
    } else if (owner.current.drawn !== input) {
      owner.current.drawn = input;
      renderer.current?.update(input);
    }
  });
  useEffect(
    () => () => {
      renderer.current?.destroy();
      renderer.current = null;
      owner.current = null;
    },
    [],
  );
  return renderer;
}
