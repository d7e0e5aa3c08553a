/*
 * The stage's own state: the step bar (what a step is, how fast it plays,
 * which comparison of a tree search is shown) and which panels are open.
 * Stepping by comparison replays the search paths the engine recorded in the
 * last step's events (events.ts: stable-search, unstable-search,
 * stable-insert): the engine's state changed at the step; the comparisons
 * are shown one at a time over it, as stable_tree_search made them.
 */
import type { KsmEvent } from "../engine";
import { useStore } from "./store";

/** One step of the step bar: a comparison of a tree search, a page, a batch (pages_to_scan pages) or a full scan. */
export type StepSize = "comparison" | "page" | "batch" | "scan";
export const STEP_SIZES: readonly { id: StepSize; label: string }[] = [
  { id: "comparison", label: "comparison" },
  { id: "page", label: "page" },
  { id: "batch", label: "batch" },
  { id: "scan", label: "full scan" },
];

/** Steps per second, or "max": ksmd as fast as the worker runs it. */
export type StepRate = number | "max";
export const STEP_RATES: readonly StepRate[] = [0.5, 1, 2, 5, 10, 30, "max"];

/** The side panel's tabs. */
export type Panel = "log" | "code" | "console";

export type SearchEvent = Extract<KsmEvent, { type: "stable-search" | "unstable-search" | "stable-insert" }>;

export function isSearch(e: KsmEvent): e is SearchEvent {
  return e.type === "stable-search" || e.type === "unstable-search" || e.type === "stable-insert";
}

/** One comparison of a step: the search it belongs to (its index in the events) and the compare. */
export interface StepCompare {
  event: number;
  search: SearchEvent;
  /** Its index in the search's path. */
  index: number;
  compare: SearchEvent["path"][number];
}

/** Every comparison the step's tree searches made, in order. */
export function comparisonsIn(events: readonly KsmEvent[]): StepCompare[] {
  const out: StepCompare[] = [];
  events.forEach((e, event) => {
    if (!isSearch(e)) return;
    e.path.forEach((compare, index) => {
      out.push({ event, search: e, index, compare });
    });
  });
  return out;
}

/**
 * The events as they stood at comparison `n`: those before its search, and
 * its search with the path cut after that comparison (what the trees light).
 */
export function eventsUpTo(events: KsmEvent[], n: number): KsmEvent[] {
  const c = comparisonsIn(events)[n];
  if (!c) return events;
  const cut = { ...c.search, path: c.search.path.slice(0, c.index + 1) } as KsmEvent;
  return [...events.slice(0, c.event), cut];
}

/** Show comparison n of the last step (null: the whole step). */
export function showCompare(n: number | null): void {
  const { stepEvents } = useStore.getState();
  const count = comparisonsIn(stepEvents).length;
  const compare = n === null || n < 0 || n >= count ? null : n;
  useStore.setState({ compare, recent: compare === null ? stepEvents : eventsUpTo(stepEvents, compare) });
}

/** The next step's update opens at its first comparison. */
export function expectCompares(on: boolean): void {
  useStore.setState({ compareFromStart: on });
}

export function setStepSize(stepSize: StepSize): void {
  useStore.setState({ stepSize });
  if (stepSize !== "comparison") showCompare(null);
}

export function setStepRate(stepRate: StepRate): void {
  useStore.setState({ stepRate });
}

export function setStepping(stepping: boolean): void {
  useStore.setState({ stepping });
}

export function setDrawer(drawer: boolean): void {
  useStore.setState({ drawer });
}

/** Open the side panel at a tab, or close it (null). */
export function setPanel(panel: Panel | null): void {
  useStore.setState({ panel });
}

/** Say in the caption why the step bar could not step (cleared by the next step). */
export function noteStep(stepNote: string | null): void {
  useStore.setState({ stepNote });
}
