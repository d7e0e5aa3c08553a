import { isProfileName, MAX_MAPPED_PAGES, type ProfileName } from "../engine";
import type { Command } from "./protocol";

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
          | "prctl"
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

/** Limits a session from a link or a file must keep: what the machine can do, so no loop runs away. */
export const SESSION_LIMITS = {
  /** Actions in a session (a long flat-out run packs into runs of equal actions). */
  actions: 10_000_000,
  /** ksmd wake-ups in one entry: a tick of play flat out wakes a few thousand times. */
  times: 1 << 20,
  /** Steps of one scenario-step: more than any scenario has. */
  steps: 1 << 20,
  /** Pages of one mmap or fill: no more than the machine maps in all. */
  pages: MAX_MAPPED_PAGES,
  /** A process name (the kernel keeps 16 bytes). */
  name: 256,
  /** A sysfs write: the kernel takes at most a page. */
  value: 4096,
  /** A scenario's text. */
  text: 8 << 20,
} as const;

type Kind =
  | "int"
  | "pages"
  | "string"
  | "value"
  | "count"
  | "unit"
  | "advice"
  | "prctl-option"
  | "words"
  | "bool";

/** The fields each action has, and their kind (a Map: no name reaches Object.prototype). */
const FIELDS = new Map<string, Record<string, Kind>>([
  ["spawn", { name: "string" }],
  ["mmap", { pid: "int", pages: "pages" }],
  ["munmap", { pid: "int", start: "int", len: "int" }],
  ["fill", { pid: "int", addr: "int", pages: "pages", value: "int" }],
  ["write", { pid: "int", addr: "int", byte: "int" }],
  ["madvise", { pid: "int", start: "int", len: "int", advice: "advice" }],
  ["prctl", { pid: "int", option: "prctl-option", value: "int" }],
  ["fork", { pid: "int", name: "string" }],
  ["start-process", { name: "string", values: "words", mergeable: "bool" }],
  ["exit", { pid: "int" }],
  ["sysfs-write", { file: "string", value: "value" }],
  ["step", { unit: "unit" }],
  ["scenario-step", { count: "count" }],
  ["ksmd-batch", {}],
]);

/** Every action a session may hold. */
export const ACTION_TYPES: readonly string[] = [...FIELDS.keys()];

export function isAction(cmd: { type: string }): cmd is Action {
  return FIELDS.has(cmd.type);
}

const UNITS: readonly unknown[] = ["page", "batch", "scan"];

