import { useStore } from "./store";

declare global {
  interface Window {
    /** The engine's latest snapshot as plain JSON: for devtools, and for end-to-end tests that compare states. */
    ksmSnapshot?: () => string;
  }
}

/** Typed arrays as plain arrays, so two snapshots compare as text. */
function plain(_key: string, v: unknown): unknown {
  return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
}

export function exposeSnapshot(): void {
  window.ksmSnapshot = () => JSON.stringify(useStore.getState().snapshot, plain);
}
