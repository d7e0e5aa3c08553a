/*
 * Where the mapping links find the views' cells: each view registers its
 * drawing element with its pure layout (the cell grid of its pages or
 * frames, the points of its tree's nodes, in the element's own CSS pixels
 * at its laid-out size). The links
 * read one bounding box per element for the offset, never the DOM of each
 * cell.
 */
import { type RefObject, useEffect, useRef } from "react";
import type { CellGrid, Point } from "./geometry";

/** The element's laid-out size (CSS px, before any transform). */
export interface Size {
  width: number;
  height: number;
}

/** A VMA's pages: page `index` of the VMA is cell `index` of the grid. */
export interface PagesAnchor {
  pid: number;
  start: number;
  end: number;
  grid: (size: Size) => CellGrid;
}

/** Physical memory: frame pfn is cell pfn of the grid. */
export interface FramesAnchor {
  grid: (size: Size) => CellGrid;
}

/** A tree: node id → its centre, or null when the node is not drawn. */
export interface TreeAnchor {
  /** A node's centre; given a chain's dup id, that dup's box (its left end), when drawn. */
  points: (size: Size) => (id: number, dup?: number) => Point | null;
}

export interface Registered<A> {
  el: Element;
  /** What the element's cells are seen through (a scrolling container), if not the element itself. */
  clip: Element | null;
  anchor: A;
}

export interface Anchors {
  pages: Map<string, Registered<PagesAnchor>>;
  frames: Map<string, Registered<FramesAnchor>>;
  trees: Map<string, Registered<TreeAnchor>>;
}

type Kind = keyof Anchors;

const anchors: Anchors = { pages: new Map(), frames: new Map(), trees: new Map() };
const listeners = new Set<() => void>();

export function currentAnchors(): Anchors {
  return anchors;
}

/** Called whenever an anchor comes, goes or changes its layout. */
export function onAnchorsChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed(): void {
  for (const fn of listeners) fn();
}

export function register<K extends Kind>(
  kind: K,
  key: string,
  entry: Anchors[K] extends Map<string, infer R> ? R : never,
): () => void {
  const map = anchors[kind] as Map<string, unknown>;
  map.set(key, entry);
  changed();
  return () => {
    if (map.get(key) === entry) {
      map.delete(key);
      changed();
    }
  };
}

/**
 * Registers the element in `ref` with its layout while both are there; again
 * whenever the element, its clipping container or the anchor (its layout)
 * changes — checked after every render, since an element may mount late.
 */
export function useAnchor<K extends Kind>(
  kind: K,
  key: string,
  ref: RefObject<Element | null>,
  anchor: (Anchors[K] extends Map<string, Registered<infer A>> ? A : never) | null,
  clip: RefObject<Element | null> | null = null,
): void {
  const current = useRef<{
    el: Element;
    clip: Element | null;
    anchor: unknown;
    key: string;
    stop: () => void;
  } | null>(null);
  useEffect(() => {
    const el = ref.current;
    const clipEl = clip?.current ?? null;
    const c = current.current;
    if (c && c.el === el && c.clip === clipEl && c.anchor === anchor && c.key === key) return;
    c?.stop();
    current.current =
      el && anchor
        ? { el, clip: clipEl, anchor, key, stop: register(kind, key, { el, clip: clipEl, anchor } as never) }
        : null;
  });
  useEffect(
    () => () => {
      current.current?.stop();
      current.current = null;
    },
    [],
  );
}
