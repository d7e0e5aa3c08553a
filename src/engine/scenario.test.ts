import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { KsmEvent } from "./events";
import type { ProfileName } from "./ksm/profile";
import {
  defaultFrames,
  type OutputLine,
  parseScenario,
  SCENARIO_OPS,
  SCENARIO_STEP_FIELDS,
  type Scenario,
  ScenarioError,
  ScenarioRun,
} from "./scenario";
import { expectSane, loadEngine, newKernel } from "./testing";

beforeAll(loadEngine);

/** parseScenario's error for this input, as [step, field, message]. */
function parseError(json: unknown): [number | null, string | null, string] {
  try {
    parseScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) return [e.step, e.field, e.message];
    throw e;
  }
  throw new Error("parseScenario accepted it");
}

const base = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: "t", steps, ...extra });
const spawnA = { op: "spawn", proc: "A" };
const mmapA = { op: "mmap", proc: "A", region: "r", pages: 2 };

describe("parseScenario errors name the step and the field", () => {
  it("knows exactly the fields SCENARIO_STEP_FIELDS lists (tools attack with that list)", () => {
    const known = (field: string) =>
      SCENARIO_OPS.some((op) => !parseError(base([{ op, [field]: {} }]))[2].includes("is not a field of"));
    for (const field of SCENARIO_STEP_FIELDS) expect(known(field), field).toBe(true);
    expect(known("options")).toBe(false);
    expect(SCENARIO_STEP_FIELDS).toContain("option");
    expect(new Set(SCENARIO_STEP_FIELDS).size).toBe(SCENARIO_STEP_FIELDS.length);
  });

  it("an unknown op", () => {
    expect(parseError(base([spawnA, { op: "jump", proc: "A" }]))).toEqual([
      1,
      "op",
      'step 1, field "op": must be one of spawn, mmap, munmap, fill, write, madvise, fork, exit, sysfs, prctl, wait_scans, snapshot',
    ]);
    expect(parseError(base([{ proc: "A" }]))[0]).toBe(0);
    expect(parseError(base([{ proc: "A" }]))[1]).toBe("op");
  });

  it("a missing field", () => {
    expect(parseError(base([spawnA, { op: "mmap", proc: "A", region: "r" }]))).toEqual([
      1,
      "pages",
      'step 1, field "pages": is required by "mmap"',
    ]);
    expect(parseError(base([{ op: "snapshot" }])).slice(0, 2)).toEqual([0, "label"]);
  });

  it("a field of the wrong type or out of range", () => {
    expect(parseError(base([spawnA, { ...mmapA, pages: "2" }]))).toEqual([
      1,
      "pages",
      'step 1, field "pages": must be an integer from 1 to 16777216',
    ]);
    expect(parseError(base([spawnA, { ...mmapA, pages: 0 }])).slice(0, 2)).toEqual([1, "pages"]);
    expect(parseError(base([spawnA, { ...mmapA, pages: 1.5 }])).slice(0, 2)).toEqual([1, "pages"]);
    expect(parseError(base([{ op: "spawn", proc: 5 }])).slice(0, 2)).toEqual([0, "proc"]);
    expect(parseError(base([{ op: "spawn", proc: "" }])).slice(0, 2)).toEqual([0, "proc"]);
    const write = { op: "write", proc: "A", region: "r", page: 0 };
    expect(parseError(base([spawnA, mmapA, { ...write, byte: 256 }])).slice(0, 2)).toEqual([2, "byte"]);
    expect(parseError(base([spawnA, mmapA, { ...write, byte: 1, offset: 4096 }])).slice(0, 2)).toEqual([
      2,
      "offset",
    ]);
    const fill = { op: "fill", proc: "A", region: "r", from: 0, pages: 1 };
    expect(parseError(base([spawnA, mmapA, { ...fill, value: 2 ** 32 }])).slice(0, 2)).toEqual([2, "value"]);
    expect(parseError(base([spawnA, mmapA, { ...fill, value: -1 }])).slice(0, 2)).toEqual([2, "value"]);
    const madv = { op: "madvise", proc: "A", region: "r", pages: 1 };
    expect(parseError(base([spawnA, mmapA, { ...madv, advice: "merge" }]))).toEqual([
      2,
      "advice",
      'step 2, field "advice": must be "mergeable" or "unmergeable"',
    ]);
    expect(parseError(base([{ op: "sysfs", file: "run", value: 1 }])).slice(0, 2)).toEqual([0, "value"]);
    expect(parseError(base([{ op: "wait_scans", n: -1 }])).slice(0, 2)).toEqual([0, "n"]);
  });

  it("a field the op does not have", () => {
    expect(parseError(base([{ op: "spawn", proc: "A", pages: 3 }]))).toEqual([
      0,
      "pages",
      'step 0, field "pages": is not a field of "spawn"',
    ]);
  });

  it("a step that is not an object", () => {
    expect(parseError(base([spawnA, "spawn"]))).toEqual([1, null, "step 1: must be a JSON object"]);
    expect(parseError(base([null])).slice(0, 2)).toEqual([0, null]);
    expect(parseError(base([[spawnA]])).slice(0, 2)).toEqual([0, null]);
  });

  it("an unknown process", () => {
    expect(parseError(base([spawnA, { ...mmapA, proc: "B" }]))).toEqual([
      1,
      "proc",
      'step 1, field "proc": no running process is called "B"',
    ]);
    // an exited process is unknown too
    expect(parseError(base([spawnA, { op: "exit", proc: "A" }, mmapA])).slice(0, 2)).toEqual([2, "proc"]);
    expect(parseError(base([{ op: "fork", proc: "X", child: "Y" }])).slice(0, 2)).toEqual([0, "proc"]);
  });

  it("an unknown region", () => {
    expect(parseError(base([spawnA, mmapA, { op: "munmap", proc: "A", region: "heap" }]))).toEqual([
      2,
      "region",
      'step 2, field "region": process "A" has no region "heap"',
    ]);
    // unmapped regions are gone; forked children inherit the parent's regions
    expect(
      parseError(
        base([
          spawnA,
          mmapA,
          { op: "munmap", proc: "A", region: "r" },
          { op: "munmap", proc: "A", region: "r" },
        ]),
      ),
    ).toEqual([3, "region", 'step 3, field "region": process "A" has no region "r"']);
    expect(() =>
      parseScenario(
        base([
          spawnA,
          mmapA,
          { op: "fork", proc: "A", child: "B" },
          { op: "munmap", proc: "B", region: "r" },
        ]),
      ),
    ).not.toThrow();
    expect(parseError(base([spawnA, mmapA, { ...mmapA, pages: 1 }]))).toEqual([
      2,
      "region",
      'step 2, field "region": "r" is already mapped',
    ]);
  });

  it("a page outside its region", () => {
    expect(
      parseError(base([spawnA, mmapA, { op: "write", proc: "A", region: "r", page: 2, byte: 1 }])),
    ).toEqual([2, "page", 'step 2, field "page": the region has pages 0..1']);
    expect(
      parseError(base([spawnA, mmapA, { op: "fill", proc: "A", region: "r", from: 1, pages: 2, value: 1 }])),
    ).toEqual([2, "pages", 'step 2, field "pages": pages 1..2 are not all inside the region\'s 2']);
  });

  it("a duplicate spawn, or a fork child that already runs", () => {
    expect(parseError(base([spawnA, spawnA]))).toEqual([
      1,
      "proc",
      'step 1, field "proc": a process "A" is already running',
    ]);
    expect(
      parseError(base([spawnA, { op: "spawn", proc: "B" }, { op: "fork", proc: "A", child: "B" }])),
    ).toEqual([2, "child", 'step 2, field "child": a process "B" is already running']);
    // a name may be reused once its process has exited
    expect(() => parseScenario(base([spawnA, { op: "exit", proc: "A" }, spawnA]))).not.toThrow();
  });

  it("an unknown top-level field, a missing name, bad steps", () => {
    expect(parseError({ name: "t", steps: [], extra: 1 })).toEqual([
      null,
      "extra",
      'scenario, field "extra": is not a field of a scenario',
    ]);
    expect(parseError({ steps: [] }).slice(0, 2)).toEqual([null, "name"]);
    expect(parseError({ name: "", steps: [] }).slice(0, 2)).toEqual([null, "name"]);
    expect(parseError({ name: "t" }).slice(0, 2)).toEqual([null, "steps"]);
    expect(parseError({ name: "t", steps: {} }).slice(0, 2)).toEqual([null, "steps"]);
    expect(parseError({ name: "t", description: 3, steps: [] }).slice(0, 2)).toEqual([null, "description"]);
    expect(parseError([]).slice(0, 2)).toEqual([null, null]);
    expect(parseError("x").slice(0, 2)).toEqual([null, null]);
  });

  it("memory_frames too small or not a count", () => {
    expect(parseError(base([], { memory_frames: 15 }))).toEqual([
      null,
      "memory_frames",
      'scenario, field "memory_frames": must be an integer from 16 to 262144',
    ]);
    expect(parseError(base([], { memory_frames: "64" })).slice(0, 2)).toEqual([null, "memory_frames"]);
    expect(parseError(base([], { memory_frames: 0 })).slice(0, 2)).toEqual([null, "memory_frames"]);
    expect(parseScenario(base([], { memory_frames: 16 })).memory_frames).toBe(16);
  });

  it("accepts every reference scenario", () => {
    for (const name of ["fresh-page-meets-ksm", "groups-and-fork", "last-sharer", "stop-unmerge-restart"]) {
      const json = JSON.parse(
        readFileSync(new URL(`./testdata/reference/${name}.json`, import.meta.url), "utf8"),
      );
      expect(parseScenario(json).name).toBe(name);
    }
  });
});

