import type { Checksummer } from "../engine";
import { EngineHost } from "./host";
import type { Command, Reply, Update, WorkerMessage } from "./protocol";
import type { Limits } from "./timeline";

/**
 * An engine host for tests, with a hand-driven clock, recording what it
 * posts: `send` answers a command, `ack` lets the next update out, and
 * `latest`/`state` are the update and snapshot the app would draw now.
 */
export function hostHarness(checksummer: Checksummer, limits?: Limits) {
  const posted: WorkerMessage[] = [];
  const clock = { now: 0 };
  const host = new EngineHost(
    checksummer,
    (m) => posted.push(m),
    () => clock.now,
    limits,
  );
  host.flush(); // as the worker does once it has started
  let id = 0;
  const send = (cmd: Command): Reply => {
    host.handle({ ...cmd, id: ++id });
    const r = posted.filter((m): m is Reply => m.type === "reply").find((m) => m.id === id);
    if (!r) throw new Error("no reply");
    return r;
  };
  const updates = () => posted.filter((m): m is Update => m.type === "update");
  const ack = () => host.handle({ type: "ack", id: ++id });
  const latest = (): Update => {
    ack();
    return updates().at(-1)!;
  };
  return { host, posted, clock, send, updates, ack, latest, state: () => latest().snapshot };
}
