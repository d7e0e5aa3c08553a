import { useStore } from "../store/store";
import { run } from "./command";

/** The travel being done, and the newest one asked for meanwhile (the ones between are skipped). */
let travelling: number | null = null;
let wanted: number | null = null;

/** Where the state is, or is about to be once the travels asked for are done. */
function here(): number {
  return wanted ?? travelling ?? useStore.getState().timeline.position;
}

/**
 * Go to a position of the timeline (the worker rebuilds that exact state).
 * One travel at a time: clicks while one is in flight only move the target,
 * and the worker takes a target past the end (which a recorded action may
 * have moved meanwhile) as the end, so fast clicking never errs.
 */
export function travel(position: number): void {
  wanted = Math.max(useStore.getState().timeline.first, position);
  if (travelling !== null) return;
  void (async () => {
    while (wanted !== null) {
      travelling = wanted;
      wanted = null;
      await run({ type: "travel", position: travelling }, "time travel");
    }
    travelling = null;
  })();
}

/** Travel `delta` actions from where the state is (or is about to be). */
export function travelBy(delta: number): void {
  travel(here() + delta);
}

/** The nearest full-scan mark before or after the current position (or the timeline's end). */
export function scanMark(direction: -1 | 1): number {
  const { first, length, scanMarks } = useStore.getState().timeline;
  const position = here();
  if (direction < 0) return scanMarks.findLast((p) => p < position && p >= first) ?? first;
  return scanMarks.find((p) => p > position) ?? length;
}
