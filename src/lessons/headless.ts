/*
 * A lesson run without the app, as the worker runs it: a Kernel sized like
 * load-scenario sizes it, a ScenarioRun, and a snapshot (takeSnapshot with a
 * ContentIds) at every beat. For tests and for checking narration.
 */
import {
  type Checksummer,
  ContentIds,
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
  /** The engine's answer to the beat's question, if it has one. */
  answer?: string;
}

/** What compare-profiles answers: the scenario run to its end on every profile. */
export function compareProfiles(lesson: Lesson, checksummer: Checksummer): Compared {
  return runOnEveryProfile(lesson.scenario, checksummer);
}

/** Run the lesson beat by beat on `profile` (the lesson's own by default). */
export function runLesson(
  lesson: Lesson,
  checksummer: Checksummer,
  profile: ProfileName = lesson.profile,
): BeatRun[] {
  const k = scenarioKernel(lesson.scenario, profile, checksummer);
  const ids = new ContentIds();
  let lines: OutputLine[] = [];
  const run = new ScenarioRun(k, lesson.scenario, (l) => lines.push(l));
  const compared = lesson.compare ? compareProfiles(lesson, checksummer) : {};
  let before = takeSnapshot(k, ids);
  return lesson.beats.map((beat) => {
    lines = [];
    for (let i = 0; i < beat.steps; i++) {
      if (run.done) throw new Error(`lesson ${lesson.id}: a beat runs past the scenario's end`);
      run.step();
    }
    const snapshot = takeSnapshot(k, ids);
    const answer = beat.ask ? evaluate(beat.ask.probe, before, snapshot, compared) : undefined;
    before = snapshot;
    return { snapshot, lines, ...(answer !== undefined ? { answer } : {}) };
  });
}
