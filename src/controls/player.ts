/*
 * The step bar's moves: one step forward or back, and play / pause, for
 * whatever is loaded. Forward replays the timeline if the state is back in
 * time, else runs the open lesson's next beat, else the loaded scenario's
 * next step, else one step of ksmd (of the chosen size). Stepping by
 * comparison shows the last step's tree comparisons one at a time first.
 */
import { inSync, nextBeat, nextMove, openLessonOf, useProgress } from "../lessons/progress";
import {
  comparisonsIn,
  expectCompares,
  noteStep,
  type StepRate,
  setStepping,
  showCompare,
} from "../store/stage";
import { type AppState, useStore } from "../store/store";
import type { Reply, StepUnit } from "../worker/protocol";
import { run } from "./command";

/** What a step forward drives now. */
export type Driver = "replay" | "lesson" | "scenario" | "ksmd";

export function driverOf(s: Pick<AppState, "timeline" | "lesson" | "scenario" | "profile">): Driver {
  if (s.timeline.position < s.timeline.length) return "replay";
  const lesson = openLessonOf(s);
  if (lesson && inSync(lesson, s) && nextMove(lesson, s, useProgress.getState())) return "lesson";
  if (s.scenario && s.scenario.next < s.scenario.steps) return "scenario";
  return "ksmd";
}

const UNIT: Record<AppState["stepSize"], StepUnit> = {
  comparison: "page",
  page: "page",
  batch: "batch",
  scan: "scan",
};

/** One step forward; resolves to whether anything moved. */
export async function stepForward(): Promise<boolean> {
  const s = useStore.getState();
  const byCompare = s.stepSize === "comparison";
  if (byCompare && s.compare !== null) {
    showCompare(s.compare + 1);
    return true;
  }
  expectCompares(byCompare);
  let reply: Reply;
  switch (driverOf(s)) {
    case "replay":
      reply = await run({ type: "travel", position: s.timeline.position + 1 }, "time travel");
      break;
    case "lesson": {
      const lesson = openLessonOf(s)!;
      const move = nextMove(lesson, s, useProgress.getState());
      if (!move?.ready) {
        expectCompares(false);
        noteStep(
          move?.asks
            ? "Make your prediction in the lesson panel first, then step on."
            : "Wait a moment: the lesson is still loading.",
        );
        return false;
      }
      await nextBeat();
      return true;
    }
    case "scenario":
      reply = await run({ type: "scenario-step", count: 1 }, "scenario");
      break;
    case "ksmd":
      // A refusal (ksmd idle or stopped) is said in the caption, not as a lasting error message.
      reply = await s.send({ type: "step", unit: UNIT[s.stepSize] });
      if (reply.errno) noteStep(`ksmd cannot step: ${reply.message ?? reply.errno} (${reply.errno}).`);
      break;
  }
  if (reply.errno) expectCompares(false);
  return !reply.errno;
}

/** One step back: the previous comparison, else the state before the last action. */
export async function stepBack(): Promise<boolean> {
  const s = useStore.getState();
  if (s.stepSize === "comparison") {
    const total = comparisonsIn(s.stepEvents).length;
    if (s.compare !== null && s.compare > 0) {
      showCompare(s.compare - 1);
      return true;
    }
    if (s.compare === null && total > 0) {
      showCompare(total - 1);
      return true;
    }
  }
  if (s.timeline.position <= s.timeline.first) return false;
  const r = await run({ type: "travel", position: s.timeline.position - 1 }, "time travel");
  return !r.errno;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Whether the step bar is playing (its own timer, or ksmd flat out in the worker). */
export function isPlaying(s: Pick<AppState, "playing" | "stepping">): boolean {
  return s.playing || s.stepping;
}

/** Play: a step every 1/rate seconds until nothing more moves; "max" runs ksmd flat out in the worker. */
export function play(): void {
  const s = useStore.getState();
  if (isPlaying(s)) return;
  noteStep(null);
  if (s.stepRate === "max" && driverOf(s) === "ksmd") {
    void run({ type: "clock", playing: true, speed: "max" }, "clock");
    return;
  }
  setStepping(true);
  const tick = async () => {
    if (!useStore.getState().stepping) return;
    const started = performance.now();
    const moved = await stepForward();
    if (!moved || !useStore.getState().stepping) return setStepping(false);
    const rate = rateOf(useStore.getState().stepRate);
    timer = setTimeout(tick, Math.max(0, 1000 / rate - (performance.now() - started)));
  };
  void tick();
}

/** "max" outside ksmd (a lesson, a scenario): as fast as a person can still see. */
function rateOf(r: StepRate): number {
  return r === "max" ? 30 : r;
}

export function pause(): void {
  clearTimeout(timer);
  setStepping(false);
  const { playing } = useStore.getState();
  if (playing) void run({ type: "clock", playing: false, speed: "max" }, "clock");
}

export function togglePlay(): void {
  if (isPlaying(useStore.getState())) pause();
  else play();
}
