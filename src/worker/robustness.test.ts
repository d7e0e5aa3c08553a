import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import type { Progress, Reply } from "./protocol";
import type { Session } from "./session";
import { fingerprint, hostHarness, workInProgress } from "./testing";
import { LIMITS } from "./timeline";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const preset = (file: string) => readFileSync(`public/scenarios/${file}`, "utf8");
const MERGE = preset("two-processes-merge.json");
/** What no message for people may contain: JavaScript's own error texts. */
const RAW =
  /typed array|RangeError|TypeError|undefined|is not a function|allocation failed|Unexpected token/i;

/** A host with work in progress, and its state as the app sees it. */
function busyHost(options?: { tickMs?: number }, cs = checksummer) {
  const h = hostHarness(cs, options);
  workInProgress(h, MERGE);
  return { ...h, before: fingerprint(h) };
}

const reset = (frames = 64): Session["base"] => ({ type: "reset", profile: "linux-2.6.32", frames });

describe("opening is all or nothing (issue 9, item 1)", () => {
  it("refuses the issue's session (mmap of 8,589,934,592 pages) in words and keeps the work", () => {
    const h = busyHost();
    const session = {
      base: reset(),
      actions: [
        { type: "spawn", name: "A" },
        { type: "mmap", pid: 1, pages: 8_589_934_592 },
      ],
      position: 2,
    };
    const r = h.send({ type: "restore-session", session: session as Session });
    expect(r).toMatchObject({ errno: "EINVAL" });
    expect(r.message).toBe('action 1, field "pages": must be 0 to 16777216 pages');
    expect(fingerprint(h)).toEqual(h.before);
  });

  it("a session whose replay makes the engine throw is refused whole: the old machine stays", () => {
    // A checksummer that fails once the new machine is being built: the engine throws mid-replay.
    let calls = 0;
    let failAfter = Number.POSITIVE_INFINITY;
    const failing: Checksummer = (bytes) => {
      if (++calls > failAfter) throw new Error("checksum unit on fire");
      return checksummer(bytes);
    };
    const h = busyHost({}, failing);
    const { session } = h.send({ type: "export-session" });
    failAfter = calls + 3;
    const r = h.send({
      type: "restore-session",
      session: { ...session!, position: session!.actions.length },
    });
    expect(r.errno).toBe("EIO");
    expect(r.message).toMatch(/^opening made the engine fail|^action \d+ \(.*\) made the engine fail/);
    expect(r.message).not.toContain("on fire");
    failAfter = Number.POSITIVE_INFINITY;
    expect(fingerprint(h)).toEqual(h.before);
  });

  it("a scenario too big to build says so in words (ENOMEM) and keeps the work", () => {
    const h = busyHost();
    const text = JSON.stringify({ name: "huge", memory_frames: 16_777_216, steps: [] });
    const r = h.send({ type: "load-scenario", text, profile: "linux-6.18" });
    expect(r.errno).toBeDefined();
    expect(r.message).not.toMatch(RAW);
    expect(fingerprint(h)).toEqual(h.before);
  });

  it("a good session replaces the work only once whole, and reopens exactly", () => {
    const h = busyHost();
    const { session } = h.send({ type: "export-session" });
    const other = hostHarness(checksummer);
    expect(other.send({ type: "restore-session", session: session! }).errno).toBeUndefined();
    expect(fingerprint(other)).toEqual(h.before);
  });
});

