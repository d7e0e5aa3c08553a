/*
 * Hover and selection, as the views README asks: hover follows the pointer
 * (or keyboard cursor), a click selects, a second click on the same thing
 * clears the selection.
 */

import { useShallow } from "zustand/react/shallow";
import type { KsmEvent, Snapshot } from "../engine";
import { animating, type Focus, useStore } from "./store";
import { useStaggered } from "./throttle";

export function sameFocus(a: Focus | null, b: Focus | null): boolean {
  if (a === null || b === null) return a === b;
  switch (a.kind) {
    case "page":
      return b.kind === "page" && a.pid === b.pid && a.addr === b.addr;
    case "frame":
      return b.kind === "frame" && a.pfn === b.pfn;
    case "item":
      return b.kind === "item" && a.id === b.id;
    case "node":
      return b.kind === "node" && a.tree === b.tree && a.id === b.id;
  }
}

/** The selection after clicking `f`: f, or nothing if f was already selected. */
export function toggled(current: Focus | null, f: Focus): Focus | null {
  return sameFocus(current, f) ? null : f;
}

/** Set the store's hover, leaving it alone if it already says the same. */
export function setHover(f: Focus | null): void {
  if (!sameFocus(useStore.getState().hover, f)) useStore.setState({ hover: f });
}

/** Clear the hover if it is still `f` (another view may have set its own since). */
export function clearHover(f: Focus | null): void {
  if (f !== null && sameFocus(useStore.getState().hover, f)) useStore.setState({ hover: null });
}

export function toggleSelected(f: Focus): void {
  useStore.setState({ selected: toggled(useStore.getState().selected, f) });
}

export function clearSelected(): void {
  useStore.setState({ selected: null });
}

/** What a linked view calls on hover, unhover and click (the store's actions, or a test's). */
export interface FocusCallbacks {
  onHover: (f: Focus) => void;
  /** Clear the hover if it is still f. */
  onUnhover: (f: Focus) => void;
  onToggleSelect: (f: Focus) => void;
}

export const FOCUS_ACTIONS: FocusCallbacks = {
  onHover: setHover,
  onUnhover: clearHover,
  onToggleSelect: toggleSelected,
};

/** What a view that links by focus and animates recent events reads from the store. */
export interface ViewState {
  snapshot: Snapshot | null;
  hover: Focus | null;
  selected: Focus | null;
  recent: readonly KsmEvent[];
  /** Whether to animate (see `animating`). */
  motion: boolean;
}

/**
 * The view state for a heavy view: hover and selection at once, the picture
 * (snapshot and its events) `slot` frames after an update while playing (see
 * useStaggered), so that a view never re-renders for a picture it will not draw.
 */
export function useViewState(slot: number): ViewState {
  const snapshot = useStaggered((s) => s.snapshot, slot);
  const recent = useStaggered((s) => s.recent, slot);
  const focus = useStore(useShallow((s) => ({ hover: s.hover, selected: s.selected, motion: animating(s) })));
  return { snapshot, recent, ...focus };
}
