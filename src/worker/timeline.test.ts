import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer, PhysMem } from "../engine";
import { deepClone } from "./clone";
import type { Command, Reply } from "./protocol";
import { packActions, parseSession, unpackActions } from "./session";
import { hostHarness } from "./testing";
import { LIMITS, type Limits, Timeline, type Work } from "./timeline";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const setup = () => hostHarness(checksummer);

/** Two processes with equal pages, merged by ksmd, then a COW write: a small story with every kind of action. */
function story(send: (c: Command) => Reply) {
  const a = send({ type: "spawn", name: "A" }).value!;
  const addrA = send({ type: "mmap", pid: a, pages: 6 }).value!;
  send({ type: "fill", pid: a, addr: addrA, pages: 6, value: 7 });
  send({ type: "madvise", pid: a, start: addrA, len: 6 * 4096, advice: "mergeable" });
  const b = send({ type: "fork", pid: a, name: "B" }).value!;
  send({ type: "sysfs-write", file: "run", value: "1\n" });
  send({ type: "step", unit: "scan" });
  send({ type: "step", unit: "scan" });
  send({ type: "write", pid: b, addr: addrA + 4096, byte: 1 });
  send({ type: "step", unit: "page" });
  send({ type: "step", unit: "scan" });
  send({ type: "exit", pid: a });
  send({ type: "step", unit: "batch" });
}

