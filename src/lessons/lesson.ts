/*
 * Guided lessons: a scenario plus narration in beats, with "predict, then
 * reveal" questions whose answers come from the engine's snapshots, never
 * from the lesson text. Pure data and functions; no React.
 */
import {
  COUNTER_KEYS,
  FRAME_KSM,
  formatWriteNs,
  type KsmStat,
  type OutputLine,
  PAGE_SIZE,
  type ProcessView,
  type ProfileName,
  pteFrame,
  type Scenario,
  type Snapshot,
} from "../engine";

export interface Lesson {
  /** Stable id, used in URLs and the store's `lesson`. */
  id: string;
  title: string;
  /** One sentence for the picker. */
  summary: string;
  /** The kernel the live engine runs. */
  profile: ProfileName;
  /** The runner's format, validated by parseScenario. */
  scenario: Scenario;
  beats: Beat[];
  /** Also run the scenario on every profile (compare-profiles) and show their counters side by side. */
  compare?: boolean;
}

export interface Beat {
  /** Narration of the state this beat reaches; paragraphs split by a blank line, `code` in backticks. */
  say: string;
  /** Scenario steps "Next" runs to reach this beat (0 only for the first, the introduction). */
  steps: number;
  /** Asked before this beat's steps run, revealed after. */
  ask?: Question;
  /** The view this beat talks about, brought forward when the beat is reached. */
  show?: StageView;
}

/** What a beat can bring forward: a side panel, or one of the trees (scrolled into view). */
export type StageView = "code" | "log" | "console" | "stable-tree" | "unstable-tree";

export interface Question {
  prompt: string;
  /** The possible answers, in the words `evaluate` returns (see Probe). */
  choices: string[];
  probe: Probe;
}

export type CounterName = keyof Snapshot["counters"];

/** A number read off a snapshot. */
export type Quantity =
  | CounterName
  /** frames in use (not free), the zero page included */
  | "used_frames"
  /** frames holding a KSM page */
  | "ksm_frames"
  | "unstable_nodes"
  | "stable_nodes"
  | "processes"
  /** mm_slots: processes registered with KSM, exited ones ksmd has not yet cleaned up included */
  | "mm_slots";

/** A page named as the scenario names it: page `page` of region `region` of process `proc`. */
export interface PageRef {
  proc: string;
  region: string;
  page: number;
}

/**
 * What a question asks, as data, evaluated on the snapshots before and
 * after the beat's steps. Each kind answers in fixed words:
 * - change: "up" | "same" | "down"
 * - value: the number after, in decimal
 * - moved: the counters (of `among`, default the five a scenario prints) that changed, in the
 *   snapshot's order, as a list ("a", "a and b", "a, b and c") or "none"
 * - page-merged: "yes" if the page is mapped to a KSM page after, else "no"
 * - page-tree: "stable" | "unstable" | "none" (no rmap_item, or one in no tree)
 * - same-frame: "yes" if both pages map the same frame after, else "no"
 * - gone: the processes alive before and not after, in pid order, as a list or "none"
 * - ksm-stat: a field of the process's /proc/<pid>/ksm_stat after (6.18), in decimal, or "none"
 * - write-time: the modelled time of the last one-byte write ("0.15 µs"), or "none"
 * - compared: the counter at the snapshot line `label` printed by `profile` (needs the compare-profiles lines)
 */
export type Probe =
  | { kind: "change"; of: Quantity }
  | { kind: "value"; of: Quantity }
  | { kind: "moved"; among?: CounterName[] }
  | { kind: "page-merged"; page: PageRef }
  | { kind: "page-tree"; page: PageRef }
  | { kind: "same-frame"; a: PageRef; b: PageRef }
  | { kind: "gone" }
  | { kind: "write-time" }
  | { kind: "ksm-stat"; proc: string; field: keyof KsmStat }
  | { kind: "compared"; profile: ProfileName; label: string; counter: (typeof COUNTER_KEYS)[number] };

/** Each profile's output lines from compare-profiles. */
export type Compared = Partial<Record<ProfileName, OutputLine[]>>;

export class ProbeError extends Error {}

export function quantity(s: Snapshot, q: Quantity): number {
  switch (q) {
    case "used_frames":
      return s.frames.count - s.frames.free;
    case "ksm_frames":
      return s.frames.state.reduce((n, st) => (st === FRAME_KSM ? n + 1 : n), 0);
    case "unstable_nodes":
      return s.unstableTree.nodes.length;
    case "stable_nodes":
      return s.stableTree.nodes.length;
    case "processes":
      return s.processes.length;
    case "mm_slots":
      return s.slots.length;
    default:
      return s.counters[q] ?? 0;
  }
}

