import type { Checksummer } from "../engine";
import { EngineHost } from "./host";
import type { Command, Reply, Update, WorkerMessage } from "./protocol";
import type { Limits } from "./timeline";

/**
 * An engine host for tests, with a hand-driven clock, recording what it
 * posts: `send` answers a command, `ack` lets the next update out, and
 * `latest`/`state` are the update and snapshot the app would draw now.
 * With `tickMs`, every reading of the clock moves it on by that much, so
 * long commands run in slices as in the worker: `post` sends a command
 * without waiting, `tick` runs the next slice.
 */
export function hostHarness(
  checksummer: Checksummer,
  { tickMs = 0, limits }: { tickMs?: number; limits?: Limits } = {},
) {
  const posted: WorkerMessage[] = [];
  const clock = { now: 0 };
  const host = new EngineHost(
    checksummer,
    (m) => posted.push(m),
    () => (clock.now += tickMs),
    limits,
  );
  host.flush(); // as the worker does once it has started
  let id = 0;
  const replyTo = (n: number) => posted.filter((m): m is Reply => m.type === "reply").find((m) => m.id === n);
  const post = (cmd: Command): number => {
    host.handle({ ...cmd, id: ++id });
    return id;
  };
  const send = (cmd: Command): Reply => {
    const r = replyTo(post(cmd));
    if (!r) throw new Error("no reply");
    return r;
  };
  const updates = () => posted.filter((m): m is Update => m.type === "update");
  const ack = () => host.handle({ type: "ack", id: ++id });
  const latest = (): Update => {
    ack();
    return updates().at(-1)!;
  };
  return {
    host,
    posted,
    clock,
    send,
    post,
    replyTo,
    tick: () => host.tick(),
    updates,
    ack,
    latest,
    state: () => latest().snapshot,
  };
}

type Harness = ReturnType<typeof hostHarness>;

/** A machine ksmd merges pages on, played flat out: 64 equal mergeable pages of one process. */
export function playFlatOut({ send }: Harness): void {
  const pid = send({ type: "spawn", name: "A" }).value!;
  const addr = send({ type: "mmap", pid, pages: 64 }).value!;
  send({ type: "fill", pid, addr, pages: 64, value: 1 });
  send({ type: "madvise", pid, start: addr, len: 64 * 4096, advice: "mergeable" });
  send({ type: "clock", playing: true, speed: "max" });
}

/**
 * Work a user would hate to lose: a scenario part-run, ksmd stepped by hand,
 * a process written to, then a step back in time.
 */
export function workInProgress({ send }: Harness, scenarioText: string): void {
  send({ type: "load-scenario", text: scenarioText, profile: "linux-6.18" });
  send({ type: "scenario-step", count: 6 });
  const pid = send({ type: "spawn", name: "mine" }).value!;
  const addr = send({ type: "mmap", pid, pages: 8 }).value!;
  send({ type: "fill", pid, addr, pages: 8, value: 42 });
  send({ type: "madvise", pid, start: addr, len: 8 * 4096, advice: "mergeable" });
  send({ type: "sysfs-write", file: "run", value: "1" });
  send({ type: "step", unit: "scan" });
  send({ type: "write", pid, addr, byte: 1 });
  send({ type: "travel", position: 4 });
}

/** Everything the app shows and keeps of the host's state: the session, the timeline and the snapshot. */
export function fingerprint({ send, latest }: Harness) {
  const { session } = send({ type: "export-session" });
  const { snapshot, timeline, scenario, simTimeMs } = latest();
  return { session, snapshot, timeline, scenario, simTimeMs };
}