const within = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/** Why a field's value is wrong, or null. */
function fieldError(kind: Kind, v: unknown): string | null {
  switch (kind) {
    case "int":
      return Number.isSafeInteger(v) ? null : "must be an integer";
    case "pages":
      return within(v, 0, SESSION_LIMITS.pages) ? null : `must be 0 to ${SESSION_LIMITS.pages} pages`;
    case "string":
      return typeof v === "string" && v.length <= SESSION_LIMITS.name
        ? null
        : `must be a text of at most ${SESSION_LIMITS.name} characters`;
    case "value":
      return typeof v === "string" && v.length <= SESSION_LIMITS.value
        ? null
        : `must be a text of at most ${SESSION_LIMITS.value} characters`;
    case "count":
      return v === "all" || within(v, 1, SESSION_LIMITS.steps)
        ? null
        : `must be "all" or 1 to ${SESSION_LIMITS.steps}`;
    case "unit":
      return UNITS.includes(v) ? null : "must be page, batch or scan";
    case "advice":
      return v === "mergeable" || v === "unmergeable" ? null : "must be mergeable or unmergeable";
    case "prctl-option":
      return v === "PR_SET_MEMORY_MERGE" ? null : "must be PR_SET_MEMORY_MERGE";
    case "bool":
      return typeof v === "boolean" ? null : "must be true or false";
    case "words":
      return Array.isArray(v) &&
        v.length > 0 &&
        v.length <= SESSION_LIMITS.pages &&
        v.every((w) => w === null || Number.isSafeInteger(w))
        ? null
        : `must be a list of 1 to ${SESSION_LIMITS.pages} integers or nulls`;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** An own field of a parsed JSON object (never one inherited from Object.prototype). */
const own = (o: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(o, key) ? o[key] : undefined;

function parseBase(v: unknown): SessionBase | string {
  if (!isRecord(v)) return 'field "base" is required';
  const profile = own(v, "profile");
  if (typeof profile !== "string" || !isProfileName(profile))
    return 'field "base.profile" must be linux-2.6.32 or linux-6.18';
  const type = own(v, "type");
  if (type === "reset") {
    const frames = own(v, "frames");
    if (!Number.isSafeInteger(frames)) return 'field "base.frames" must be an integer';
    return { type, profile, frames: frames as number };
  }
  const text = own(v, "text");
  if (type !== "load-scenario" || typeof text !== "string")
    return 'field "base" must be a reset or a loaded scenario';
  if (text.length > SESSION_LIMITS.text)
    return `field "base.text": the scenario is longer than ${SESSION_LIMITS.text} characters`;
  return { type, profile, text };
}

/** One action, rebuilt from its known fields only; a string says what is wrong. */
export function parseAction(v: unknown, i: number): Action | string {
  const type = isRecord(v) ? own(v, "type") : undefined;
  const fields = typeof type === "string" ? FIELDS.get(type) : undefined;
  if (!isRecord(v) || !fields) return `action ${i}: unknown type`;
  const out: Record<string, unknown> = { type };
  for (const [name, kind] of Object.entries(fields)) {
    const bad = fieldError(kind, own(v, name));
    if (bad) return `action ${i}, field "${name}": ${bad}`;
    out[name] = own(v, name);
  }
  if (type === "mmap" && typeof own(v, "name") === "string") {
    if (fieldError("string", own(v, "name")))
      return `action ${i}, field "name": ${fieldError("string", own(v, "name"))}`;
    out.name = own(v, "name");
  }
  if (type === "ksmd-batch" && own(v, "times") !== undefined) {
    if (!within(own(v, "times"), 1, SESSION_LIMITS.times))
      return `action ${i}, field "times": must be 1 to ${SESSION_LIMITS.times}`;
    out.times = own(v, "times");
  }
  return out as Action;
}

/**
 * A session read from a link or a file, checked field by field against what
 * the machine can do, and rebuilt from the fields it knows; a string says
 * what is wrong.
 */
export function parseSession(json: unknown): Session | string {
  if (!isRecord(json)) return "a session must be an object";
  const base = parseBase(own(json, "base"));
  if (typeof base === "string") return base;
  const list = own(json, "actions");
  if (!Array.isArray(list)) return 'field "actions" must be a list';
  if (list.length > SESSION_LIMITS.actions) return `more than ${SESSION_LIMITS.actions} actions`;
  const actions: Action[] = [];
  for (let i = 0; i < list.length; i++) {
    const a = parseAction(list[i], i);
    if (typeof a === "string") return a;
    actions.push(a);
  }
  const position = own(json, "position");
  if (!within(position, 0, actions.length))
    return `field "position" must be an integer from 0 to ${actions.length}`;
  return { base, actions, position };
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

export function unpackActions(runs: unknown): Action[] | string {
  if (!Array.isArray(runs)) return "actions must be a list of runs";
  const out: Action[] = [];
  for (const run of runs) {
    if (!Array.isArray(run) || !Number.isSafeInteger(run[0]) || run[0] < 1)
      return "each run must be [count, action]";
    if (out.length + run[0] > SESSION_LIMITS.actions) return `more than ${SESSION_LIMITS.actions} actions`;
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
    case "prctl":
      return `prctl(${a.option}, ${a.value}) in pid ${a.pid}`;
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
