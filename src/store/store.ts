import { create } from "zustand";
import type { KsmEvent, OutputLine, ProfileName, Snapshot } from "../engine";
import type { Command, Reply, ScenarioState, Speed, TimelineState, Update } from "../worker/protocol";
import { comparisonsIn, eventsUpTo, type Panel, type StepRate, type StepSize } from "./stage";

/** A point of the counters chart: the counters as one full scan ended. */
export interface ScanPoint {
  fullScans: number;
  shared: number;
  sharing: number;
  unshared: number;
  volatile: number;
}

/** What is hovered or selected; every view highlights what shows the same thing. */
export type Focus =
  | { kind: "page"; pid: number; addr: number }
  | { kind: "frame"; pfn: number }
  | { kind: "item"; id: number }
  | { kind: "node"; tree: "stable" | "unstable"; id: number };

export interface Message {
  id: number;
  kind: "error" | "info";
  text: string;
}

export interface LoggedEvent {
  seq: number;
  event: KsmEvent;
}

/** A long command the engine is working through (it can be cancelled). */
export interface Job {
  id: number;
  what: string;
  done: number;
  total: number;
}

export const LOG_LENGTH = 300;
const HISTORY_LENGTH = 400;

export interface AppState {
  snapshot: Snapshot | null;
  profile: ProfileName;
  log: LoggedEvent[];
  eventsSeen: number;
  /**
   * What views animate and mark: the last step's events, or while stepping by
   * comparison, those up to the comparison shown (its search path cut there).
   */
  recent: KsmEvent[];
  /** The last step's events, all of them: they stay until the next step (an update without events keeps them). */
  stepEvents: KsmEvent[];
  /** Scenario output lines the last step printed (a snapshot's counters). */
  stepLines: OutputLine[];
  /** Stepping by comparison: which comparison of the last step's tree searches is shown; null: the whole step. */
  compare: number | null;
  /** The next step's events start at their first comparison (stepping forward by comparison). */
  compareFromStart: boolean;
  /** What one step of the step bar is. */
  stepSize: StepSize;
  /** How fast the step bar plays, in steps per second ("max": ksmd flat out). */
  stepRate: StepRate;
  /** The step bar is playing steps (a timer in the app; ksmd flat out plays in the worker: \`playing\`). */
  stepping: boolean;
  /** Why the step bar did not step (the kernel's refusal, a question to answer first); null once a step runs. */
  stepNote: string | null;
  /** The left drawer (lessons and controls) is open. */
  drawer: boolean;
  /** The side panel's open tab (log, code, console), or null when closed. */
  panel: Panel | null;
  history: ScanPoint[];
  simTimeMs: number;
  playing: boolean;
  speed: Speed;
  motion: boolean;
  /** Presenter mode: large type, high contrast. */
  presenter: boolean;
  /** The keyboard shortcuts dialog is open. */
  showShortcuts: boolean;
  scenario: ScenarioState | null;
  /** Where the engine's state is in its history of actions, for stepping back and scrubbing. */
  timeline: TimelineState;
  /** The id of the open lesson (src/lessons), whose scenario the engine has loaded; null when none. */
  lesson: string | null;
  /** The built-in scenario (a file of public/scenarios) the engine has loaded; null when none. */
  preset: string | null;
  hover: Focus | null;
  selected: Focus | null;
  messages: Message[];
  /** The long command running in the engine, once it has run long enough to show. */
  job: Job | null;
  /** Why the engine worker stopped (it failed, or stopped answering); null while it runs. */
  engineDown: string | null;
  /** Sends a command to the engine worker; resolves with its reply. Set by the engine client. */
  send: (cmd: Command) => Promise<Reply>;
  /** Start the engine again, from the last state it reported whole, or from a new machine. Set by the engine client. */
  restart: (from: "last" | "new") => void;
}

const prefersReducedMotion =
  typeof window !== "undefined" && typeof window.matchMedia === "function"
    ? window.matchMedia("(prefers-reduced-motion: reduce)").matches
    : false;

export const useStore = create<AppState>()(() => ({
  snapshot: null,
  profile: "linux-2.6.32",
  log: [],
  eventsSeen: 0,
  recent: [],
  stepEvents: [],
  stepLines: [],
  compare: null,
  compareFromStart: false,
  stepSize: "page",
  stepRate: 2,
  stepping: false,
  stepNote: null,
  drawer: false,
  panel: null,
  history: [],
  simTimeMs: 0,
  playing: false,
  speed: 1,
  motion: !prefersReducedMotion,
  presenter: false,
  showShortcuts: false,
  scenario: null,
  timeline: { position: 0, first: 0, length: 0, label: null, scanMarks: [] },
  lesson: null,
  preset: null,
  hover: null,
  selected: null,
  messages: [],
  job: null,
  engineDown: null,
  send: (cmd) =>
    Promise.resolve({
      type: "reply",
      id: 0,
      errno: "EPIPE",
      message: `the engine is not running (${cmd.type})`,
    }),
  restart: () => {},
}));

