import type { Command, CommandMessage, Reply, WorkerMessage } from "../worker/protocol";
import { applyUpdate, say, useStore } from "./store";

/**
 * Starts the engine worker and wires it to the store: updates flow in,
 * commands flow out. Each update is acknowledged after the browser has had
 * a frame to draw it, so the worker never sends more than one per frame.
 */
export function startEngine(): () => void {
  const worker = new Worker(new URL("../worker/engine.worker.ts", import.meta.url), { type: "module" });
  const pending = new Map<number, (r: Reply) => void>();
  let nextId = 1;

  const post = (cmd: Command): number => {
    const id = nextId++;
    worker.postMessage({ ...cmd, id } as CommandMessage);
    return id;
  };

  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const msg = e.data;
    if (msg.type === "update") {
      applyUpdate(msg);
      requestAnimationFrame(() => post({ type: "ack" }));
    } else if (msg.type === "reply") {
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    } else {
      say("error", msg.message);
    }
  };
  worker.onerror = (e) => say("error", `engine worker: ${e.message}`);

  useStore.setState({
    send: (cmd) =>
      new Promise<Reply>((resolve) => {
        pending.set(post(cmd), resolve);
      }),
  });
  return () => worker.terminate();
}
