import type { Checksummer } from "../engine";
import { EngineHost } from "./host";
import type { Command, Reply, Update, WorkerMessage } from "./protocol";

/**
 * An engine host for tests, with a hand-driven clock, recording what it
 * posts: `send` answers a command, `ack` lets the next update out, and
 * `latest`/`state` are the update and snapshot the app would draw now.
 * With `tickMs`, every reading of the clock moves it on by that much, so
 * long commands run in slices as in the worker: `post` sends a command
 * without waiting, `tick` runs the next slice.
 */
export function hostHarness(checksummer: Checksummer, { tickMs = 0 } = {}) {
  const posted: WorkerMessage[] = [];
  const clock = { now: 0 };
  const host = new EngineHost(
    checksummer,
    (m) => posted.push(m),
    () => (clock.now += tickMs),
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
