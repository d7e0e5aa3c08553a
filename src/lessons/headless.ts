/*
 * A lesson run without the app, as the worker runs it: a Kernel sized like
 * load-scenario sizes it, a ScenarioRun, and a snapshot (takeSnapshot with a
 * ContentIds) and the events at every beat. For tests and for checking narration.
 */
import {
  type Checksummer,
  ContentIds,
  type Kernel,
  type KsmEvent,
  type OutputLine,
  type ProfileName,
  runOnEveryProfile,
  ScenarioRun,
  type Snapshot,
  scenarioKernel,
  takeSnapshot,
} from "../engine";
import { type Compared, evaluate, type Lesson } from "./lesson";

export interface BeatRun {
  /** The snapshot when the beat is reached (after its steps). */
  snapshot: Snapshot;
  /** Output lines its steps printed. */
  lines: OutputLine[];
  /** The events its steps emitted. */
  events: KsmEvent[];
  /** The engine's answer to the beat's question, if it has one. */
  answer?: string;
}

/** What compare-profiles answers: the scenario run to its end on every profile. */
export function compareProfiles(lesson: Lesson, checksummer: Checksummer): Compared {
  return runOnEveryProfile(lesson.scenario, checksummer);
}

export interface LessonRun {
  /** The machine as the last beat run left it. */
  kernel: Kernel;
  beats: BeatRun[];
}

/** Run the lesson beat by beat on `profile` (the lesson's own by default), its first `upTo` beats (all). */
export function runLesson(
  lesson: Lesson,
  checksummer: Checksummer,
  profile: ProfileName = lesson.profile,
  upTo = lesson.beats.length,
): LessonRun {
  const k = scenarioKernel(lesson.scenario, profile, checksummer);
  const ids = new ContentIds();
  let lines: OutputLine[] = [];
  let events: KsmEvent[] = [];
  k.tracer = (e) => events.push(e);
  const run = new ScenarioRun(k, lesson.scenario, (l) => lines.push(l));
  const compared = lesson.compare ? compareProfiles(lesson, checksummer) : {};
  let before = takeSnapshot(k, ids);
  const beats = lesson.beats.slice(0, upTo).map((beat) => {
    lines = [];
    events = [];
    for (let i = 0; i < beat.steps; i++) {
      if (run.done) throw new Error(`lesson ${lesson.id}: a beat runs past the scenario's end`);
      run.step();
    }
    const snapshot = takeSnapshot(k, ids);
    const answer = beat.ask ? evaluate(beat.ask.probe, before, snapshot, compared) : undefined;
    before = snapshot;
    return { snapshot, lines, events, ...(answer !== undefined ? { answer } : {}) };
  });
  return { kernel: k, beats };
}
