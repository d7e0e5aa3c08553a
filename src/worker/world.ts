import {
  type Errno,
  type Kernel,
  ksmdBatchSlices,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MAX_MAPPED_PAGES,
  PAGE_SIZE,
  PR_SET_MEMORY_MERGE,
  type ScenarioRun,
  type Slices,
  sysfsWrite,
  waitScansSlices,
} from "../engine";
import { drain, type Result, type Steps } from "./jobs";
import type { ScenarioState, StepUnit } from "./protocol";
import type { Action } from "./session";

/*
 * What actions do to a world: the same when first done and when replayed.
 * The host records them in its timeline; these only change the world.
 */

/** Everything time travel saves and restores: the machine, the scenario running on it, and the clock. */
export interface World {
  k: Kernel;
  run: ScenarioRun | null;
  scenario: ScenarioState | null;
  simTimeMs: number;
  nextWakeMs: number;
}

function mappedPages(k: Kernel): number {
  let pages = 0;
  for (const t of k.tasks.values()) pages += t.mm.totalVm;
  return pages;
}

/** A cancel's request to steps that end where what they did is whole (see Job.stop). */
export type Stop = { requested: boolean };
const NEVER: Stop = { requested: false };

/**
 * The steps of an action: one per ksmd wake-up or scenario step, counted in
 * progress.done, each in slices (a wake-up or a wait_scans may be long). A
 * stop is honoured only between them, so what was done is whole.
 */
export function* actionSteps(w: World, a: Action, progress: { done: number }, stop = NEVER): Steps {
  const stopped: Result = { errno: "ECANCELED" };
  if (a.type === "ksmd-batch") {
    for (let i = 0; i < (a.times ?? 1); i++) {
      if (stop.requested) return stopped;
      yield* wakeSlices(w);
      progress.done++;
      yield;
    }
    return {};
  }
  if (a.type === "step") return yield* stepKsmd(w.k, a.unit);
  if (a.type !== "scenario-step") return act(w, a);
  const { run, scenario } = w;
  if (!run || !scenario) return { errno: "EINVAL", message: "no scenario is loaded" };
  if (run.done) return { errno: "EINVAL", message: "the scenario has run to its end" };
  for (let i = 0; (a.count === "all" || i < a.count) && !run.done; i++) {
    if (stop.requested) return stopped;
    yield* run.stepSlices();
    scenario.next = run.next;
    progress.done++;
    yield;
  }
  return {};
}

/** ksmd wakes when it is due (a no-op while playing, where the clock decided it) and scans a batch. */
export function wake(w: World): void {
  drain(wakeSlices(w));
}

function* wakeSlices(w: World): Slices<void> {
  w.simTimeMs = Math.max(w.simTimeMs, w.nextWakeMs);
  yield* ksmdBatchSlices(w.k);
  w.nextWakeMs += w.k.ksm.knobs.sleepMillisecs;
}

/** What an action does to the engine: the same when first done and when replayed (ksmd's steps: actionSteps). */
function act(w: World, a: Exclude<Action, { type: "step" | "scenario-step" | "ksmd-batch" }>): Result {
  const k = w.k;
  const result = (r: Errno | 0 | string): Result => (r ? { errno: r } : {});
  switch (a.type) {
    case "spawn":
      return { value: k.spawn(a.name).pid };
    case "mmap": {
      // Page tables are real arrays here: the machine maps at most MAX_MAPPED_PAGES in all, as scenarios.
      if (a.pages > MAX_MAPPED_PAGES - mappedPages(k)) return { errno: "ENOMEM" };
      const r = k.mmap(a.pid, a.pages, a.name);
      return typeof r === "string" ? { errno: r } : { value: r };
    }
    case "munmap":
      return result(k.munmap(a.pid, a.start, a.len));
    case "fill":
      return result(k.fill(a.pid, a.addr, a.pages, a.value));
    case "write":
      return result(k.writeByte(a.pid, a.addr, a.byte));
    case "madvise":
      return result(
        k.madvise(a.pid, a.start, a.len, a.advice === "mergeable" ? MADV_MERGEABLE : MADV_UNMERGEABLE),
      );
    case "prctl": {
      // Only PR_SET_MEMORY_MERGE is a command; 2.6.32 answers EINVAL (it has no such option).
      const r = k.prctl(a.pid, PR_SET_MEMORY_MERGE, a.value);
      return typeof r === "string" ? { errno: r } : {};
    }
    case "fork": {
      const parent = k.task(a.pid);
      if (parent && parent.mm.totalVm > MAX_MAPPED_PAGES - mappedPages(k)) return { errno: "ENOMEM" };
      const r = k.fork(a.pid, a.name);
      return typeof r === "string" ? { errno: r } : { value: r.pid };
    }
    case "exit":
      return result(k.exit(a.pid));
    case "start-process":
      return startProcess(w, a);
    case "sysfs-write": {
      const err = sysfsWrite(k, a.file, a.value);
      if (!err && a.file === "run" && k.ksm.ksmdShouldRun()) w.nextWakeMs = w.simTimeMs; // wake_up
      return result(err);
    }
  }
}

/** Step ksmd by hand: one page, one batch, or one full scan (in slices). */
function* stepKsmd(k: Kernel, unit: StepUnit): Steps {
  const ksm = k.ksm;
  if (!ksm.ksmdShouldRun())
    return {
      errno: "EAGAIN",
      message:
        ksm.knobs.run !== 1
          ? `ksmd is not running (run is ${ksm.knobs.run})`
          : "ksmd is idle: no process has madvised MADV_MERGEABLE",
    };
  if (unit === "page") ksm.ksmDoScan(1);
  else if (unit === "batch") yield* ksmdBatchSlices(k);
  else {
    const why = yield* waitScansSlices(k, 1);
    if (why) return { errno: "EAGAIN", message: why };
  }
  return {};
}

/** An action cut short after `done` steps (wake-ups or scenario steps), as a record of what it did; null for none. */
export function partly(a: Action, done: number): Action | null {
  if (done === 0) return null;
  if (a.type === "ksmd-batch")
    return done === 1 ? { type: "ksmd-batch" } : { type: "ksmd-batch", times: done };
  if (a.type === "scenario-step") return { type: "scenario-step", count: done };
  return null;
}

/** A process from a template, all of it inside one action (see the command in protocol.ts). */
function startProcess(w: World, a: Extract<Action, { type: "start-process" }>): Result {
  const k = w.k;
  if (a.values.length > MAX_MAPPED_PAGES - mappedPages(k)) return { errno: "ENOMEM" };
  const pid = k.spawn(a.name).pid;
  const start = k.mmap(pid, a.values.length, "heap");
  if (typeof start === "string") return { errno: start, value: pid };
  for (const [i, v] of a.values.entries()) {
    const err = v === null ? 0 : k.fill(pid, start + i * PAGE_SIZE, 1, v >>> 0);
    if (err) return { errno: err, value: pid };
  }
  const err = a.mergeable ? k.madvise(pid, start, a.values.length * PAGE_SIZE, MADV_MERGEABLE) : 0;
  return err ? { errno: err, value: pid } : { value: pid };
}
