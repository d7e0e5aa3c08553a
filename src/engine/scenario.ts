import type { Checksummer } from "./checksum";
import { Kernel, MADV_MERGEABLE, MADV_UNMERGEABLE, PR_SET_MEMORY_MERGE } from "./kernel";
import { Ksm618, type KsmStat, ksmStat } from "./ksm/ksm-618";
import { PROFILES, type ProfileName } from "./ksm/profile";
import { waitScansSlices } from "./ksmd";
import { MAX_FRAMES, ScenarioProcs } from "./scenario-limits";
import { drain, type Slices } from "./slices";
import { sysfsFiles, sysfsWrite } from "./sysfs";
import { PAGE_SIZE, type Pid, type VirtAddr } from "./types";

/** A scenario file (format version 2: see docs/scenarios.md). */
export interface Scenario {
  name: string;
  description?: string;
  memory_frames?: number;
  steps: Step[];
}

export type Step =
  | { op: "spawn"; proc: string }
  | { op: "mmap"; proc: string; region: string; pages: number }
  | { op: "munmap"; proc: string; region: string }
  | { op: "fill"; proc: string; region: string; from: number; pages: number; value: number }
  | { op: "write"; proc: string; region: string; page: number; offset?: number; byte: number }
  | {
      op: "madvise";
      proc: string;
      region: string;
      from?: number;
      pages: number;
      advice: "mergeable" | "unmergeable";
    }
  | { op: "fork"; proc: string; child: string }
  | { op: "exit"; proc: string }
  | { op: "sysfs"; file: string; value: string }
  | { op: "prctl"; proc: string; option: "PR_SET_MEMORY_MERGE"; value: number }
  | { op: "wait_scans"; n: number }
  | { op: "snapshot"; label: string };

export type Op = Step["op"];

/** A malformed scenario: names the step (null for the file itself) and the field. */
export class ScenarioError extends Error {
  constructor(
    readonly step: number | null,
    readonly field: string | null,
    readonly detail: string,
  ) {
    // The field as a JSON string: a key of the file may hold quotes or newlines.
    super(
      `${step === null ? "scenario" : `step ${step}`}${field ? `, field ${JSON.stringify(field)}` : ""}: ${detail}`,
    );
  }
}

type FieldKind =
  | "name"
  | "count"
  | "frames"
  | "index"
  | "u32"
  | "ulong"
  | "byte"
  | "offset"
  | "string"
  | "advice"
  | "prctl-option";

/** Each op's fields: kind, and whether it may be left out. */
const OPS: Record<Op, Record<string, [FieldKind, boolean]>> = {
  spawn: { proc: ["name", true] },
  mmap: { proc: ["name", true], region: ["name", true], pages: ["count", true] },
  munmap: { proc: ["name", true], region: ["name", true] },
  fill: {
    proc: ["name", true],
    region: ["name", true],
    from: ["index", true],
    pages: ["index", true],
    value: ["u32", true],
  },
  write: {
    proc: ["name", true],
    region: ["name", true],
    page: ["index", true],
    offset: ["offset", false],
    byte: ["byte", true],
  },
  madvise: {
    proc: ["name", true],
    region: ["name", true],
    from: ["index", false],
    pages: ["index", true],
    advice: ["advice", true],
  },
  fork: { proc: ["name", true], child: ["name", true] },
  exit: { proc: ["name", true] },
  sysfs: { file: ["name", true], value: ["string", true] },
  prctl: { proc: ["name", true], option: ["prctl-option", true], value: ["ulong", true] },
  wait_scans: { n: ["index", true] },
  snapshot: { label: ["string", true] },
};

/** Every op a scenario may use. */
export const SCENARIO_OPS = Object.keys(OPS) as Op[];

/** Every field a step may have: "op" and each op's own (for the fuzzers and the attack script). */
export const SCENARIO_STEP_FIELDS: readonly string[] = [
  "op",
  ...new Set(Object.values(OPS).flatMap(Object.keys)),
];

function checkField(kind: FieldKind, v: unknown): string | null {
  const int = (lo: number, hi: number) =>
    typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi
      ? null
      : `must be an integer from ${lo} to ${hi}`;
  switch (kind) {
    case "name":
      return typeof v === "string" && v.length > 0 ? null : "must be a non-empty string";
    case "string":
      return typeof v === "string" ? null : "must be a string";
    case "count":
      return int(1, 1 << 24);
    case "frames":
      return int(16, MAX_FRAMES);
    case "index":
      return int(0, 1 << 24);
    case "u32":
      return int(0, 0xffff_ffff);
    case "ulong":
      return int(0, Number.MAX_SAFE_INTEGER);
    case "byte":
      return int(0, 255);
    case "offset":
      return int(0, PAGE_SIZE - 1);
    case "advice":
      return v === "mergeable" || v === "unmergeable" ? null : 'must be "mergeable" or "unmergeable"';
    case "prctl-option":
      return v === "PR_SET_MEMORY_MERGE" ? null : 'must be "PR_SET_MEMORY_MERGE"';
  }
}