/**
 * Whether views animate: motion is on (the checkbox, or no reduced-motion
 * preference) and ksmd is not running flat out, when a new picture comes
 * before any animation could finish and animating would only cost frames.
 */
export function animating(s: Pick<AppState, "motion" | "playing" | "speed">): boolean {
  return s.motion && !flatOut(s);
}

/** ksmd is playing as fast as possible. */
export function flatOut(s: Pick<AppState, "playing" | "speed">): boolean {
  return s.playing && s.speed === "max";
}

let nextMessageId = 1;

/** Show a message (once: the same words already shown are not repeated). */
export function say(kind: Message["kind"], text: string): void {
  const shown = useStore.getState().messages;
  if (shown.some((m) => m.kind === kind && m.text === text)) return;
  const messages = [...shown, { id: nextMessageId++, kind, text }].slice(-5);
  useStore.setState({ messages });
}

export function dismiss(id: number): void {
  useStore.setState({ messages: useStore.getState().messages.filter((m) => m.id !== id) });
}

/**
 * The engine started a new timeline (a new machine, a scenario, a lesson or a
 * link): forget what belonged to the old one, and note where the new one came from.
 */
export function startedAfresh(from: { lesson?: string; preset?: string } = {}): void {
  useStore.setState({
    lesson: from.lesson ?? null,
    preset: from.preset ?? null,
    history: [],
    log: [],
    selected: null,
    hover: null,
  });
}

/** Fold one worker update into the store. */
export function applyUpdate(u: Update): void {
  const s = useStore.getState();
  const c = u.snapshot.counters;
  let history = s.history;
  const last = history[history.length - 1];
  if (c.full_scans === 0 && last && last.fullScans !== 0) history = []; // run=2 or a reset started over
  if (!last || c.full_scans !== last.fullScans || history.length === 0) {
    const point = {
      fullScans: c.full_scans,
      shared: c.pages_shared,
      sharing: c.pages_sharing,
      unshared: c.pages_unshared,
      volatile: c.pages_volatile,
    };
    history = [...history.filter((p) => p.fullScans < c.full_scans), point].slice(-HISTORY_LENGTH);
  }
  // Numbered in order of all events, including those too many to send.
  let seq = s.eventsSeen + u.eventCount - u.events.length;
  const logged = u.events.map((event) => ({ seq: ++seq, event }));
  // After a jump in time the log restarts with what the step just before did.
  const log = u.travelled ? logged : [...s.log, ...logged].slice(-LOG_LENGTH);
  // An update without events (a pause, a knob) keeps the last step's marks and sentence.
  const stepped = u.events.length > 0 || u.travelled || scenarioPrinted(s.scenario, u.scenario);
  const compare = s.compareFromStart && comparisonsIn(u.events).length > 0 ? 0 : null;
  const step = stepped
    ? {
        stepEvents: u.events,
        recent: compare === null ? u.events : eventsUpTo(u.events, compare),
        stepLines: printedLines(s.scenario, u.scenario),
        compare,
        compareFromStart: false,
        stepNote: null,
      }
    : {};
  // Flat out the worker sends the trees only every few updates: keep the last ones meanwhile.
  const kept = u.treesKept ? s.snapshot : null;
  const snapshot = kept
    ? { ...u.snapshot, stableTree: kept.stableTree, unstableTree: kept.unstableTree }
    : u.snapshot;
  useStore.setState({
    snapshot,
    profile: u.snapshot.profile,
    ...step,
    log,
    eventsSeen: s.eventsSeen + u.eventCount,
    history,
    simTimeMs: u.simTimeMs,
    playing: u.playing,
    speed: u.speed,
    scenario: u.scenario,
    timeline: u.timeline,
  });
}

/** Whether the scenario printed a line with this update (a snapshot step has no engine events). */
function scenarioPrinted(before: ScenarioState | null, after: ScenarioState | null): boolean {
  return !!after && (!before || after.next !== before.next);
}

/** The scenario output lines new in this update: those after the ones already shown. */
function printedLines(before: ScenarioState | null, after: ScenarioState | null): OutputLine[] {
  if (!after) return [];
  if (!before || before.name !== after.name || after.lines.length < before.lines.length) return [];
  return after.lines.slice(before.lines.length);
}
