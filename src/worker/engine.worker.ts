/// <reference lib="webworker" />
import { loadChecksummer } from "../engine";
import { EngineHost } from "./host";
import type { CommandMessage, WorkerMessage } from "./protocol";

/*
 * The engine's web worker. It loads xxhash-wasm, then hosts the engine:
 * commands come in as messages, updates go out with their typed arrays
 * transferred. The clock ticks every few milliseconds while playing; a long
 * command runs slice after slice with only a message's turn between them,
 * so pings and cancels are heard.
 */
declare const self: DedicatedWorkerGlobalScope;

const queue: CommandMessage[] = [];
let host: EngineHost | null = null;

self.onmessage = (e: MessageEvent<CommandMessage>) => {
  if (!host) queue.push(e.data);
  else if (e.data.type === "ping") self.postMessage({ type: "pong" } satisfies WorkerMessage);
  else {
    host.handle(e.data);
    if (host.busy) next();
  }
};

// A message to itself runs as soon as the messages already queued are handled
// (setTimeout(0) would wait 4 ms once nested, a quarter of each slice).
const soon = new MessageChannel();
let soonPending = false;
soon.port1.onmessage = () => {
  soonPending = false;
  loop();
};

let timer: ReturnType<typeof setTimeout> | undefined;
/** Schedule the next tick: at once while busy, else after a few ms. */
function next(): void {
  clearTimeout(timer);
  if (!host?.busy) timer = setTimeout(loop, host?.isPlaying ? 4 : 30);
  else if (!soonPending) {
    soonPending = true;
    soon.port2.postMessage(null);
  }
}

function loop(): void {
  try {
    host?.tick();
  } finally {
    // Whatever went wrong (it is thrown on, for the app's watchdog to see), the clock keeps ticking.
    next();
  }
}

loadChecksummer().then(
  (checksummer) => {
    host = new EngineHost(
      checksummer,
      (msg: WorkerMessage, transfer?: Transferable[]) => self.postMessage(msg, transfer ?? []),
      () => performance.now(),
    );
    for (const msg of queue.splice(0)) host.handle(msg);
    host.flush();
    loop();
  },
  () =>
    self.postMessage({
      type: "error",
      message: "the engine could not start: its checksum module (xxhash-wasm) did not load",
    } satisfies WorkerMessage),
);
