import { isProfileName, type ProfileName } from "../engine";
import type { Command, StepUnit } from "./protocol";

/** What a timeline starts from: an empty machine, or a scenario just loaded. */
export type SessionBase =
  | { type: "reset"; profile: ProfileName; frames: number }
  | { type: "load-scenario"; text: string; profile: ProfileName };

/** The commands that change the engine, and ksmd waking while the clock plays: what time travel replays. */
export type Action =
  | Extract<
      Command,
      {
        type:
          | "spawn"
          | "mmap"
          | "munmap"
          | "fill"
          | "write"
          | "madvise"
          | "fork"
          | "start-process"
          | "exit"
          | "sysfs-write"
          | "step"
          | "scenario-step";
      }
    >
  /** ksmd woke `times` times (1 if absent) in a row: while playing, one entry per tick of the clock. */
  | { type: "ksmd-batch"; times?: number };

/** A whole session, enough to rebuild the exact state: the base, every action, and how many are applied. */
export interface Session {
  base: SessionBase;
  actions: Action[];
  position: number;
}

const ACTION_TYPES = new Set<string>([
  "spawn",
  "mmap",
  "munmap",
  "fill",
  "write",
  "madvise",
  "fork",
  "start-process",
  "exit",
  "sysfs-write",
  "step",
  "scenario-step",
  "ksmd-batch",
]);

export function isAction(cmd: { type: string }): cmd is Action {
  return ACTION_TYPES.has(cmd.type);
}

/** The fields each action needs, and their kind. */
const FIELDS: Record<
  Action["type"],
  Record<string, "int" | "string" | "count" | "unit" | "advice" | "words" | "bool">
> = {
  spawn: { name: "string" },
  mmap: { pid: "int", pages: "int" },
  munmap: { pid: "int", start: "int", len: "int" },
  fill: { pid: "int", addr: "int", pages: "int", value: "int" },
  write: { pid: "int", addr: "int", byte: "int" },
  madvise: { pid: "int", start: "int", len: "int", advice: "advice" },
  fork: { pid: "int", name: "string" },
  "start-process": { name: "string", values: "words", mergeable: "bool" },
  exit: { pid: "int" },
  "sysfs-write": { file: "string", value: "string" },
  step: { unit: "unit" },
  "scenario-step": { count: "count" },
  "ksmd-batch": {},
};

const UNITS: StepUnit[] = ["page", "batch", "scan"];

function fieldOk(kind: string, v: unknown): boolean {
  switch (kind) {
    case "int":
      return Number.isSafeInteger(v);
    case "string":
      return typeof v === "string";
    case "count":
      return v === "all" || (Number.isSafeInteger(v) && (v as number) > 0);
    case "unit":
      return UNITS.includes(v as StepUnit);
    case "bool":
      return typeof v === "boolean";
    case "words":
      return Array.isArray(v) && v.length > 0 && v.every((w) => w === null || Number.isSafeInteger(w));
    default:
      return v === "mergeable" || v === "unmergeable";
  }
}

/** A session read from a link or a file, checked field by field; a string says what is wrong. */
export function parseSession(json: unknown): Session | string {
  if (typeof json !== "object" || json === null) return "a session must be an object";
  const s = json as Record<string, unknown>;
  const base = s.base as Record<string, unknown> | undefined;
  if (typeof base !== "object" || base === null) return 'field "base" is required';
  if (!isProfileName(String(base.profile))) return 'field "base.profile" must be linux-2.6.32 or linux-6.18';
  if (base.type === "reset") {
    if (!Number.isSafeInteger(base.frames)) return 'field "base.frames" must be an integer';
  } else if (base.type !== "load-scenario" || typeof base.text !== "string")
    return 'field "base" must be a reset or a loaded scenario';
  if (!Array.isArray(s.actions)) return 'field "actions" must be a list';
  for (const [i, a] of (s.actions as unknown[]).entries()) {
    const action = a as Record<string, unknown> | null;
    const fields = action && FIELDS[action.type as Action["type"]];
    if (!action || !fields) return `action ${i}: unknown type`;
    for (const [name, kind] of Object.entries(fields))
      if (!fieldOk(kind, action[name])) return `action ${i}, field "${name}": missing or not a ${kind}`;
    if (action.type === "ksmd-batch" && action.times !== undefined && !fieldOk("count", action.times))
      return `action ${i}, field "times": not a count`;
  }
  const n = (s.actions as unknown[]).length;
  if (!Number.isSafeInteger(s.position) || (s.position as number) < 0 || (s.position as number) > n)
    return `field "position" must be an integer from 0 to ${n}`;
  return json as Session;
}

/** Runs of equal actions stored once with their count (ksmd wakes thousands of times alike). */
export function packActions(actions: Action[]): [number, Action][] {
  const runs: [number, Action][] = [];
  let lastKey = "";
  for (const a of actions) {
    const key = JSON.stringify(a);
    if (key === lastKey) runs[runs.length - 1][0]++;
    else runs.push([1, a]);
    lastKey = key;
  }
  return runs;
}

const MAX_ACTIONS = 1e7;

export function unpackActions(runs: unknown): Action[] | string {
  if (!Array.isArray(runs)) return "actions must be a list of runs";
  const out: Action[] = [];
  for (const run of runs) {
    if (!Array.isArray(run) || !Number.isSafeInteger(run[0]) || run[0] < 1)
      return "each run must be [count, action]";
    if (out.length + run[0] > MAX_ACTIONS) return `more than ${MAX_ACTIONS} actions`;
    for (let i = 0; i < run[0]; i++) out.push(run[1]);
  }
  return out;
}

/** A few words for the timeline: what an action did. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case "ksmd-batch":
      return (a.times ?? 1) > 1 ? `ksmd woke ${a.times} times` : "ksmd woke and scanned a batch";
    case "step":
      return `stepped one ${a.unit === "scan" ? "full scan" : a.unit}`;
    case "scenario-step":
      return a.count === 1 ? "ran a scenario step" : `ran ${a.count} scenario steps`;
    case "sysfs-write":
      return `echo ${a.value.trim()} > ${a.file}`;
    case "spawn":
      return `spawned ${a.name}`;
    case "fork":
      return `pid ${a.pid} forked ${a.name}`;
    case "start-process":
      return `started ${a.name}: ${a.values.length} pages${a.mergeable ? ", madvised MERGEABLE" : ""}`;
    case "exit":
      return `pid ${a.pid} exited`;
    case "madvise":
      return `madvise ${a.advice} in pid ${a.pid}`;
    case "write":
      return `pid ${a.pid} wrote a byte`;
    case "fill":
      return `pid ${a.pid} filled ${a.pages} pages`;
    case "mmap":
      return `pid ${a.pid} mapped ${a.pages} pages`;
    case "munmap":
      return `pid ${a.pid} unmapped memory`;
  }
}