/** Run a scenario; returns its output lines, notes and events. */
function run(json: unknown, profile: ProfileName = "linux-2.6.32") {
  const s: Scenario = parseScenario(json);
  const k = newKernel(profile, s.memory_frames ?? defaultFrames(s));
  const lines: OutputLine[] = [];
  const notes: string[] = [];
  const events: KsmEvent[] = [];
  k.tracer = (e) => events.push(e);
  const r = new ScenarioRun(
    k,
    s,
    (l) => lines.push(l),
    (n) => notes.push(n),
  );
  r.runAll();
  expect(r.done).toBe(true);
  return { k, lines, notes, events };
}

const SMALL = {
  name: "small",
  steps: [
    { op: "spawn", proc: "A" },
    { op: "mmap", proc: "A", region: "r", pages: 3 },
    { op: "fill", proc: "A", region: "r", from: 0, pages: 3, value: 7 },
    { op: "write", proc: "A", region: "r", page: 2, offset: 100, byte: 1 },
    { op: "madvise", proc: "A", region: "r", pages: 3, advice: "mergeable" },
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 2 },
    { op: "snapshot", label: "merged" },
    { op: "fork", proc: "A", child: "B" },
    { op: "write", proc: "B", region: "r", page: 0, byte: 9 },
    { op: "wait_scans", n: 2 },
    { op: "snapshot", label: "after-fork" },
    { op: "exit", proc: "B" },
    { op: "munmap", proc: "A", region: "r" },
    { op: "wait_scans", n: 1 },
    { op: "snapshot", label: "gone" },
  ],
};

