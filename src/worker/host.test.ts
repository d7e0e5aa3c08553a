import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { FLAT_OUT_REDRAW_MS } from "./protocol";
import { hostHarness, playFlatOut } from "./testing";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const setup = () => hostHarness(checksummer);

describe("the engine host", () => {
  it("answers commands with values and errnos", () => {
    const { send } = setup();
    const pid = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid, pages: 2 }).value!;
    expect(send({ type: "fill", pid, addr, pages: 2, value: 7 })).toEqual({ type: "reply", id: 3 });
    expect(send({ type: "madvise", pid, start: addr + 1, len: 4096, advice: "mergeable" })).toMatchObject({
      errno: "EINVAL",
      message: "Invalid argument",
    });
    expect(send({ type: "sysfs-write", file: "run", value: "3\n" })).toMatchObject({ errno: "EINVAL" });
    expect(send({ type: "exit", pid: 99 })).toMatchObject({ errno: "ESRCH", message: "No such process" });
  });

  it("sends one update per acknowledgement", () => {
    const { send, updates, ack } = setup();
    expect(updates()).toHaveLength(1); // the initial state
    send({ type: "spawn", name: "A" });
    send({ type: "spawn", name: "B" });
    expect(updates()).toHaveLength(1);
    ack();
    expect(updates()).toHaveLength(2);
    expect(updates()[1].snapshot.processes.map((p) => p.name)).toEqual(["A", "B"]);
    ack();
    expect(updates()).toHaveLength(2); // nothing changed
  });

  it("runs ksmd every sleep_millisecs of simulated time while playing", () => {
    const { send, clock, host, updates, ack } = setup();
    const pid = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid, pages: 4 }).value!;
    send({ type: "fill", pid, addr, pages: 4, value: 1 });
    send({ type: "madvise", pid, start: addr, len: 4 * 4096, advice: "mergeable" });
    send({ type: "sysfs-write", file: "sleep_millisecs", value: "300" });
    send({ type: "clock", playing: true, speed: 1 });
    const scans = () => {
      ack();
      return updates().at(-1)!.snapshot.counters.full_scans;
    };
    // Ticks at least 100 ms apart: while playing the host sends at most 10 updates a second.
    clock.now = 150;
    host.tick(); // the first batch (200 pages: the whole area, one full scan), then sleep 300 ms
    expect(scans()).toBe(1);
    clock.now = 250;
    host.tick(); // still asleep
    expect(scans()).toBe(1);
    clock.now = 460;
    host.tick();
    expect(scans()).toBe(2);
    expect(updates().at(-1)!.snapshot.counters).toMatchObject({ pages_shared: 1, pages_sharing: 3 });
    send({ type: "clock", playing: false, speed: 1 });
    clock.now = 1000;
    host.tick();
    expect(scans()).toBe(2);
  });

  it("flat out, sends the trees at most every FLAT_OUT_REDRAW_MS, and with the first update after any command", () => {
    const harness = hostHarness(checksummer, { tickMs: 1 });
    const { send, host, updates, ack, clock } = harness;
    playFlatOut(harness);
    const seen: { kept: boolean; nodes: number; at: number }[] = [];
    let count = updates().length;
    for (let i = 0; i < 150; i++) {
      host.tick();
      ack();
      const u = updates().at(-1)!;
      if (updates().length > count) {
        count = updates().length;
        seen.push({ kept: u.treesKept, nodes: u.snapshot.stableTree.nodes.length, at: clock.now });
      }
    }
    const sent = seen.filter((u) => !u.kept);
    expect(seen.some((u) => u.kept)).toBe(true);
    expect(sent.length).toBeGreaterThan(1);
    // Kept trees are left out, not walked: the update carries none.
    for (const u of seen.filter((x) => x.kept)) expect(u.nodes).toBe(0);
    expect(sent.at(-1)!.nodes).toBeGreaterThan(0);
    for (let i = 1; i < sent.length; i++)
      expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(FLAT_OUT_REDRAW_MS);
    // Pausing brings the engine's trees at once, even though the pause changed nothing else.
    const before = updates().length;
    send({ type: "clock", playing: false, speed: "max" });
    ack();
    expect(updates().length).toBe(before + 1);
    expect(updates().at(-1)!.treesKept).toBe(false);
    expect(updates().at(-1)!.snapshot.stableTree.nodes.length).toBeGreaterThan(0);
  });

  it("steps by page, batch and full scan, and refuses when ksmd cannot run", () => {
    const { send, updates, ack } = setup();
    expect(send({ type: "step", unit: "page" })).toMatchObject({ errno: "EAGAIN" });
    const pid = send({ type: "spawn", name: "A" }).value!;
    const addr = send({ type: "mmap", pid, pages: 3 }).value!;
    send({ type: "fill", pid, addr, pages: 3, value: 1 });
    send({ type: "madvise", pid, start: addr, len: 3 * 4096, advice: "mergeable" });
    send({ type: "step", unit: "page" });
    ack();
    expect(updates().at(-1)!.snapshot.counters).toMatchObject({ rmap_items: 1, full_scans: 0 });
    send({ type: "step", unit: "scan" });
    ack();
    expect(updates().at(-1)!.snapshot.counters).toMatchObject({ rmap_items: 3, full_scans: 1 });
    send({ type: "sysfs-write", file: "run", value: "0" });
    expect(send({ type: "step", unit: "batch" })).toMatchObject({
      errno: "EAGAIN",
      message: "ksmd is not running (run is 0)",
    });
  });

  it("loads a scenario, and a broken one changes nothing", () => {
    const { send, updates, ack } = setup();
    send({ type: "spawn", name: "keep" });
    const bad = send({
      type: "load-scenario",
      text: '{"name":"x","steps":[{"op":"fill","proc":"A"}]}',
      profile: "linux-6.18",
    });
    expect(bad).toMatchObject({ errno: "EINVAL" });
    expect(bad.message).toContain('step 0, field "region": is required by "fill"');
    expect(send({ type: "load-scenario", text: "{nope", profile: "linux-6.18" }).message).toMatch(
      /^not valid JSON/,
    );
    ack();
    expect(
      updates()
        .at(-1)!
        .snapshot.processes.map((p) => p.name),
    ).toEqual(["keep"]);

    const text = JSON.stringify({
      name: "s",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "snapshot", label: "one" },
      ],
    });
    expect(send({ type: "load-scenario", text, profile: "linux-6.18" })).toEqual({ type: "reply", id: 5 });
    send({ type: "scenario-step", count: "all" });
    ack();
    const u = updates().at(-1)!;
    expect(u.snapshot.profile).toBe("linux-6.18");
    expect(u.scenario).toMatchObject({ name: "s", next: 2, steps: 2 });
    expect(u.scenario!.lines).toHaveLength(1);
    expect(send({ type: "scenario-step", count: 1 })).toMatchObject({ errno: "EINVAL" });
  });

  it("rejects a bad memory size and keeps the machine", () => {
    const { send } = setup();
    expect(send({ type: "reset", profile: "linux-2.6.32", frames: 3 })).toMatchObject({ errno: "EINVAL" });
    expect(send({ type: "reset", profile: "linux-2.6.32", frames: 64 })).toEqual({ type: "reply", id: 2 });
  });
});

describe("comparing profiles", () => {
  it("runs a scenario on both kernels without touching the live engine", async () => {
    const { send } = setup();
    send({ type: "spawn", name: "live" });
    const { readFileSync } = await import("node:fs");
    const text = readFileSync("public/scenarios/max-kernel-pages.json", "utf8");
    const r = send({ type: "compare-profiles", text });
    expect(r.errno).toBeUndefined();
    const old = r.lines!["linux-2.6.32"];
    const now = r.lines!["linux-6.18"];
    expect(old.length).toBeGreaterThan(0);
    expect(old.length).toBe(now.length);
    expect(old).not.toEqual(now); // the two kernels differ on this scenario
    expect(send({ type: "compare-profiles", text: "{" })).toMatchObject({ errno: "EINVAL" });
  });
});
