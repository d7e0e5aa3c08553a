import type { Command, CommandMessage, Reply, WorkerMessage } from "../worker/protocol";
import type { Session } from "../worker/session";
import { applyUpdate, say, startedAfresh, useStore } from "./store";

declare global {
  interface Window {
    /** The engine's worker, for end-to-end tests that kill it to see the app recover. */
    ksmWorker?: () => Worker;
  }
}

/** How often the worker is asked whether it is there, and how long it may take to answer. */
const PING_MS = 1000;
const WATCHDOG_MS = 5000;
/** While the state changes without resting (ksmd playing), keep a copy of it this often. */
const KEEP_EVERY_MS = 10_000;

const STOPPED: Omit<Reply, "id"> = {
  type: "reply",
  errno: "EPIPE",
  message: "the engine stopped before answering",
};

/**
 * Starts the engine worker and wires it to the store: updates flow in,
 * commands flow out. Each update is acknowledged after the browser has had
 * a frame to draw it, so the worker never sends more than one per frame.
 *
 * A watchdog pings the worker every second: a worker that fails, or does not
 * answer within WATCHDOG_MS, is stopped, every pending command is answered
 * EPIPE (none waits for ever), and the store's engineDown offers a restart
 * from the last session the worker reported whole (restart = a new worker
 * and restore-session).
 */
export function startEngine(): () => void {
  let worker: Worker;
  let down = false;
  const pending = new Map<number, { cmd: Command; resolve: (r: Reply) => void }>();
  let nextId = 1;
  /** The last state the worker reported whole, to restart from. */
  let lastGood: Session | null = null;
  let keptAt = performance.now();
  let timelineKept = useStore.getState().timeline;
  /** When the ping not yet answered was sent. */
  let owed: number | null = null;
  let lastBeat = performance.now();

  const post = (cmd: Command): number => {
    const id = nextId++;
    worker.postMessage({ ...cmd, id } as CommandMessage);
    return id;
  };

  const send = (cmd: Command): Promise<Reply> => {
    if (down) return Promise.resolve({ ...STOPPED, id: 0 });
    return new Promise<Reply>((resolve) => {
      pending.set(post(cmd), { cmd, resolve });
    });
  };

  /** What a reply says about the state as a whole, to keep for a restart. */
  const keep = (cmd: Command, r: Reply): void => {
    if (r.errno) return;
    if (r.session) lastGood = r.session;
    else if (cmd.type === "restore-session") lastGood = cmd.session;
    else if (cmd.type === "reset" || cmd.type === "load-scenario")
      lastGood = { base: cmd, actions: [], position: 0 };
    else return;
    keptAt = performance.now();
    timelineKept = useStore.getState().timeline;
  };

  const onMessage = (e: MessageEvent<WorkerMessage>) => {
    owed = null; // any message shows the worker is alive
    const msg = e.data;
    switch (msg.type) {
      case "update":
        applyUpdate(msg);
        requestAnimationFrame(() => !down && post({ type: "ack" }));
        return;
      case "reply": {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (useStore.getState().job?.id === msg.id) useStore.setState({ job: null });
        if (p) {
          keep(p.cmd, msg);
          p.resolve(msg);
        }
        return;
      }
      case "progress":
        useStore.setState({ job: { id: msg.id, what: msg.what, done: msg.done, total: msg.total } });
        return;
      case "pong":
        return;
      case "error":
        say("error", msg.message);
    }
  };

  const spawn = (): void => {
    worker = new Worker(new URL("../worker/engine.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = onMessage;
    worker.onerror = (e) => {
      e.preventDefault();
      stop("it failed");
    };
    worker.onmessageerror = () => stop("it sent a message that could not be read");
    down = false;
    owed = null;
  };

  /** The worker is gone: answer what it owed, and offer a restart. */
  const stop = (why: string): void => {
    if (down) return;
    down = true;
    worker.terminate();
    for (const [id, p] of pending) p.resolve({ ...STOPPED, id });
    pending.clear();
    useStore.setState({ job: null, engineDown: why, playing: false });
  };

  const restart = (from: "last" | "new"): void => {
    if (!down) stop("it was restarted");
    spawn();
    useStore.setState({ engineDown: null });
    const session = from === "last" ? lastGood : null;
    if (!session) {
      startedAfresh();
      return;
    }
    void send({ type: "restore-session", session }).then((r) => {
      if (r.errno) say("error", `could not bring back the last state: ${r.message ?? r.errno}`);
    });
  };

  const heartbeat = setInterval(() => {
    const now = performance.now();
    // The page itself was stalled (or in the background): the worker's answer may be queued behind us.
    const stalled = now - lastBeat > 2 * PING_MS;
    lastBeat = now;
    if (down) return;
    if (owed !== null && !stalled && now - owed > WATCHDOG_MS) {
      stop("it stopped answering");
      return;
    }
    const s = useStore.getState();
    // An idle page sends the worker nothing: it is pinged only while it has work (a command
    // waiting for its answer, ksmd playing, a job); a worker that died meanwhile is found
    // by the next command's ping.
    const busy = pending.size > 0 || s.playing || s.stepping || s.job !== null;
    if ((owed === null || stalled) && busy) {
      owed = now;
      worker.postMessage({ type: "ping", id: 0 } satisfies CommandMessage);
    }
    if (s.timeline !== timelineKept && now - keptAt > KEEP_EVERY_MS && !s.job)
      void send({ type: "export-session" });
  }, PING_MS);

  spawn();
  window.ksmWorker = () => worker;
  useStore.setState({ send, restart });
  return () => {
    clearInterval(heartbeat);
    down = true;
    worker.terminate();
  };
}
