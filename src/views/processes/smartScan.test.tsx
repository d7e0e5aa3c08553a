import { beforeAll, describe, expect, it } from "vitest";
import { MADV_MERGEABLE, type Snapshot, waitScans } from "../../engine";
import { loadEngineForTests, mergedMachine } from "../frames/fixtures";
import { hexAddr } from "../frames/frameModel";
import { smartIndex, smartText } from "./pageModel";
import { kernel618, mapProcess, renderPanel as render, snap } from "./testing";

beforeAll(loadEngineForTests);

/** 6.18: A madvises four pages that never merge (all different); ksmd runs `scans` full scans. */
async function agedMachine(scans: number, smartScan = "1"): Promise<Snapshot> {
  const k = await kernel618([
    ["run", "1"],
    ["smart_scan", smartScan],
  ]);
  const a = mapProcess(k, "A", [10, 11, 12, 13]);
  if (k.madvise(a.pid, a.start, 4 * 4096, MADV_MERGEABLE) || waitScans(k, scans)) throw new Error("scan");
  return snap(k);
}

describe("smart scan in the page labels", () => {
  it("says each page's rmap_item age and remaining skips, as the snapshot has them", async () => {
    const s = await agedMachine(6);
    const items = s.slots.flatMap((slot) => slot.items);
    expect(items).toHaveLength(4);
    // Pages that keep failing to merge grow old and get skipped.
    expect(items.some((it) => (it.age ?? 0) >= 3 && (it.remainingSkips ?? 0) > 0)).toBe(true);
    const index = smartIndex(s).get(items[0].pid)!;
    const html = render(s).replaceAll("&#x27;", "'");
    for (const it of items) {
      expect(index.get(it.addr)).toEqual({ age: it.age, skips: it.remainingSkips });
      const label = new RegExp(`aria-label="A page \\d+ of r at ${hexAddr(it.addr)}:[^"]*"`).exec(html)?.[0];
      expect(label).toContain(smartText({ age: it.age!, skips: it.remainingSkips! }));
    }
  });

  it("words the skips", () => {
    expect(smartText({ age: 2, skips: 0 })).toBe(
      "smart scan: rmap_item age 2, not skipped at ksmd's next visit",
    );
    expect(smartText({ age: 3, skips: 1 })).toBe("smart scan: rmap_item age 3, skipped at ksmd's next visit");
    expect(smartText({ age: 9, skips: 8 })).toBe(
      "smart scan: rmap_item age 9, skipped at ksmd's next 8 visits",
    );
  });

  it("says nothing of it with smart_scan off, nor on 2.6.32", async () => {
    const off = await agedMachine(6, "0");
    expect(smartIndex(off).size).toBe(0);
    expect(render(off)).not.toContain("smart scan");
    expect(render(mergedMachine().snap())).not.toContain("smart scan");
  });
});
