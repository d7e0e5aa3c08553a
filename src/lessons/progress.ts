/*
 * The open lesson's progress, and the commands that move it: open, choose
 * an answer, Next, restart, close. The lesson's position always follows the
 * engine's scenario position (store.scenario.next), so stepping back in time
 * moves the lesson back too. No React here: LessonPanel renders this store.
 */
import { create } from "zustand";
import { run } from "../controls/command";
import type { Snapshot } from "../engine";
import { type AppState, startedAfresh, useStore } from "../store/store";
import { lessonById } from "./index";
import {
  atBeatEnd,
  beatAt,
  beatEnds,
  type Compared,
  evaluate,
  type Lesson,
  ProbeError,
  scenarioText,
} from "./lesson";

export interface Progress {
  /** The answer picked for each beat's question (by beat index). */
  chosen: Record<number, string>;
  /** The engine's answer for each beat whose question was asked and whose steps have run. */
  revealed: Record<number, string>;
  /** A Next whose steps are running: the beat it reaches, the scenario position that is, and the state before. */
  pending: { beat: number; target: number; before: Snapshot | null; asked: boolean } | null;
  /** Waiting for the engine to load the lesson's scenario. */
  loading: boolean;
  /** compare-profiles' lines, for lessons that compare kernels. */
  compared: Compared | null;
  error: string | null;
  /** The beat shown at the last engine update: a lower one means the scenario went back in time. */
  shown: number;
}

const INITIAL: Progress = {
  chosen: {},
  revealed: {},
  pending: null,
  loading: false,
  compared: null,
  error: null,
  shown: 0,
};

export const useProgress = create<Progress>()(() => ({ ...INITIAL }));

/** The open lesson, if the store names one. */
export function openLessonOf(s: Pick<AppState, "lesson">): Lesson | undefined {
  return lessonById(s.lesson);
}

/** Whether the engine runs this lesson's scenario on its kernel (another may have been loaded since). */
export function inSync(lesson: Lesson, s: Pick<AppState, "scenario" | "profile">): boolean {
  return s.scenario?.name === lesson.scenario.name && s.profile === lesson.profile;
}

/** Load a lesson's scenario into the engine and make it the open lesson. */
export async function openLesson(id: string): Promise<void> {
  const lesson = lessonById(id);
  if (!lesson) {
    useProgress.setState({ ...INITIAL, error: `there is no lesson "${id}"` });
    return;
  }
  useProgress.setState({ ...INITIAL, loading: true });
  useStore.setState({ lesson: id });
  const text = scenarioText(lesson);
  const reply = await run({ type: "load-scenario", text, profile: lesson.profile }, lesson.title);
  if (reply.errno) {
    useProgress.setState({ loading: false, error: reply.message ?? reply.errno });
    return;
  }
  startedAfresh({ lesson: id });
  syncWithEngine(useStore.getState());
  await compareKernels(lesson);
}

/** A lesson reopened from a link: the engine already holds its state, at whatever step the link named. */
export async function resumeLesson(id: string): Promise<void> {
  const lesson = lessonById(id);
  if (!lesson) return;
  useProgress.setState({ ...INITIAL, shown: beatAt(lesson, useStore.getState().scenario?.next ?? 0) });
  await compareKernels(lesson);
}

/** For lessons that compare kernels: both kernels' lines for the lesson's scenario. */
async function compareKernels(lesson: Lesson): Promise<void> {
  if (!lesson.compare) return;
  const r = await run({ type: "compare-profiles", text: scenarioText(lesson) }, "compare kernels");
  if (useStore.getState().lesson !== lesson.id) return;
  if (r.lines) useProgress.setState({ compared: r.lines });
  else useProgress.setState({ error: r.message ?? r.errno ?? "no comparison" });
}

export function closeLesson(): void {
  useStore.setState({ lesson: null });
  useProgress.setState({ ...INITIAL });
}

export function restartLesson(): Promise<void> {
  const id = useStore.getState().lesson;
  return id ? openLesson(id) : Promise.resolve();
}

