/// <reference lib="webworker" />
import { loadChecksummer } from "../engine";
import { EngineHost } from "./host";
import type { CommandMessage, WorkerMessage } from "./protocol";

/*
 * The engine's web worker. It loads xxhash-wasm, then hosts the engine:
 * commands come in as messages, updates go out with their typed arrays
 * transferred. The clock ticks every few milliseconds while playing.
 */
declare const self: DedicatedWorkerGlobalScope;

const queue: CommandMessage[] = [];
let host: EngineHost | null = null;

self.onmessage = (e: MessageEvent<CommandMessage>) => {
  if (host) host.handle(e.data);
  else queue.push(e.data);
};

function loop(): void {
  host?.tick();
  setTimeout(loop, host?.isPlaying ? 4 : 30);
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
  (err) =>
    self.postMessage({
      type: "error",
      message: `could not load xxhash-wasm: ${String(err)}`,
    } satisfies WorkerMessage),
);