/**
 * Check a parsed JSON value against the format, including the names it uses:
 * processes and regions must exist when a step uses them, and pages must lie
 * inside their region. Returns the scenario or throws a ScenarioError.
 */
export function parseScenario(json: unknown): Scenario {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new ScenarioError(null, null, "must be a JSON object");
  const s = json as Record<string, unknown>;
  for (const key of Object.keys(s))
    if (!["name", "description", "memory_frames", "steps"].includes(key))
      throw new ScenarioError(null, key, "is not a field of a scenario");
  if (typeof s.name !== "string" || s.name === "")
    throw new ScenarioError(null, "name", "must be a non-empty string");
  if (s.description !== undefined && typeof s.description !== "string")
    throw new ScenarioError(null, "description", "must be a string");
  const badFrames = s.memory_frames === undefined ? null : checkField("frames", s.memory_frames);
  if (badFrames) throw new ScenarioError(null, "memory_frames", badFrames);
  if (!Array.isArray(s.steps)) throw new ScenarioError(null, "steps", "must be an array");

  const procs = new ScenarioProcs();
  s.steps.forEach((raw: unknown, i: number) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw new ScenarioError(i, null, "must be a JSON object");
    const step = raw as Record<string, unknown>;
    const op = step.op as Op;
    // Own properties only: an op or field named like an Object.prototype member is unknown too.
    if (typeof op !== "string" || !Object.hasOwn(OPS, op))
      throw new ScenarioError(i, "op", `must be one of ${SCENARIO_OPS.join(", ")}`);
    const fields = OPS[op];
    for (const key of Object.keys(step)) {
      if (key !== "op" && !Object.hasOwn(fields, key))
        throw new ScenarioError(i, key, `is not a field of "${op}"`);
    }
    for (const [field, [kind, required]] of Object.entries(fields)) {
      if (step[field] === undefined) {
        if (required) throw new ScenarioError(i, field, `is required by "${op}"`);
        continue;
      }
      const bad = checkField(kind, step[field]);
      if (bad) throw new ScenarioError(i, field, bad);
    }
    checkNames(i, step as unknown as Step, procs);
  });
  return s as unknown as Scenario;
}

function checkNames(i: number, step: Step, procs: ScenarioProcs): void {
  const region = (regions: Map<string, number>, name: string) => {
    const pages = regions.get(name);
    if (pages === undefined)
      throw new ScenarioError(
        i,
        "region",
        `process "${"proc" in step ? step.proc : ""}" has no region "${name}"`,
      );
    return pages;
  };
  switch (step.op) {
    case "spawn":
      if (procs.has(step.proc))
        throw new ScenarioError(i, "proc", `a process "${step.proc}" is already running`);
      procs.spawn(step.proc);
      break;
    case "fork":
      procs.live(i, step.proc);
      if (procs.has(step.child))
        throw new ScenarioError(i, "child", `a process "${step.child}" is already running`);
      procs.fork(i, step.proc, step.child);
      break;
    case "exit":
      procs.live(i, step.proc);
      procs.exit(i, step.proc);
      break;
    case "prctl":
      procs.live(i, step.proc);
      break;
    case "mmap":
      if (procs.live(i, step.proc).has(step.region))
        throw new ScenarioError(i, "region", `"${step.region}" is already mapped`);
      procs.mmap(i, step.proc, step.region, step.pages);
      break;
    case "munmap":
      region(procs.live(i, step.proc), step.region);
      procs.munmap(i, step.proc, step.region);
      break;
    case "fill": {
      const pages = region(procs.live(i, step.proc), step.region);
      if (step.from + step.pages > pages)
        throw new ScenarioError(
          i,
          "pages",
          `pages ${step.from}..${step.from + step.pages - 1} are not all inside the region's ${pages}`,
        );
      procs.touch(i, "pages", step.proc, step.pages);
      break;
    }
    case "write": {
      const pages = region(procs.live(i, step.proc), step.region);
      if (step.page >= pages) throw new ScenarioError(i, "page", `the region has pages 0..${pages - 1}`);
      procs.touch(i, "page", step.proc, 1);
      break;
    }
    case "madvise":
      region(procs.live(i, step.proc), step.region); // ranges beyond the region are the kernel's to judge
      procs.madvise(i, step.proc, step.pages);
      break;
    case "sysfs":
      procs.sysfs(i, step.value);
      break;
    case "wait_scans":
      procs.scan(i, step.n);
      break;
  }
}