function process(s: Snapshot, name: string): ProcessView | undefined {
  return s.processes.find((p) => p.name === name);
}

/** The page's virtual address and its process, or undefined when the process or region is gone. */
function locate(s: Snapshot, ref: PageRef): { p: ProcessView; addr: number } | undefined {
  const p = process(s, ref.proc);
  const region = p?.regions.find((r) => r.name === ref.region);
  return p && region ? { p, addr: region.start + ref.page * PAGE_SIZE } : undefined;
}

/** The frame mapping a page, or -1 when it is not present (or its process or region is gone). */
export function pageFrame(s: Snapshot, ref: PageRef): number {
  const at = locate(s, ref);
  if (!at) return -1;
  const vma = at.p.vmas.find((v) => v.start <= at.addr && at.addr < v.end);
  return vma ? pteFrame(vma.pte[(at.addr - vma.start) / PAGE_SIZE]) : -1;
}

/** Where the page's rmap_item is: in the stable tree, the unstable tree, or neither. */
export function pageTree(s: Snapshot, ref: PageRef): "stable" | "unstable" | "none" {
  const at = locate(s, ref);
  const item = at && s.slots.find((sl) => sl.pid === at.p.pid)?.items.find((it) => it.addr === at.addr);
  if (!item || item.where === "none") return "none";
  return item.where === "unstable" ? "unstable" : "stable";
}

/** "none", "a", "a and b", "a, b and c". */
export function list(names: string[]): string {
  if (names.length === 0) return "none";
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The right answer to a probe, read off the engine's snapshots (and compare-profiles lines). */
export function evaluate(probe: Probe, before: Snapshot, after: Snapshot, compared: Compared = {}): string {
  switch (probe.kind) {
    case "change": {
      const d = quantity(after, probe.of) - quantity(before, probe.of);
      return d > 0 ? "up" : d < 0 ? "down" : "same";
    }
    case "value":
      return String(quantity(after, probe.of));
    case "moved": {
      const among: readonly CounterName[] = probe.among ?? COUNTER_KEYS;
      const keys = Object.keys(after.counters) as CounterName[];
      return list(keys.filter((c) => among.includes(c) && after.counters[c] !== before.counters[c]));
    }
    case "page-merged": {
      const pfn = pageFrame(after, probe.page);
      return pfn >= 0 && after.frames.state[pfn] === FRAME_KSM ? "yes" : "no";
    }
    case "page-tree":
      return pageTree(after, probe.page);
    case "same-frame": {
      const a = pageFrame(after, probe.a);
      return a >= 0 && a === pageFrame(after, probe.b) ? "yes" : "no";
    }
    case "gone":
      return list(
        before.processes.filter((p) => !after.processes.some((q) => q.pid === p.pid)).map((p) => p.name),
      );
    case "ksm-stat": {
      const stat = process(after, probe.proc)?.ksmStat;
      return stat ? String(stat[probe.field]) : "none";
    }
    case "write-time":
      return after.lastWrite ? formatWriteNs(after.lastWrite.ns) : "none";
    case "compared": {
      const line = compared[probe.profile]?.find((l) => "label" in l && l.label === probe.label);
      if (!line || !("label" in line))
        throw new ProbeError(`no line "${probe.label}" from ${probe.profile}: compare the profiles first`);
      return String(line[probe.counter]);
    }
  }
}

/** Scenario position at which each beat is reached: the running sum of steps. */
export function beatEnds(lesson: Lesson): number[] {
  let sum = 0;
  return lesson.beats.map((b) => (sum += b.steps));
}

/**
 * The beat the scenario position is in: the last beat reached (its end is at
 * or before `next`). Moving `next` back in time moves the lesson back too.
 */
export function beatAt(lesson: Lesson, next: number): number {
  const ends = beatEnds(lesson);
  let at = 0;
  for (let i = 0; i < ends.length && ends[i] <= next; i++) at = i;
  return at;
}

/** True when `next` is exactly where beat `i` is reached (not part-way to the following beat). */
export function atBeatEnd(lesson: Lesson, i: number, next: number): boolean {
  return beatEnds(lesson)[i] === next;
}

/** The scenario as a file's text, for load-scenario and compare-profiles. */
export function scenarioText(lesson: Lesson): string {
  return JSON.stringify(lesson.scenario);
}
