import type { KsmEvent, OutputLine, ProfileName, Snapshot } from "../engine";
import type { Session } from "./session";

/** How fast the simulated clock runs against the wall clock; "max" runs ksmd flat out. */
export type Speed = number | "max";

/** What a step command advances: one page, one batch (pages_to_scan pages) or one full scan. */
export type StepUnit = "page" | "batch" | "scan";

/** Commands from the app to the engine worker. Each carries an id its reply echoes. */
export type Command =
  | { type: "reset"; profile: ProfileName; frames: number }
  | { type: "spawn"; name: string }
  | { type: "mmap"; pid: number; pages: number; name?: string }
  | { type: "munmap"; pid: number; start: number; len: number }
  | { type: "fill"; pid: number; addr: number; pages: number; value: number }
  | { type: "write"; pid: number; addr: number; byte: number }
  | { type: "read"; pid: number; addr: number }
  | { type: "madvise"; pid: number; start: number; len: number; advice: "mergeable" | "unmergeable" }
  | { type: "fork"; pid: number; name: string }
  /** 6.18: prctl(PR_SET_MEMORY_MERGE, value), KSM for the whole process (0 turns it off and unmerges). */
  | { type: "prctl"; pid: number; option: "PR_SET_MEMORY_MERGE"; value: number }
  /**
   * Start a process from a template, whole: spawn it, map one region of
   * values.length pages, write each page's word (null: leave it untouched),
   * and madvise it MERGEABLE if asked. One command, one timeline entry.
   */
  | { type: "start-process"; name: string; values: (number | null)[]; mergeable: boolean }
  | { type: "exit"; pid: number }
  | { type: "sysfs-write"; file: string; value: string }
  | { type: "clock"; playing: boolean; speed: Speed }
  | { type: "step"; unit: StepUnit }
  | { type: "load-scenario"; text: string; profile: ProfileName }
  | { type: "scenario-step"; count: number | "all" }
  /** Run a scenario to its end on both profiles, apart from the live engine: its output lines for each. */
  | { type: "compare-profiles"; text: string }
  /**
   * Go back or forward in time: to the state after the first `position`
   * actions of the timeline (a position past either end goes to that end).
   * reply.value is the position reached.
   */
  | { type: "travel"; position: number }
  /** The session so far (reply.session), for a link or a file. */
  | { type: "export-session" }
  /** Rebuild a session's exact state; an invalid one changes nothing. */
  | { type: "restore-session"; session: Session }
  | { type: "ack" }
  /** Stop the long command running now (opening a session, time travel, a run to the end, a comparison). */
  | { type: "cancel" }
  /** Are you there? Answered at once with a pong, even in the middle of a long command. */
  | { type: "ping" };

export type CommandMessage = Command & { id: number };

/** The answer to one command: ok, or the kernel's errno and a sentence for people. */
export interface Reply {
  type: "reply";
  id: number;
  errno?: string;
  message?: string;
  /** A value the command produced: a new pid, an mmap address, a byte read. */
  value?: number;
  /** compare-profiles: each profile's output lines. */
  lines?: Record<ProfileName, OutputLine[]>;
  /** export-session: the session so far. */
  session?: Session;
}

/** Where the state is in the timeline of actions since the last reset or scenario load. */
export interface TimelineState {
  position: number;
  /** The first position time travel can reach: the history before it was dropped to save memory. */
  first: number;
  length: number;
  /** What the action just before `position` did (null at the start). */
  label: string | null;
  /** Positions right after an action that finished a full scan. */
  scanMarks: number[];
}

export interface ScenarioState {
  name: string;
  description: string;
  steps: number;
  next: number;
  lines: OutputLine[];
}

/** The engine's state and what happened since the last update, at most one per animation frame. */
export interface Update {
  type: "update";
  snapshot: Snapshot;
  /**
   * The snapshot's trees were left out (empty): ksmd runs flat out and the trees were sent less
   * than FLAT_OUT_REDRAW_MS ago. The store keeps the last ones, which the views redraw no faster.
   */
  treesKept: boolean;
  /** Events since the last update (the newest, if there were very many). */
  events: KsmEvent[];
  /** How many events there were in all since the last update. */
  eventCount: number;
  simTimeMs: number;
  playing: boolean;
  speed: Speed;
  scenario: ScenarioState | null;
  timeline: TimelineState;
  /** The state jumped in time (or was rebuilt): events are those of the action just before it, not new ones. */
  travelled: boolean;
}

/** The worker could not do something; its state is unchanged. */
export interface WorkerError {
  type: "error";
  message: string;
}

/** A long command's progress, sent a few times a second while it runs (it can be cancelled). */
export interface Progress {
  type: "progress";
  /** The command's id: its reply ends it. */
  id: number;
  /** What it does, for people: "opening the session". */
  what: string;
  done: number;
  total: number;
}

export interface Pong {
  type: "pong";
}

export type WorkerMessage = Reply | Update | WorkerError | Progress | Pong;

/**
 * Flat out (ksmd as fast as the worker runs), how often the trees come with an update and the
 * heavy views (trees, links, log) redraw: faster only costs frames.
 */
export const FLAT_OUT_REDRAW_MS = 500;

/** Events kept per update; at full speed there can be far more. */
export const MAX_EVENTS_PER_UPDATE = 200;
