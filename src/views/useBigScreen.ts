import { useSyncExternalStore } from "react";

/**
 * A big screen (a desktop monitor, 1920 × 1080 and the like): the stage's
 * pictures draw larger marks there (page tiles, frame cells, trees: trees.css
 * has the same query), so that they use the room instead of leaving it empty.
 */
const BIG_SCREEN = "(min-width: 1600px) and (min-height: 900px)";

const query = () => (typeof window === "undefined" ? null : window.matchMedia(BIG_SCREEN));

function subscribe(changed: () => void): () => void {
  const q = query();
  q?.addEventListener("change", changed);
  return () => q?.removeEventListener("change", changed);
}

/** Whether the window is a big screen now (false without a window). */
export function useBigScreen(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => query()?.matches ?? false,
    () => false,
  );
}
