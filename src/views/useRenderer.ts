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
 * there (it may mount after the component, e.g. once there is data), hands
 * it each new input once, and destroys it when the element goes, `create`
 * changes or the component unmounts — the way xyflow keeps one d3-zoom
 * instance per pane. `create` should be stable (a module function).
 */
export function useRenderer<E extends Element, I>(
  ref: RefObject<E | null>,
  create: (el: E) => Renderer<I>,
  input: I,
): void {
  const owner = useRef<{
    el: E;
    create: (el: E) => Renderer<I>;
    renderer: Renderer<I>;
    drawn: { input: I } | null;
  } | null>(null);
  // After every render: the element may have come or gone; draw the input if it is new.
  useEffect(() => {
    const el = ref.current;
    let o = owner.current;
    if (o && (o.el !== el || o.create !== create)) {
      o.renderer.destroy();
      o = owner.current = null;
    }
    if (!o && el) o = owner.current = { el, create, renderer: create(el), drawn: null };
    if (o && o.drawn?.input !== input) {
      o.drawn = { input };
      o.renderer.update(input);
    }
  });
  useEffect(
    () => () => {
      owner.current?.renderer.destroy();
      owner.current = null;
    },
    [],
  );
}