/** Pick an answer to the question of beat `beat` (the one Next runs). */
export function choose(beat: number, choice: string): void {
  useProgress.setState({ chosen: { ...useProgress.getState().chosen, [beat]: choice } });
}

/** What Next would do now: the beat it reaches, whether it asks that beat's question, whether it may run. */
export function nextMove(
  lesson: Lesson,
  s: Pick<AppState, "scenario">,
  p: Pick<Progress, "chosen" | "pending" | "loading" | "compared">,
): { beat: number; asks: boolean; ready: boolean } | null {
  const pos = s.scenario ? s.scenario.next : 0;
  const beat = beatAt(lesson, pos) + 1;
  if (beat >= lesson.beats.length) return null;
  // Part-way to the next beat (stepped by hand or back in time) the question would not be fair.
  const asks = !!lesson.beats[beat].ask && atBeatEnd(lesson, beat - 1, pos);
  const ready =
    !p.pending &&
    !p.loading &&
    (!lesson.compare || p.compared !== null) &&
    (!asks || p.chosen[beat] !== undefined);
  return { beat, asks, ready };
}

/** Run the steps to the next beat; its question is revealed when the engine's update arrives. */
export async function nextBeat(): Promise<void> {
  const s = useStore.getState();
  const lesson = openLessonOf(s);
  if (!lesson || !s.scenario || !inSync(lesson, s)) return;
  const move = nextMove(lesson, s, useProgress.getState());
  if (!move?.ready) return;
  const target = beatEnds(lesson)[move.beat];
  useProgress.setState({
    pending: { beat: move.beat, target, before: s.snapshot, asked: move.asks },
    error: null,
  });
  const reply = await run({ type: "scenario-step", count: target - s.scenario.next }, "lesson");
  if (reply.errno) useProgress.setState({ pending: null, error: reply.message ?? reply.errno });
  else syncWithEngine(useStore.getState());
}

/**
 * Fold an engine update into the lesson: finish a pending Next (reveal its
 * answer) once the scenario has reached its beat, and forget answers of
 * beats the scenario has gone back before.
 */
export function syncWithEngine(s: AppState): void {
  const lesson = openLessonOf(s);
  const p = useProgress.getState();
  if (!lesson || !s.scenario || !inSync(lesson, s)) return;
  if (p.loading) {
    // Until the freshly loaded scenario shows up, the store may still hold the previous run.
    if (s.scenario.next === 0) useProgress.setState({ loading: false, shown: 0 });
    return;
  }
  const patch: Partial<Progress> = {};
  const shown = beatAt(lesson, s.scenario.next);
  if (shown < p.shown) {
    const keep = <T>(m: Record<number, T>, upTo: number) =>
      Object.fromEntries(Object.entries(m).filter(([b]) => Number(b) <= upTo)) as Record<number, T>;
    patch.revealed = keep(p.revealed, shown);
    patch.chosen = keep(p.chosen, shown);
  }
  if (shown !== p.shown) patch.shown = shown;
  const pend = p.pending;
  if (pend && s.scenario.next === pend.target && s.snapshot && s.snapshot !== pend.before) {
    patch.pending = null;
    const ask = lesson.beats[pend.beat].ask;
    if (ask && pend.asked && pend.before) {
      try {
        const answer = evaluate(ask.probe, pend.before, s.snapshot, p.compared ?? {});
        patch.revealed = { ...(patch.revealed ?? p.revealed), [pend.beat]: answer };
      } catch (err) {
        // A ProbeError says what is missing in words; anything else is a fault in the lesson itself.
        patch.error =
          err instanceof ProbeError ? err.message : "this question's answer could not be worked out";
      }
    }
  }
  if (Object.keys(patch).length) useProgress.setState(patch);
}

/** Keep the lesson in step with the engine; returns the unsubscribe function. */
export function watchEngine(): () => void {
  return useStore.subscribe(syncWithEngine);
}
