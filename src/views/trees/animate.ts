// d3 is marked side-effect free, so its re-export of d3-transition (which adds .transition() to selections) would be dropped.
import "d3-transition";
import type { BaseType, Selection, Transition } from "d3";

/*
 * What every mark of the trees drawing uses to set attributes now or
 * animate them, so that with motion off nothing is ever scheduled.
 */

type Value<D> = string | number | null | ((d: D, i: number) => string | number | null);

/** The part of a selection and a transition that both have: set now, or animate. */
export interface Setter<D> {
  attr(name: string, value: Value<D>): Setter<D>;
  style(name: string, value: Value<D>): Setter<D>;
}

export type Sel<E extends BaseType, D> = Selection<E, D, BaseType, unknown>;

/** Milliseconds: a layout change, one compare of a search, the fade of an emptied tree. */
export const DURATION = 450;
export const STEP = 260;
export const EMPTY_FADE = 700;

export function animate<E extends BaseType, D>(
  sel: Sel<E, D>,
  motion: boolean,
  opts: { name?: string; duration?: number; delay?: number | ((d: D) => number) } = {},
): Setter<D> {
  if (!motion) {
    sel.interrupt(opts.name ?? "layout");
    return setChanged(sel);
  }
  const t: Transition<E, D, BaseType, unknown> = sel
    .transition(opts.name ?? "layout")
    .duration(opts.duration ?? DURATION);
  const delay = opts.delay ?? 0;
  if (typeof delay === "number") t.delay(delay);
  else t.delay((d) => delay(d));
  return t as unknown as Setter<D>;
}

export const translate = (p: { x: number; y: number }) => `translate(${p.x},${p.y})`;

/**
 * Sets attributes and styles now, but only where they differ: the browser
 * lays out and repaints an SVG element again even when an attribute is set
 * to the value it already has, and most of a tree is unchanged between updates.
 */
export function setChanged<E extends BaseType, D>(sel: Sel<E, D>): Setter<D> {
  const each = (value: Value<D>, set: (el: Element & ElementCSSInlineStyle, v: string | null) => void) =>
    sel.each(function (d, i) {
      const v = typeof value === "function" ? value(d, i) : value;
      set(this as unknown as Element & ElementCSSInlineStyle, v === null ? null : String(v));
    });
  const setter: Setter<D> = {
    attr(name, value) {
      each(value, (el, v) => {
        if (el.getAttribute(name) === v) return;
        if (v === null) el.removeAttribute(name);
        else el.setAttribute(name, v);
      });
      return setter;
    },
    style(name, value) {
      each(value, (el, v) => {
        if (el.style.getPropertyValue(name) === (v ?? "")) return;
        if (v === null) el.style.removeProperty(name);
        else el.style.setProperty(name, v);
      });
      return setter;
    },
  };
  return setter;
}

/** Sets each element's text only where it differs: new text, even the same words, is laid out and shaped again. */
export function setText<E extends BaseType, D>(sel: Sel<E, D>, text: (d: D) => string): void {
  sel.each(function (d) {
    const el = this as unknown as Element;
    const t = text(d);
    if (el.textContent !== t) el.textContent = t;
  });
}
