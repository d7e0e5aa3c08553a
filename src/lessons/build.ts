/*
 * Helpers the lesson files build their scenarios with: one function per
 * scenario op, a few common groups of steps, and `defineLesson`, which
 * concatenates each beat's steps into the scenario so step counts are never
 * written by hand.
 */
import { type ProfileName, parseScenario, type Step } from "../engine";
import type { Beat, Lesson, Question, StageView } from "./lesson";

export const spawn = (proc: string): Step => ({ op: "spawn", proc });
export const mmap = (proc: string, region: string, pages: number): Step => ({
  op: "mmap",
  proc,
  region,
  pages,
});
export const munmap = (proc: string, region: string): Step => ({ op: "munmap", proc, region });
export const fill = (proc: string, region: string, from: number, pages: number, value: number): Step => ({
  op: "fill",
  proc,
  region,
  from,
  pages,
  value,
});
export const write = (proc: string, region: string, page: number, byte: number): Step => ({
  op: "write",
  proc,
  region,
  page,
  byte,
});
export const mergeable = (proc: string, region: string, pages: number, from = 0): Step => ({
  op: "madvise",
  proc,
  region,
  from,
  pages,
  advice: "mergeable",
});
export const unmergeable = (proc: string, region: string, pages: number, from = 0): Step => ({
  op: "madvise",
  proc,
  region,
  from,
  pages,
  advice: "unmergeable",
});
export const fork = (proc: string, child: string): Step => ({ op: "fork", proc, child });
export const exit = (proc: string): Step => ({ op: "exit", proc });
export const sysfs = (file: string, value: string | number): Step => ({
  op: "sysfs",
  file,
  value: String(value),
});
/** prctl(PR_SET_MEMORY_MERGE, value) in that process (6.18). */
export const prctl = (proc: string, value: number): Step => ({
  op: "prctl",
  proc,
  option: "PR_SET_MEMORY_MERGE",
  value,
});
export const scans = (n: number): Step => ({ op: "wait_scans", n });
export const snapshot = (label: string): Step => ({ op: "snapshot", label });

/**
 * A process with one region whose pages hold `values` (runs of equal values
 * are filled in one step), optionally madvised MADV_MERGEABLE.
 */
export function processWith(proc: string, region: string, values: number[], advise = true): Step[] {
  const steps = [spawn(proc), mmap(proc, region, values.length)];
  for (let from = 0; from < values.length; ) {
    let to = from + 1;
    while (to < values.length && values[to] === values[from]) to++;
    steps.push(fill(proc, region, from, to - from, values[from]));
    from = to;
  }
  if (advise) steps.push(mergeable(proc, region, values.length));
  return steps;
}

/** A beat as written in a lesson file: its steps themselves, not their count. */
export interface BeatSource {
  say: string;
  steps?: Step[];
  ask?: Question;
  show?: StageView;
}

export interface LessonSource {
  id: string;
  title: string;
  summary: string;
  profile?: ProfileName;
  /** Simulated memory; lessons stay small (at most 512 frames). */
  frames: number;
  compare?: boolean;
  beats: BeatSource[];
}

/** Narration as a template literal: indentation and single line breaks folded, blank lines kept. */
export function prose(parts: TemplateStringsArray, ...values: unknown[]): string {
  const text = parts.reduce((s, p, i) => s + p + (i < values.length ? String(values[i]) : ""), "");
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((para) => para.replace(/\s+/g, " ").trim())
    .join("\n\n");
}

/** A Lesson from its source: the scenario is every beat's steps in order, checked by parseScenario. */
export function defineLesson(src: LessonSource): Lesson {
  const steps = src.beats.flatMap((b) => b.steps ?? []);
  const scenario = parseScenario({
    name: `lesson-${src.id}`,
    description: src.title,
    memory_frames: src.frames,
    steps,
  });
  const beats: Beat[] = src.beats.map((b) => ({
    say: b.say,
    steps: b.steps?.length ?? 0,
    ...(b.ask ? { ask: b.ask } : {}),
    ...(b.show ? { show: b.show } : {}),
  }));
  return {
    id: src.id,
    title: src.title,
    summary: src.summary,
    profile: src.profile ?? "linux-2.6.32",
    scenario,
    beats,
    ...(src.compare ? { compare: true } : {}),
  };
}

/** Common choice lists. */
export const UP_SAME_DOWN = ["up", "same", "down"];
export const YES_NO = ["yes", "no"];
export const TREES = ["stable", "unstable", "none"];
export const numbers = (...n: number[]): string[] => n.map(String);
