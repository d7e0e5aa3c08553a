import type { DrawHandlers } from "./draw";
import type { NodeLook } from "./look";
import type { PlacedLink, PlacedNode } from "./model";

/** A node or placeholder as drawn: its join key, look and place in the search path. */
export interface Item extends PlacedNode {
  /** The join key: the epoch and the layout key. */
  k: string;
  look: NodeLook | null;
  /** Index of this node in the search path, or -1. */
  step: number;
  result: -1 | 0 | 1;
  /** 6.18: the search ended at this chain: the dup it picked (or, candidate false, none: all full). */
  pick: { dup: number; candidate: boolean } | null;
}

export interface Link extends PlacedLink {
  k: string;
  /** The search path runs along this link: the compare index it leads to, or -1. */
  step: number;
}

/** What one drawing pass's marks share: how to animate, and where newcomers come from. */
export interface Pass {
  prefix: string;
  motion: boolean;
  /** Light the search compare by compare. */
  replay: boolean;
  duration: number;
  /** The unstable tree was emptied: every old node leaves, more slowly. */
  leaving: boolean;
  fadeOut: number;
  previous: ReadonlyMap<string, { x: number; y: number }>;
  byKey: ReadonlyMap<string, Item>;
  startOf(it: Item): { x: number; y: number };
  enterDelay(it: Item): number;
}

/** What a drawing remembers between updates. */
export interface DrawState {
  epoch: number;
  positions: Map<string, { x: number; y: number }>;
  handlers: DrawHandlers;
  /** Focus this key's element after the next draw (a placeholder that was expanded). */
  focusKey: string | null;
  /** The node under the pointer (or focused), to clear the hover if it leaves the tree. */
  hovered: number | null;
  /** When the last update's events were drawn (performance.now()). */
  lastFresh: number;
}
