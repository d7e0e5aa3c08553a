import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { hostHarness, playFlatOut } from "../worker/testing";
import { applyUpdate, useStore } from "./store";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

describe("applyUpdate", () => {
  it("keeps the last trees sent while flat-out updates leave them out, and takes everything else new", () => {
    const harness = hostHarness(checksummer, { tickMs: 1 });
    const { host, updates, ack } = harness;
    playFlatOut(harness);
    let applied = 0;
    let kept = 0;
    for (let i = 0; i < 150; i++) {
      host.tick();
      ack();
      for (const u of updates().slice(applied)) {
        const lastTrees = updates()
          .slice(0, applied + 1)
          .filter((x) => !x.treesKept)
          .at(-1)!.snapshot.stableTree;
        applyUpdate(u);
        applied++;
        const shown = useStore.getState().snapshot!;
        expect(shown.counters).toEqual(u.snapshot.counters);
        expect(shown.stableTree).toBe(lastTrees);
        if (u.treesKept) kept++;
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(useStore.getState().snapshot!.stableTree.nodes.length).toBeGreaterThan(0);
  });
});
