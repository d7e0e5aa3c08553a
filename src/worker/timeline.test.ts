import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { deepClone } from "./clone";
import type { Command, Reply } from "./protocol";
import { packActions, parseSession, unpackActions } from "./session";
import { hostHarness } from "./testing";
import { CHECKPOINT_BUDGET_BYTES, CHECKPOINT_WORK, COPY_TIME_SHARE, Timeline } from "./timeline";

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

  it("takes checkpoints on long histories and still restores exactly", () => {
    const { send, state, latest } = setup();
    const a = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid: a, pages: 400 }).value!;
    send({ type: "fill", pid: a, addr, pages: 400, value: 3 });
    send({ type: "madvise", pid: a, start: addr, len: 400 * 4096, advice: "mergeable" });
    send({ type: "sysfs-write", file: "run", value: "1" });
    const scans = Math.ceil((2.5 * CHECKPOINT_WORK) / 400);
    const seen: { position: number; snapshot: ReturnType<typeof state> }[] = [];
    for (let i = 0; i < scans; i++) {
      send({ type: "step", unit: "scan" });
      if (i % 40 === 0) send({ type: "write", pid: a, addr: addr + (i % 400) * 4096, byte: i & 0xff });
      const u = latest();
      seen.push({ position: u.timeline.position, snapshot: u.snapshot });
    }
    expect(seen.at(-1)!.snapshot.counters.full_scans).toBe(scans);
    for (const i of [scans - 1, 10, Math.floor(scans / 2), 150]) {
      send({ type: "travel", position: seen[i].position });
      expect(state()).toEqual(seen[i].snapshot);
    }
  });

  it("fast-check: random actions, then travel to a random step, equals replaying from scratch", () => {
    const action = fc.oneof(
      fc.record({ type: fc.constant("step" as const), unit: fc.constantFrom("page", "batch", "scan") }),
      fc.record({ type: fc.constant("write" as const), page: fc.nat(7), byte: fc.nat(255) }),
      fc.record({ type: fc.constant("fork" as const) }),
      fc.record({ type: fc.constant("exit" as const), which: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 25 }), fc.nat(), (actions, pick) => {
        const { send, state, latest } = setup();
        const a = send({ type: "spawn", name: "A" }).value!;
        const addr = send({ type: "mmap", pid: a, pages: 8 }).value!;
        send({ type: "fill", pid: a, addr, pages: 8, value: 5 });
        send({ type: "madvise", pid: a, start: addr, len: 8 * 4096, advice: "mergeable" });
        send({ type: "sysfs-write", file: "run", value: "1" });
        const pids = [a];
        const seen = [];
        for (const x of actions) {
          if (x.type === "step") send(x);
          else if (x.type === "write")
            send({ type: "write", pid: pids[0], addr: addr + x.page * 4096, byte: x.byte });
          else if (x.type === "fork")
            pids.push(send({ type: "fork", pid: pids[0], name: "child" }).value ?? 0);
          else send({ type: "exit", pid: pids[x.which % pids.length] });
          const u = latest();
          seen.push({ position: u.timeline.position, snapshot: u.snapshot });
        }
        if (seen.length === 0) return;
        const { position, snapshot } = seen[pick % seen.length];
        send({ type: "travel", position });
        expect(state()).toEqual(snapshot);
      }),
      { numRuns: 40 },
    );
  });
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
  /** A world that counts how often it is deep-copied (deepClone lists each object's keys once). */
  function countedWorld() {
    const count = { copies: 0 };
    const world = new Proxy(
      { pages: 1 },
      {
        ownKeys(target) {
          count.copies++;
          return Reflect.ownKeys(target);
        },
      },
    );
    return { world, count };
  }
  const entry = { action: "batch", simTimeMs: 0, nextWakeMs: 0, fullScans: 0 };
  const play = (tl: Timeline<string, object>, world: object, actions: number) => {
    for (let i = 0; i < actions; i++) tl.record(entry, CHECKPOINT_WORK, world);
  };

  it("a machine too big for two copies keeps only its base and never copies it again", () => {
    const { world, count } = countedWorld();
    const tl = new Timeline<string, object>();
    tl.start(world, CHECKPOINT_BUDGET_BYTES * 0.6);
    play(tl, world, 20);
    expect(tl.checkpointPositions).toEqual([0]);
    expect(count.copies).toBe(1);
  });

  it("a full budget thins the checkpoints to every other one and takes them half as often", () => {
    const { world, count } = countedWorld();
    const tl = new Timeline<string, object>();
    tl.start(world, CHECKPOINT_BUDGET_BYTES / 4); // room for four
    play(tl, world, 3);
    expect(tl.checkpointPositions).toEqual([0, 1, 2, 3]);
    play(tl, world, 1); // full: thinned to 0 and 2, then 4 added
    expect(tl.checkpointPositions).toEqual([0, 2, 4]);
    play(tl, world, 1); // now one every 2 × CHECKPOINT_WORK
    expect(tl.checkpointPositions).toEqual([0, 2, 4]);
    play(tl, world, 1);
    expect(tl.checkpointPositions).toEqual([0, 2, 4, 6]);
    expect(count.copies).toBe(6);
  });

  it("copies take at most a tenth of the time: a slow copy puts off the next", () => {
    const clock = { now: 0 };
    const { world } = countedWorld();
    const slow = new Proxy(world, {
      ownKeys(target) {
        clock.now += 100; // each copy takes 100 ms
        return Reflect.ownKeys(target);
      },
    });
    const tl = new Timeline<string, object>(() => clock.now);
    tl.start(slow, 1024);
    play(tl, slow, 1); // due by work, but no time has passed since the base was copied
    expect(tl.checkpointPositions).toEqual([0]);
    clock.now += COPY_TIME_SHARE * 100;
    play(tl, slow, 1);
    expect(tl.checkpointPositions).toEqual([0, 2]);
  });
});