describe("time travel", () => {
  it("going back to any step restores exactly the state the engine had there, and forward again", () => {
    const { send, state, latest } = setup();
    const seen = [state()];
    const record = (c: Command) => {
      const r = send(c);
      seen.push(state());
      return r;
    };
    story(record);
    const n = seen.length - 1;
    expect(latest().timeline).toMatchObject({ position: n, length: n });
    for (const p of [n - 1, 3, 0, 7, n, 1]) {
      expect(send({ type: "travel", position: p }).errno).toBeUndefined();
      expect(state()).toEqual(seen[p]);
    }
    send({ type: "travel", position: 12 });
    expect(latest().timeline.label).toBe("pid 1 exited");
  });

  it("a new action after going back drops the later history", () => {
    const { send, latest } = setup();
    story(send);
    send({ type: "travel", position: 4 });
    expect(latest().timeline).toMatchObject({ position: 4, length: 13 });
    send({ type: "spawn", name: "C" });
    const u = latest();
    expect(u.timeline).toMatchObject({ position: 5, length: 5, label: "spawned C" });
    expect(u.snapshot.processes.map((p) => p.name)).toEqual(["A", "C"]); // B was forked at step 5
  });

  it("reports only the events of the step it lands on, and says it travelled", () => {
    const { send, latest } = setup();
    story(send);
    latest();
    send({ type: "travel", position: 7 }); // after the second full scan
    const u = latest();
    expect(u.travelled).toBe(true);
    expect(u.events.every((e) => e.fn !== "do_fork")).toBe(true);
    expect(u.events.some((e) => e.type === "scan-end")).toBe(true);
    // Past the end (a click queued behind a travel that aimed at an end that moved): the end.
    expect(send({ type: "travel", position: 99 })).toMatchObject({ value: 13 });
    expect(latest().timeline.position).toBe(13);
    expect(send({ type: "travel", position: 1.5 })).toMatchObject({ errno: "EINVAL" });
  });

  it("marks where full scans ended, for scrubbing by scan", () => {
    const { send, latest } = setup();
    story(send);
    const marks = latest().timeline.scanMarks;
    expect(marks.length).toBeGreaterThanOrEqual(3);
    expect(marks).toEqual([...marks].sort((x, y) => x - y));
  });

  it("a session opens at its position even where the budget would have dropped that history", () => {
    const tight = { limits: { ...LIMITS, pages: 5, budget: () => 40_000 } };
    const one = hostHarness(checksummer, tight);
    story(one.send);
    for (let i = 0; i < 30; i++) one.send({ type: "step", unit: "batch" });
    expect(one.latest().timeline.first).toBeGreaterThan(3); // this worker dropped its oldest history
    const session = { ...one.send({ type: "export-session" }).session!, position: 3 };
    const two = hostHarness(checksummer, tight);
    expect(two.send({ type: "restore-session", session }).errno).toBeUndefined();
    expect(two.latest().timeline.position).toBe(3);
    const fresh = setup();
    story(fresh.send);
    fresh.send({ type: "travel", position: 3 });
    expect(two.state()).toEqual(fresh.state());
  });

  it("an exported session rebuilds the same state in a new worker; a broken one changes nothing", () => {
    const one = setup();
    story(one.send);
    one.send({ type: "travel", position: 9 });
    const session = one.send({ type: "export-session" }).session!;
    const two = setup();
    expect(two.send({ type: "restore-session", session }).errno).toBeUndefined();
    expect(two.state()).toEqual(one.state());
    expect(two.latest().timeline).toEqual(one.latest().timeline);

    const before = two.state();
    const broken = { ...session, actions: [...session.actions, { type: "fork", pid: "x" }] };
    expect(two.send({ type: "restore-session", session: broken as never })).toMatchObject({
      errno: "EINVAL",
      message: expect.stringContaining(`action ${session.actions.length}, field "pid"`),
    });
    expect(two.state()).toEqual(before);
  });

  it("records the wake-ups of one tick of play as one entry, and replays it exactly", () => {
    const { send, state, latest, clock, host } = setup();
    const a = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid: a, pages: 40 }).value!;
    send({ type: "fill", pid: a, addr, pages: 40, value: 9 });
    send({ type: "madvise", pid: a, start: addr, len: 40 * 4096, advice: "mergeable" });
    send({ type: "sysfs-write", file: "pages_to_scan", value: "7" });
    send({ type: "sysfs-write", file: "sleep_millisecs", value: "10" });
    const before = latest().timeline.length;
    send({ type: "clock", playing: true, speed: 1 });
    clock.now = 200;
    host.tick(); // about 20 wake-ups
    const u = latest();
    expect(u.timeline.length).toBe(before + 1);
    expect(u.timeline.label).toMatch(/^ksmd woke \d+ times$/);
    const live = state();
    expect(live.counters.pages_scanned).toBeGreaterThan(100);
    send({ type: "clock", playing: false, speed: 1 });
    send({ type: "travel", position: u.timeline.position - 1 });
    send({ type: "travel", position: u.timeline.position });
    expect(state()).toEqual(live);
    const { session } = send({ type: "export-session" });
    expect(parseSession(session)).toEqual(session);
    expect(parseSession({ ...session, actions: [{ type: "ksmd-batch", times: 0 }] })).toMatch(
      /field "times"/,
    );
  });

  it("a travel cancelled part-way leaves the state where it was, the frames' bytes too", () => {
    // Every reading of the clock takes 1 ms: a replay of many actions runs in slices.
    const h = hostHarness(checksummer, { tickMs: 1 });
    const a = h.send({ type: "spawn", name: "A" }).value!;
    const addr = h.send({ type: "mmap", pid: a, pages: 40 }).value!;
    for (let i = 0; i < 40; i++) h.send({ type: "fill", pid: a, addr: addr + i * 4096, pages: 1, value: i });
    for (let i = 0; i < 40; i++) h.send({ type: "write", pid: a, addr: addr + i * 4096 + 7, byte: 100 + i });
    const { position } = h.latest().timeline;
    const before = h.state();
    const id = h.post({ type: "travel", position: position - 1 }); // from the base: 81 actions to replay
    expect(h.replyTo(id)).toBeUndefined();
    h.tick();
    expect(h.send({ type: "cancel" }).errno).toBeUndefined();
    expect(h.replyTo(id)?.errno).toBe("ECANCELED");
    expect(h.latest().timeline.position).toBe(position);
    expect(h.state()).toEqual(before);
    for (let i = 0; i < 40; i += 13)
      expect(h.send({ type: "read", pid: a, addr: addr + i * 4096 + 7 }).value).toBe(100 + i);
  });

  it("takes checkpoints on long histories and still restores exactly", () => {
    const { send, state, latest } = hostHarness(checksummer, { limits: { ...LIMITS, pages: 5000 } });
    const a = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid: a, pages: 400 }).value!;
    send({ type: "fill", pid: a, addr, pages: 400, value: 3 });
    send({ type: "madvise", pid: a, start: addr, len: 400 * 4096, advice: "mergeable" });
    send({ type: "sysfs-write", file: "run", value: "1" });
    const scans = Math.ceil((2.5 * 5000) / 400);
    const seen: { position: number; snapshot: ReturnType<typeof state> }[] = [];
    for (let i = 0; i < scans; i++) {
      send({ type: "step", unit: "scan" });
      if (i % 40 === 0) send({ type: "write", pid: a, addr: addr + (i % 400) * 4096, byte: i & 0xff });
      const u = latest();
      seen.push({ position: u.timeline.position, snapshot: u.snapshot });
    }
    expect(seen.at(-1)!.snapshot.counters.full_scans).toBe(scans);
    for (const i of [scans - 1, 10, Math.floor(scans / 2), 15]) {
      send({ type: "travel", position: seen[i].position });
      expect(state()).toEqual(seen[i].snapshot);
    }
  }, 30_000);

  it("fast-check: random actions, then travel to a random step, equals replaying from scratch (or the oldest kept, where history was dropped)", () => {
    const action = fc.oneof(
      fc.record({ type: fc.constant("step" as const), unit: fc.constantFrom("page", "batch", "scan") }),
      fc.record({ type: fc.constant("write" as const), page: fc.nat(7), byte: fc.nat(255) }),
      fc.record({ type: fc.constant("fork" as const) }),
      fc.record({ type: fc.constant("exit" as const), which: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), fc.nat(), fc.boolean(), (actions, pick, tight) => {
        // Tight: a checkpoint every few actions, and room for about four.
        const { send, state, latest } = tight
          ? hostHarness(checksummer, { limits: { ...LIMITS, pages: 5, budget: () => 40_000 } })
          : setup();
        // The snapshot at each position of the timeline.
        const seen = [state()];
        const record = (c: Command) => {
          const r = send(c);
          const u = latest();
          seen[u.timeline.position] = u.snapshot;
          return r;
        };
        const a = record({ type: "spawn", name: "A" }).value!;
        const addr = record({ type: "mmap", pid: a, pages: 8 }).value!;
        record({ type: "fill", pid: a, addr, pages: 8, value: 5 });
        record({ type: "madvise", pid: a, start: addr, len: 8 * 4096, advice: "mergeable" });
        record({ type: "sysfs-write", file: "run", value: "1" });
        const pids = [a];
        for (const x of actions) {
          if (x.type === "step") record(x);
          else if (x.type === "write")
            record({ type: "write", pid: pids[0], addr: addr + x.page * 4096, byte: x.byte });
          else if (x.type === "fork")
            pids.push(record({ type: "fork", pid: pids[0], name: "child" }).value ?? 0);
          else record({ type: "exit", pid: pids[x.which % pids.length] });
        }
        const { first } = latest().timeline;
        const position = pick % seen.length;
        send({ type: "travel", position });
        // Dropped history cannot be reached: travel goes to where the history starts.
        expect(state()).toEqual(seen[Math.max(position, first)]);
        expect(latest().timeline.position).toBe(Math.max(position, first));
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("sessions", () => {
  it("packs runs of equal actions and unpacks them again", () => {
    const actions = [
      { type: "ksmd-batch" as const },
      { type: "ksmd-batch" as const },
      { type: "step" as const, unit: "page" as const },
      { type: "ksmd-batch" as const },
    ];
    const packed = packActions(actions);
    expect(packed.map(([n]) => n)).toEqual([2, 1, 1]);
    expect(unpackActions(deepClone(packed))).toEqual(actions);
    expect(unpackActions([[0, {}]])).toMatch(/count/);
  });

  it("names the field that is wrong", () => {
    const base = { type: "reset", profile: "linux-6.18", frames: 64 };
    expect(parseSession({ base, actions: [], position: 0 })).not.toBeTypeOf("string");
    expect(parseSession({ base: { ...base, profile: "linux-5" }, actions: [], position: 0 })).toMatch(
      /profile/,
    );
    expect(parseSession({ base, actions: [{ type: "step", unit: "page" }], position: 2 })).toMatch(
      /position/,
    );
    expect(parseSession({ base, actions: [{ type: "rm -rf" }], position: 0 })).toMatch(
      /action 0: unknown type/,
    );
  });
});

describe("checkpoints within their budgets", () => {
  /** A world for the timeline alone: a small memory and a note of what was done. */
  const newWorld = () => ({ mem: new PhysMem(64, checksummer), done: [] as number[] });
  type World = ReturnType<typeof newWorld>;
  /** A timeline with these limits, started on a new world. */
  const started = (more: Partial<Limits>, now = () => 0) => {
    const w = newWorld();
    const tl = new Timeline<string, World>((x) => x.mem, now, { ...LIMITS, ...more });
    tl.start(w);
    return { w, tl };
  };
  const entry = (work: Work) => ({ action: "act", simTimeMs: 0, nextWakeMs: 0, fullScans: 0, work });
  /** `n` actions of the given work, each writing a page (so each checkpoint keeps one). */
  const play = (tl: Timeline<string, World>, w: World, n: number, work: Work) => {
    for (let i = 0; i < n; i++) {
      w.done.push(tl.position);
      w.mem.fillPage(1 + (tl.position % 60), tl.position);
      tl.record(entry(work), w);
    }
  };

  it("are spaced by work however long the history, so a step back replays at most that much", () => {
    const { w, tl } = started({ pages: 100, budget: () => 40_000 });
    play(tl, w, 3000, { pages: 9, ms: 0 }); // 10 units of work an action: a checkpoint every 10
    const at = tl.checkpointPositions;
    expect(at.at(-1)).toBe(3000);
    expect(at.slice(1).map((p, i) => p - at[i])).toEqual(Array(at.length - 1).fill(10));
    for (let p = tl.first; p <= 3000; p++) expect(p - tl.replayStart(p)).toBeLessThan(10);
  });

  it("are spaced by engine time where scanning is slow", () => {
    const { w, tl } = started({ pages: 100, ms: 400 });
    play(tl, w, 40, { pages: 0, ms: 50 });
    expect(tl.checkpointPositions).toEqual([0, 8, 16, 24, 32, 40]);
  });

  it("drop the oldest history to stay within the budget, and say from where it starts", () => {
    const { w, tl } = started({ pages: 1, budget: () => 60_000 });
    for (let i = 0; i < 200; i++) {
      play(tl, w, 1, { pages: 0, ms: 0 });
      expect(tl.bytes).toBeLessThanOrEqual(tl.budget);
    }
    expect(tl.first).toBeGreaterThan(100);
    expect(tl.first).toBe(tl.checkpointPositions[0]);
    expect(tl.entries).toHaveLength(200); // the actions stay, for sessions
    // The oldest checkpoint left still restores exactly what the world was there.
    const { world } = tl.checkpointFor(tl.first);
    expect(world.done).toEqual(w.done.slice(0, tl.first));
    for (let pfn = 1; pfn <= 60; pfn++) {
      const wrote = [...w.done.slice(0, tl.first)].reverse().find((p) => 1 + (p % 60) === pfn);
      const page = new Uint32Array(world.mem.pageBytes(pfn).buffer);
      expect(page.every((word) => word === (wrote ?? 0))).toBe(true);
    }
  });

  it("copies take at most their share of the time: a slow copy puts off the next", () => {
    const clock = { now: 0 };
    // Copying the world lists its keys: each listing takes 100 ms.
    const slow = new Proxy(newWorld(), {
      ownKeys(target) {
        clock.now += 100;
        return Reflect.ownKeys(target);
      },
    });
    const tl = new Timeline<string, World>(
      (x) => x.mem,
      () => clock.now,
      { ...LIMITS, pages: 10 },
    );
    tl.start(slow); // copies the base
    const copyMs = clock.now;
    expect(copyMs).toBeGreaterThan(0);
    play(tl, slow, 10, { pages: 0, ms: 0 }); // due by work, but no time has passed since the base was copied
    expect(tl.checkpointPositions).toEqual([0]);
    clock.now += LIMITS.copyShare * copyMs - 1;
    play(tl, slow, 1, { pages: 0, ms: 0 });
    expect(tl.checkpointPositions).toEqual([0]);
    clock.now += 1;
    play(tl, slow, 1, { pages: 0, ms: 0 });
    expect(tl.checkpointPositions).toEqual([0, 12]);
  });
});