/**
 * Enough frames for any scenario: everything mapped, copied once per fork and
 * once more for KSM; at most MAX_FRAMES (beyond that the OOM killer decides).
 */
export function defaultFrames(s: Scenario): number {
  let mapped = 0;
  let forks = 0;
  for (const step of s.steps) {
    if (step.op === "mmap") mapped += step.pages;
    if (step.op === "fork") forks++;
  }
  return Math.min(MAX_FRAMES, Math.max(1024, 2 * mapped * (forks + 1) + 64));
}

/** A scenario file's text, parsed, or why it is not one (naming the step and field). */
export function parseScenarioText(text: string): Scenario | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not valid JSON: ${(err as Error).message}`;
  }
  try {
    return parseScenario(json);
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
}

/**
 * A scenario file's bytes as text, decoded as a browser decodes a page (the
 * Encoding standard's BOM sniffing): UTF-16 LE or BE after their byte order
 * mark, otherwise UTF-8 with its mark, if any, dropped; malformed bytes
 * become U+FFFD and then fail as JSON.
 */
export function decodeScenarioBytes(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? "utf-16be"
        : "utf-8";
  return new TextDecoder(encoding).decode(bytes);
}

/** A machine sized for a scenario: its memory_frames, or defaultFrames. */
export function scenarioKernel(s: Scenario, profile: ProfileName, checksummer: Checksummer): Kernel {
  return new Kernel({ frames: s.memory_frames ?? defaultFrames(s), profile, checksummer });
}

/** The scenario run to its end on every profile, each on a fresh machine: their output lines. */
export function runOnEveryProfile(s: Scenario, checksummer: Checksummer): Record<ProfileName, OutputLine[]> {
  const out = {} as Record<ProfileName, OutputLine[]>;
  for (const profile of PROFILES) {
    const lines: OutputLine[] = [];
    new ScenarioRun(scenarioKernel(s, profile, checksummer), s, (l) => lines.push(l)).runAll();
    out[profile] = lines;
  }
  return out;
}

export const COUNTER_KEYS = [
  "pages_shared",
  "pages_sharing",
  "pages_unshared",
  "pages_volatile",
  "full_scans",
] as const;

/** What linux-6.18 reports beyond the five counters, in this order. */
export const COUNTER_KEYS_618 = [
  "pages_scanned",
  "pages_skipped",
  "ksm_zero_pages",
  "stable_node_chains",
  "stable_node_dups",
  "general_profit",
] as const;

export type SnapshotLine = { scenario: string; label: string } & Record<
  (typeof COUNTER_KEYS)[number],
  number
> &
  Partial<Record<(typeof COUNTER_KEYS_618)[number], number>> & {
    /** 6.18: /proc/<pid>/ksm_stat of every live process, by scenario name. */
    procs?: Record<string, KsmStat>;
  };
export interface ErrorLine {
  scenario: string;
  step: number;
  op: Op;
  errno: string;
}
export type OutputLine = SnapshotLine | ErrorLine;

/** 6.18's further counters (absolute values; the scenario starts at boot). */
export function counters618(ksm: Ksm618): Record<(typeof COUNTER_KEYS_618)[number], number> {
  return {
    pages_scanned: ksm.pagesScanned,
    pages_skipped: ksm.pagesSkipped,
    ksm_zero_pages: ksm.ksmZeroPages,
    stable_node_chains: ksm.stableNodeChains,
    stable_node_dups: ksm.stableNodeDups,
    general_profit: ksm.generalProfit,
  };
}

export function counters(k: Kernel): Record<(typeof COUNTER_KEYS)[number], number> {
  const ksm = k.ksm;
  return {
    pages_shared: ksm.pagesShared,
    pages_sharing: ksm.pagesSharing,
    pages_unshared: ksm.pagesUnshared,
    pages_volatile: ksm.pagesVolatile,
    full_scans: ksm.fullScans,
  };
}

/**
 * Runs a parsed scenario's steps one at a time on a kernel. Output lines and
 * notes (for stderr) go to the callbacks; a step the kernel fails prints its
 * errno and the run goes on.
 */
export class ScenarioRun {
  private readonly pids = new Map<string, Pid>();
  private readonly regions = new Map<Pid, Map<string, { start: VirtAddr; pages: number }>>();
  next = 0;

  constructor(
    readonly k: Kernel,
    readonly scenario: Scenario,
    private readonly out: (line: OutputLine) => void,
    private readonly note: (text: string) => void = () => {},
  ) {}

  get done(): boolean {
    return this.next >= this.scenario.steps.length;
  }

  runAll(): void {
    while (!this.done) this.step();
  }

  /** Run the next step. */
  step(): void {
    drain(this.stepSlices());
  }

  /**
   * The next step in pieces: a wait_scans yields every few pages ksmd scans
   * (on a big machine it may be most of a run); the others are one piece.
   */
  *stepSlices(): Slices<void> {
    const i = this.next++;
    const step = this.scenario.steps[i];
    const err = step.op === "wait_scans" ? yield* this.waitScans(step.n) : this.apply(step);
    if (err) this.out({ scenario: this.scenario.name, step: i, op: step.op, errno: err });
  }

  private *waitScans(n: number): Slices<string | 0> {
    const why = yield* waitScansSlices(this.k, n);
    if (why) this.note(`${this.scenario.name}: wait_scans: ${why}`);
    return why ? "EAGAIN" : 0;
  }

  private region(pid: Pid, name: string) {
    return this.regions.get(pid)!.get(name)!;
  }

  private apply(step: Exclude<Step, { op: "wait_scans" }>): string | 0 {
    const k = this.k;
    if (step.op === "spawn") {
      const t = k.spawn(step.proc);
      this.pids.set(step.proc, t.pid);
      this.regions.set(t.pid, new Map());
      return 0;
    }
    if (step.op === "sysfs") {
      if (!sysfsFiles(k.ksm.profile).includes(step.file)) {
        this.note(`${this.scenario.name}: ${k.ksm.profile} has no /sys/kernel/mm/ksm/${step.file}: skipped`);
        return 0;
      }
      return sysfsWrite(k, step.file, step.value);
    }
    if (step.op === "snapshot") {
      this.out(this.snapshotLine(step.label));
      return 0;
    }
    const pid = this.pids.get(step.proc)!;
    if (!k.task(pid)) return "ESRCH"; // killed by the OOM killer
    switch (step.op) {
      case "mmap": {
        const start = k.mmap(pid, step.pages, step.region);
        if (typeof start === "string") return start;
        this.regions.get(pid)!.set(step.region, { start, pages: step.pages });
        return 0;
      }
      case "munmap": {
        const r = this.region(pid, step.region);
        this.regions.get(pid)!.delete(step.region);
        return k.munmap(pid, r.start, r.pages * PAGE_SIZE);
      }
      case "fill": {
        const r = this.region(pid, step.region);
        return k.fill(pid, r.start + step.from * PAGE_SIZE, step.pages, step.value);
      }
      case "write": {
        const r = this.region(pid, step.region);
        return k.writeByte(pid, r.start + step.page * PAGE_SIZE + (step.offset ?? 0), step.byte);
      }
      case "madvise": {
        const r = this.region(pid, step.region);
        const advice = step.advice === "mergeable" ? MADV_MERGEABLE : MADV_UNMERGEABLE;
        return k.madvise(pid, r.start + (step.from ?? 0) * PAGE_SIZE, step.pages * PAGE_SIZE, advice);
      }
      case "fork": {
        const child = k.fork(pid, step.child);
        if (typeof child === "string") return child;
        this.pids.set(step.child, child.pid);
        this.regions.set(child.pid, new Map(this.regions.get(pid)));
        return 0;
      }
      case "exit":
        return k.exit(pid);
      case "prctl": {
        const ret = k.prctl(pid, PR_SET_MEMORY_MERGE, step.value);
        return typeof ret === "string" ? ret : 0;
      }
    }
  }

  /** A snapshot line: the five counters, and on 6.18 its further files and each live process's ksm_stat. */
  private snapshotLine(label: string): SnapshotLine {
    const k = this.k;
    const line: SnapshotLine = { scenario: this.scenario.name, label, ...counters(k) };
    if (!(k.ksm instanceof Ksm618)) return line;
    const procs: Record<string, KsmStat> = {};
    for (const [name, pid] of this.pids) {
      const task = k.task(pid);
      if (task) procs[name] = ksmStat(task.mm);
    }
    return { ...line, ...counters618(k.ksm), procs };
  }
}
