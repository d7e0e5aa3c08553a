import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import type { Reply } from "./protocol";
import { ACTION_TYPES, type Session } from "./session";
import { fingerprint, hostHarness, workInProgress } from "./testing";

/*
 * Fuzzing the session loader (issue 9): random and mutated sessions, made
 * from real exported ones, opened over work in progress. Never an exception
 * out of the host, never a change on refusal, never JavaScript's own error
 * text, and bounded work: the opening runs in slices as in the worker, and
 * one that has not ended after MAX_SLICES is cancelled (as a user would),
 * which must change nothing either.
 */

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const MAX_SLICES = 400;
const RAW =
  /typed array|RangeError|TypeError|is not a function|Cannot read prop|call stack|allocation failed/i;

const MERGE = readFileSync("public/scenarios/two-processes-merge.json", "utf8");
const COW = readFileSync("public/scenarios/cow-after-merge.json", "utf8");

/** Real sessions, exported by the host after real work. */
function seeds(): Session[] {
  const out: Session[] = [];
  const a = hostHarness(checksummer);
  workInProgress(a, MERGE);
  out.push(a.send({ type: "export-session" }).session!);
  const b = hostHarness(checksummer);
  b.send({ type: "load-scenario", text: COW, profile: "linux-2.6.32" });
  b.send({ type: "scenario-step", count: "all" });
  b.send({ type: "travel", position: 0 });
  out.push(b.send({ type: "export-session" }).session!);
  const c = hostHarness(checksummer);
  const pid = c.send({ type: "spawn", name: "A" }).value!;
  const addr = c.send({ type: "mmap", pid, pages: 16 }).value!;
  c.send({ type: "fill", pid, addr, pages: 16, value: 3 });
  c.send({ type: "madvise", pid, start: addr, len: 16 * 4096, advice: "mergeable" });
  c.send({ type: "sysfs-write", file: "run", value: "1" });
  c.send({ type: "fork", pid, name: "B" });
  for (let i = 0; i < 5; i++) c.send({ type: "step", unit: "batch" });
  // ksmd playing: wake-ups recorded as ksmd-batch entries (times = wake-ups per tick).
  c.send({ type: "sysfs-write", file: "sleep_millisecs", value: "1" });
  c.send({ type: "clock", playing: true, speed: 1 });
  for (let t = 1; t <= 3; t++) {
    c.clock.now = 20 * t;
    c.host.tick();
  }
  c.send({ type: "clock", playing: false, speed: 1 });
  c.send({ type: "exit", pid });
  out.push(c.send({ type: "export-session" }).session!);
  // 6.18: prctl(PR_SET_MEMORY_MERGE) on and off around a full scan.
  const d = hostHarness(checksummer);
  d.send({ type: "reset", profile: "linux-6.18", frames: 64 });
  const p = d.send({ type: "spawn", name: "P" }).value!;
  const at = d.send({ type: "mmap", pid: p, pages: 4 }).value!;
  d.send({ type: "fill", pid: p, addr: at, pages: 4, value: 7 });
  d.send({ type: "prctl", pid: p, option: "PR_SET_MEMORY_MERGE", value: 1 });
  d.send({ type: "step", unit: "scan" });
  d.send({ type: "prctl", pid: p, option: "PR_SET_MEMORY_MERGE", value: 0 });
  out.push(d.send({ type: "export-session" }).session!);
  return out;
}