describe("no input loops for ever, and long work can be cancelled (item 2)", () => {
  it("refuses a ksmd-batch of 2^53 - 1 wake-ups at parse time", () => {
    const h = busyHost();
    const session = {
      base: reset(),
      actions: [{ type: "ksmd-batch", times: 9007199254740991 }],
      position: 1,
    };
    const r = h.send({ type: "restore-session", session: session as Session });
    expect(r).toMatchObject({ errno: "EINVAL", message: 'action 0, field "times": must be 1 to 1048576' });
    expect(fingerprint(h)).toEqual(h.before);
  });

  /** A legal but long session: a machine with work for ksmd, then many wake-ups. */
  const longSession = (): Session => ({
    base: { type: "load-scenario", text: MERGE, profile: "linux-2.6.32" },
    actions: [
      { type: "scenario-step", count: "all" },
      { type: "sysfs-write", file: "run", value: "1" },
      ...Array.from({ length: 50 }, () => ({ type: "ksmd-batch" as const, times: 200 })),
    ],
    position: 52,
  });

  it("opens a long session in slices: progress, pings answered, commands wait, a cancel changes nothing", () => {
    const h = busyHost({ tickMs: 1 });
    const id = h.post({ type: "restore-session", session: longSession() });
    expect(h.replyTo(id)).toBeUndefined(); // still working after its first slice
    const waiting = h.post({ type: "spawn", name: "later" });
    for (let i = 0; i < 40; i++) h.tick();
    const progress = h.posted.filter((m): m is Progress => m.type === "progress");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ id, what: "opening", total: 52 });
    h.host.handle({ type: "ping", id: 0 });
    expect(h.posted.at(-1)).toEqual({ type: "pong" });
    expect(h.replyTo(waiting)).toBeUndefined();
    expect(h.send({ type: "cancel" }).errno).toBeUndefined();
    expect(h.replyTo(id)).toMatchObject({ errno: "ECANCELED", message: "cancelled: nothing was changed" });
    expect(h.replyTo(waiting)?.errno).toBeUndefined(); // ran once the job ended, on the old machine
    const after = fingerprint(h);
    expect(after.session!.actions.slice(0, -1)).toEqual(h.before.session!.actions.slice(0, 4));
    expect(after.snapshot.processes.map((p) => p.name)).toEqual([
      ...h.before.snapshot.processes.map((p) => p.name),
      "later",
    ]);
  });

  it("left to run, the sliced opening ends with the same state as at once", () => {
    const sliced = hostHarness(checksummer, { tickMs: 1 });
    const id = sliced.post({ type: "restore-session", session: longSession() });
    let ticks = 0;
    while (sliced.host.busy && ticks < 100_000) {
      sliced.tick();
      ticks++;
    }
    expect(sliced.replyTo(id)?.errno).toBeUndefined();
    expect(ticks).toBeGreaterThan(1);
    const whole = hostHarness(checksummer);
    whole.send({ type: "restore-session", session: longSession() });
    expect(fingerprint(sliced).snapshot).toEqual(fingerprint(whole).snapshot);
  });

  it("a long travel runs in slices, and cancelled leaves the state where it was", () => {
    // Checkpoints by pages only (this clock's milliseconds are readings): the travel replays all 52 actions.
    const h = hostHarness(checksummer, { tickMs: 1, limits: { ...LIMITS, ms: Number.POSITIVE_INFINITY } });
    const id = h.post({ type: "restore-session", session: { ...longSession(), position: 0 } });
    while (h.host.busy) h.tick();
    expect(h.replyTo(id)?.errno).toBeUndefined();
    const before = fingerprint(h);
    const travel = h.post({ type: "travel", position: 52 });
    h.tick();
    expect(h.replyTo(travel)).toBeUndefined();
    h.send({ type: "cancel" });
    expect(h.replyTo(travel)).toMatchObject({ errno: "ECANCELED" });
    expect(fingerprint(h)).toEqual(before);
  });

  it("a run to the end cancelled part-way keeps the steps it ran, as one timeline entry", () => {
    const h = hostHarness(checksummer, { tickMs: 5 });
    const text = JSON.stringify({
      name: "long",
      steps: Array.from({ length: 400 }, (_, i) => ({ op: "spawn", proc: `p${i}` })),
    });
    h.send({ type: "load-scenario", text, profile: "linux-6.18" });
    const id = h.post({ type: "scenario-step", count: "all" });
    h.tick();
    h.send({ type: "cancel" });
    h.tick(); // the run ends at the next whole step
    expect(h.replyTo(id)).toMatchObject({ errno: "ECANCELED" });
    const u = h.latest();
    expect(u.scenario!.next).toBeGreaterThan(0);
    expect(u.scenario!.next).toBeLessThan(400);
    expect(u.timeline).toMatchObject({
      position: 1,
      length: 1,
      label: `ran ${u.scenario!.next} scenario steps`,
    });
  });
});

describe("smaller harms (item 7)", () => {
  it("a travel queued behind others past the end goes to the end, with no error", () => {
    const h = busyHost();
    const { length } = h.latest().timeline;
    const r: Reply = h.send({ type: "travel", position: length + 5 });
    expect(r.errno).toBeUndefined();
    expect(r.value).toBe(length);
    expect(h.send({ type: "travel", position: -3 }).value).toBe(0);
  });

  it("no JavaScript error text reaches a reply: a huge mmap is ENOMEM, as the kernel says", () => {
    const { send } = hostHarness(checksummer);
    const pid = send({ type: "spawn", name: "A" }).value!;
    const r = send({ type: "mmap", pid, pages: 2 ** 33 });
    expect(r).toMatchObject({ errno: "ENOMEM", message: "Cannot allocate memory" });
    expect(send({ type: "mmap", pid, pages: 2 ** 23 }).errno).toBeUndefined();
    expect(send({ type: "mmap", pid, pages: 2 ** 23 }).errno).toBeUndefined();
    expect(send({ type: "mmap", pid, pages: 1 }).errno).toBe("ENOMEM"); // 2^24 pages mapped in all
    expect(send({ type: "fork", pid, name: "B" }).errno).toBe("ENOMEM");
  });
});

describe("scenario text that is not JSON", () => {
  it("is refused in words: where, or what, not JSON.parse's own message", () => {
    const { send } = hostHarness(checksummer);
    const load = (text: string) => send({ type: "load-scenario", text, profile: "linux-6.18" }).message;
    // Where JSON.parse says (V8 gives a position for some mistakes, the token for others).
    expect(load('{"name": "x",\n "steps": [}')).toMatch(
      /^not valid JSON: (a mistake at line 2, column 12|"\}" where it cannot be)$/,
    );
    expect(load('{"name": "x",\n "steps": [] "more"}')).toBe(
      "not valid JSON: a mistake at line 2, column 14",
    );
    expect(load('{"name": "x"')).toMatch(/^not valid JSON: (the text ends too early|a mistake at line 1)/);
    expect(load("")).toBe("not valid JSON: the text ends too early (was it cut short?)");
    expect(load("{nope")).not.toMatch(/JSON at|is not valid JSON|Unexpected|Expected/);
    expect(send({ type: "compare-profiles", text: "[1,,2]" }).message).not.toMatch(/Unexpected|Expected/);
  });
});

describe("the session loader", () => {
  it("knows only its own action names: toString, __proto__ and constructor are unknown", () => {
    const { send } = hostHarness(checksummer);
    for (const type of ["toString", "__proto__", "constructor", "hasOwnProperty"]) {
      const session = JSON.parse(`{"base":{"type":"reset","profile":"linux-6.18","frames":64},
        "actions":[{"type":"${type}"}],"position":1}`);
      expect(send({ type: "restore-session", session })).toMatchObject({
        errno: "EINVAL",
        message: "action 0: unknown type",
      });
    }
    const inherited = JSON.parse(
      '{"__proto__":{"base":{"type":"reset","profile":"linux-6.18","frames":64}}}',
    );
    expect(send({ type: "restore-session", session: inherited }).message).toBe('field "base" is required');
  });
});
