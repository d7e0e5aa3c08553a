import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Checksummer,
  ContentIds,
  Kernel,
  loadChecksummer,
  MADV_MERGEABLE,
  type Snapshot,
  sysfsWrite,
  takeSnapshot,
  waitScans,
} from "../../engine";
import { loadEngineForTests, mergedMachine } from "../frames/fixtures";
import { hexAddr } from "../frames/frameModel";
import { ProcessesPanel } from "./ProcessesView";
import { smartIndex, smartText } from "./pageModel";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
  await loadEngineForTests();
});

/** 6.18: A madvises four pages that never merge (all different); ksmd runs `scans` full scans. */
function agedMachine(scans: number, smartScan = "1"): Snapshot {
  const k = new Kernel({ frames: 64, profile: "linux-6.18", checksummer });
  if (sysfsWrite(k, "run", "1") || sysfsWrite(k, "smart_scan", smartScan)) throw new Error("sysfs");
  const t = k.spawn("A");
  const start = k.mmap(t.pid, 4, "r") as number;
  for (let i = 0; i < 4; i++) if (k.fill(t.pid, start + i * 4096, 1, 10 + i)) throw new Error("fill");
  if (k.madvise(t.pid, start, 4 * 4096, MADV_MERGEABLE)) throw new Error("madvise");
  if (waitScans(k, scans)) throw new Error("scans");
  return takeSnapshot(k, new ContentIds());
}

const render = (snapshot: Snapshot) =>
  renderToStaticMarkup(
    <ProcessesPanel
      snapshot={snapshot}
      hover={null}
      selected={null}
      recent={[]}
      motion={false}
      onHover={() => {}}
      onUnhover={() => {}}
      onToggleSelect={() => {}}
    />,
  );

describe("smart scan in the page labels", () => {
  it("says each page's rmap_item age and remaining skips, as the snapshot has them", () => {
    const s = agedMachine(6);
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

  it("says nothing of it with smart_scan off, nor on 2.6.32", () => {
    const off = agedMachine(6, "0");
    expect(smartIndex(off).size).toBe(0);
    expect(render(off)).not.toContain("smart scan");
    expect(render(mergedMachine().snap())).not.toContain("smart scan");
  });
});