describe("ScenarioRun", () => {
  it("runs a valid file and prints one line per snapshot, keys in order", () => {
    // after-fork: B0 (written) is unique, B1 joins the KSM page as forked, B2 is
    // A2's own page by fork and is never inserted: it stays volatile
    const { k, lines, notes } = run(SMALL);
    expect(lines.map((l) => JSON.stringify(l))).toEqual([
      '{"scenario":"small","label":"merged","pages_shared":1,"pages_sharing":1,"pages_unshared":1,"pages_volatile":0,"full_scans":2}',
      '{"scenario":"small","label":"after-fork","pages_shared":1,"pages_sharing":2,"pages_unshared":2,"pages_volatile":1,"full_scans":4}',
      '{"scenario":"small","label":"gone","pages_shared":0,"pages_sharing":0,"pages_unshared":0,"pages_volatile":0,"full_scans":5}',
    ]);
    expect(notes).toEqual([]);
    expectSane(k);
  });

  it("prints an errno line for a step the kernel fails, and goes on", () => {
    const { lines } = run({
      name: "err",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 2 },
        { op: "madvise", proc: "A", region: "r", from: 1, pages: 2, advice: "mergeable" },
        { op: "sysfs", file: "run", value: "7" },
        { op: "sysfs", file: "pages_shared", value: "7" },
        { op: "snapshot", label: "after" },
      ],
    });
    expect(lines).toEqual([
      { scenario: "err", step: 2, op: "madvise", errno: "ENOMEM" },
      { scenario: "err", step: 3, op: "sysfs", errno: "EINVAL" },
      { scenario: "err", step: 4, op: "sysfs", errno: "EACCES" },
      {
        scenario: "err",
        label: "after",
        pages_shared: 0,
        pages_sharing: 0,
        pages_unshared: 0,
        pages_volatile: 0,
        full_scans: 0,
      },
    ]);
  });

  it("wait_scans when run is not 1 prints an error line and a note", () => {
    const json = {
      name: "stopped",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 1 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 1, value: 1 },
        { op: "madvise", proc: "A", region: "r", pages: 1, advice: "mergeable" },
        { op: "sysfs", file: "run", value: "0" },
        { op: "wait_scans", n: 1 },
        { op: "snapshot", label: "s" },
      ],
    };
    const { lines, notes } = run(json);
    expect(lines[0]).toEqual({ scenario: "stopped", step: 5, op: "wait_scans", errno: "EAGAIN" });
    expect(lines[1]).toMatchObject({ label: "s", full_scans: 0, pages_volatile: 0 });
    expect(notes).toEqual(["stopped: wait_scans: ksmd is not running (run is 0)"]);
  });

  it("linux-6.18 starts with run 0: wait_scans fails until run is written", () => {
    const json = {
      name: "default-run",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 1 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 1, value: 1 },
        { op: "madvise", proc: "A", region: "r", pages: 1, advice: "mergeable" },
        { op: "wait_scans", n: 1 },
        { op: "snapshot", label: "s" },
      ],
    };
    expect(run(json, "linux-6.18").lines[0]).toEqual({
      scenario: "default-run",
      step: 4,
      op: "wait_scans",
      errno: "EAGAIN",
    });
    expect(run(json, "linux-2.6.32").lines).toEqual([
      {
        scenario: "default-run",
        label: "s",
        pages_shared: 0,
        pages_sharing: 0,
        pages_unshared: 0,
        pages_volatile: 1,
        full_scans: 1,
      },
    ]);
  });

  it("wait_scans with nothing registered is an error too", () => {
    const { lines, notes } = run({ name: "idle", steps: [{ op: "wait_scans", n: 1 }] });
    expect(lines).toEqual([{ scenario: "idle", step: 0, op: "wait_scans", errno: "EAGAIN" }]);
    expect(notes).toEqual(["idle: wait_scans: ksmd is idle: no mm is registered"]);
  });

  it("wait_scans with pages_to_scan 0 would never end: an error line instead", () => {
    const { lines, notes } = run({
      name: "zero",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 1 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 1, value: 1 },
        { op: "madvise", proc: "A", region: "r", pages: 1, advice: "mergeable" },
        { op: "sysfs", file: "pages_to_scan", value: "0" },
        { op: "wait_scans", n: 1 },
      ],
    });
    expect(lines).toEqual([{ scenario: "zero", step: 5, op: "wait_scans", errno: "EAGAIN" }]);
    expect(notes).toEqual(["zero: wait_scans: ksmd makes no progress: pages_to_scan is 0"]);
  });

  it("wait_scans ends at the end of a full scan, whatever pages_to_scan is", () => {
    const json = (pagesToScan: string) => ({
      name: "batch",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 7 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 7, value: 1 },
        { op: "madvise", proc: "A", region: "r", pages: 7, advice: "mergeable" },
        { op: "sysfs", file: "pages_to_scan", value: pagesToScan },
        { op: "wait_scans", n: 2 },
        { op: "snapshot", label: "s" },
      ],
    });
    const expected = run(json("200")).lines;
    expect(expected).toEqual([
      {
        scenario: "batch",
        label: "s",
        pages_shared: 1,
        pages_sharing: 6,
        pages_unshared: 0,
        pages_volatile: 0,
        full_scans: 2,
      },
    ]);
    for (const n of ["1", "3", "7"]) expect(run(json(n)).lines).toEqual(expected);
  });

  it("skips a sysfs file the profile does not have, with a note", () => {
    const json = { name: "skip", steps: [{ op: "sysfs", file: "max_kernel_pages", value: "5" }] };
    const now = run(json, "linux-6.18");
    expect(now.lines).toEqual([]);
    expect(now.notes).toEqual(["skip: linux-6.18 has no /sys/kernel/mm/ksm/max_kernel_pages: skipped"]);
    const old = run(json, "linux-2.6.32");
    expect(old.notes).toEqual([]);
    expect(old.k.ksm.knobs.maxKernelPages).toBe(5);
  });

  it("a step for a process the OOM killer took prints ESRCH", () => {
    const { lines } = run({
      name: "oom",
      memory_frames: 16,
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 20 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 20, value: 1 },
        { op: "write", proc: "A", region: "r", page: 0, byte: 1 },
      ],
    });
    expect(lines).toEqual([
      { scenario: "oom", step: 2, op: "fill", errno: "ENOMEM" },
      { scenario: "oom", step: 3, op: "write", errno: "ESRCH" },
    ]);
  });

  it("step() runs one step at a time", () => {
    const s = parseScenario(SMALL);
    const k = newKernel("linux-2.6.32", defaultFrames(s));
    const lines: OutputLine[] = [];
    const r = new ScenarioRun(k, s, (l) => lines.push(l));
    for (let i = 0; i < 7; i++) r.step();
    expect(r.next).toBe(7);
    expect(r.done).toBe(false);
    expect(lines).toEqual([]);
    expect(k.ksm.fullScans).toBe(2);
    r.step();
    expect(lines.length).toBe(1);
  });

  it("is deterministic: the same scenario yields the same events and lines", () => {
    for (const profile of ["linux-2.6.32", "linux-6.18"] as const) {
      const one = run(SMALL, profile);
      const two = run(SMALL, profile);
      expect(one.events.length).toBeGreaterThan(50);
      expect(two.events).toEqual(one.events);
      expect(two.lines).toEqual(one.lines);
    }
  });

  it("defaultFrames leaves room for every page, copied once per fork and once more", () => {
    expect(defaultFrames(parseScenario(SMALL))).toBe(1024);
    const big = {
      name: "big",
      steps: [spawnA, { ...mmapA, pages: 1000 }, { op: "fork", proc: "A", child: "B" }],
    };
    expect(defaultFrames(parseScenario(big))).toBe(2 * 1000 * 2 + 64);
  });
});