/** Values that break parsers: huge, negative, fractional, prototype names, wrong kinds. */
const nasty = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    2 ** 31,
    2 ** 32 + 1,
    2 ** 53 - 1,
    2 ** 53,
    8_589_934_592,
    1e21,
    0.5,
    -0,
    "all",
    "",
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "valueOf",
    "linux-6.18",
    "reset",
    "load-scenario",
    "run",
    "pages_to_scan",
    "PR_SET_MEMORY_MERGE",
    "100000000",
    null,
    true,
    [],
    {},
  ),
  fc.integer(),
  fc.integer({ min: 0, max: 1 << 21 }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const TYPES = [...ACTION_TYPES, "toString", "__proto__", "constructor"];
const FIELDS = [
  "type",
  "pid",
  "pages",
  "start",
  "len",
  "addr",
  "value",
  "byte",
  "name",
  "advice",
  "option",
  "file",
  "unit",
  "count",
  "times",
];

type Mutation = { kind: number; at: number; field: string; value: unknown; type: string };
const mutation = fc.record({
  kind: fc.nat(8),
  at: fc.nat(),
  field: fc.constantFrom(...FIELDS),
  value: nasty,
  type: fc.constantFrom(...TYPES),
});

/** One change to a session (as parsed JSON): a field set or deleted, an action added, dropped or retyped. */
function mutate(s: Record<string, unknown>, m: Mutation): void {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const actions = Array.isArray(s.actions) ? (s.actions as unknown[]) : null;
  const i = actions && actions.length > 0 ? m.at % actions.length : -1;
  const action = i >= 0 && isObject(actions![i]) ? (actions![i] as Record<string, unknown>) : null;
  switch (m.kind) {
    case 0:
      if (action) action[m.field] = m.value;
      return;
    case 1:
      if (action) delete action[m.field];
      return;
    case 2:
      if (action) action.type = m.type;
      return;
    case 3:
      actions?.splice(Math.max(i, 0), 0, { type: m.type, [m.field]: m.value });
      return;
    case 4:
      if (i >= 0) actions!.splice(i, 1);
      return;
    case 5:
      s.position = m.value;
      return;
    case 7:
      // A long but legal run of wake-ups: bounded only by slices and a cancel.
      actions?.splice(Math.max(i, 0), 0, { type: "ksmd-batch", times: (m.at % 2 ** 20) + 1 });
      return;
    case 6:
      if (isObject(s.base)) s.base[["type", "profile", "frames", "text"][m.at % 4]] = m.value;
      return;
    default:
      s[["base", "actions", "position"][m.at % 3]] = m.value;
  }
}

const counts = { refused: 0, opened: 0, cancelled: 0, failures: 0 };
let slowestMs = 0;

/** A host with work in progress: kept while openings are refused (they change nothing), made again after one opens. */
let working: { h: ReturnType<typeof hostHarness>; before: ReturnType<typeof fingerprint> } | null = null;

/** Open `session` over work in progress, sliced; check the promises; count the outcome. */
function attempt(session: unknown): void {
  if (!working) {
    const h = hostHarness(checksummer, { tickMs: 1 });
    workInProgress(h, MERGE);
    working = { h, before: fingerprint(h) };
  }
  const { h, before } = working;
  const t0 = performance.now();
  const id = h.post({ type: "restore-session", session: session as Session });
  for (let n = 0; h.host.busy && n < MAX_SLICES; n++) h.tick();
  const cancelled = h.host.busy;
  if (cancelled) h.send({ type: "cancel" });
  slowestMs = Math.max(slowestMs, performance.now() - t0);
  const r = h.replyTo(id) as Reply;
  expect(r).toBeDefined();
  expect(h.posted.some((m) => m.type === "error")).toBe(false);
  if (r.errno) {
    expect(r.message).toBeTruthy();
    expect(r.message).not.toMatch(RAW);
    expect(fingerprint(h)).toEqual(before);
    if (cancelled) counts.cancelled++;
    else counts.refused++;
  } else {
    // Opened: the host holds exactly the session (as parsed), which exports and reopens.
    working = null;
    const again = h.send({ type: "export-session" }).session!;
    const other = hostHarness(checksummer);
    expect(other.send({ type: "restore-session", session: again }).errno).toBeUndefined();
    expect(fingerprint(other).snapshot).toEqual(fingerprint(h).snapshot);
    counts.opened++;
  }
}

describe("fuzzing the session loader", () => {
  it("random JSON is refused in words and changes nothing", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3 })), (json) => {
        try {
          attempt(json);
        } catch (err) {
          counts.failures++;
          throw err;
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it("mutated real sessions open whole, or are refused in words changing nothing, in bounded work", () => {
    const real = seeds();
    fc.assert(
      fc.property(
        fc.nat(real.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (which, ms) => {
          const s = JSON.parse(JSON.stringify(real[which]));
          for (const m of ms) mutate(s, m);
          // Through JSON, as from a file or a link: a "__proto__" key is then an own field.
          try {
            attempt(JSON.parse(JSON.stringify(s)));
          } catch (err) {
            counts.failures++;
            throw err;
          }
        },
      ),
      { numRuns: 300 },
    );
    console.log(
      `session fuzzing: ${counts.refused} named refusals, ` +
        `${counts.opened} opened, ${counts.cancelled} cancelled after ${MAX_SLICES} slices, ` +
        `${counts.failures} failures; slowest ${slowestMs.toFixed(0)} ms`,
    );
    expect(counts.failures).toBe(0);
    expect(counts.opened).toBeGreaterThan(0);
  }, 120_000);
});
