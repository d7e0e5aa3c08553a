import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import { Kernel } from "./kernel";
import { FRAME_FREE, FRAME_KSM } from "./memory";
import { parseScenario, ScenarioRun } from "./scenario";
import { ContentIds, MAX_NODE_ITEMS, takeSnapshot } from "./snapshot";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

function runUntil(profile: "linux-2.6.32" | "linux-6.18", label: string): Kernel {
  const file = join(import.meta.dirname, "testdata/reference/last-sharer.json");
  const scenario = parseScenario(JSON.parse(readFileSync(file, "utf8")));
  const k = new Kernel({ frames: 256, profile, checksummer });
  let seen = false;
  const run = new ScenarioRun(k, scenario, (line) => {
    if ("label" in line && line.label === label) seen = true;
  });
  while (!seen) run.step();
  return k;
}

describe.each(["linux-2.6.32", "linux-6.18"] as const)("snapshot on %s", (profile) => {
  it("shows one KSM page shared by three sites after merging", () => {
    const k = runUntil(profile, "merged");
    const snap = takeSnapshot(k, new ContentIds());
    expect(snap.counters).toMatchObject({ pages_shared: 1, pages_sharing: 2, full_scans: 2 });
    expect(snap.stableTree.nodes).toHaveLength(1);
    const node = snap.stableTree.nodes[0];
    expect(snap.stableTree.root).toBe(node.id);
    expect(node.red).toBe(false);
    expect(node.stale).toBe(false);
    expect(node.items).toHaveLength(3);
    expect(snap.frames.state[node.pfn]).toBe(FRAME_KSM);
    expect(snap.frames.mapcount[node.pfn]).toBe(3);
    // Every process maps the KSM frame read-only.
    const ptes = snap.processes.flatMap((p) => p.vmas.flatMap((v) => [...v.pte]));
    expect(
      ptes.filter((pte) => pte !== 0).every((pte) => (pte >>> 1) - 1 === node.pfn && (pte & 1) === 0),
    ).toBe(true);
    expect(snap.processes.map((p) => p.name)).toEqual(["A", "B"]);
    expect(snap.slots.flatMap((s) => s.items.map((i) => i.where)).filter((w) => w !== "none")).toHaveLength(
      3,
    );
  });

  it("gives equal contents equal ids and tracks writes", () => {
    const k = runUntil(profile, "after-1-scan");
    const ids = new ContentIds();
    const snap = takeSnapshot(k, ids);
    const a0 = k.pageAt(1, snap.processes[0].vmas[0].start);
    const a1 = k.pageAt(1, snap.processes[0].vmas[0].start + 4096);
    expect(a0).not.toBe(a1);
    expect(snap.frames.contentId[a0]).not.toBe(snap.frames.contentId[a1]);
    k.writeByte(1, snap.processes[0].vmas[0].start, 2);
    const again = takeSnapshot(k, ids);
    expect(again.frames.contentId[a0]).toBe(again.frames.contentId[a1]);
  });
});

describe("snapshot index's top frame", () => {
  it("is the highest frame not free, and follows memory as it is used and freed", () => {
    const k = new Kernel({ frames: 256, checksummer });
    const top = () => takeSnapshot(k, new ContentIds()).index.topFrame;
    const highest = () => {
      const s = takeSnapshot(k, new ContentIds());
      return s.frames.state.findLastIndex((st) => st !== FRAME_FREE);
    };
    expect(top()).toBe(0); // the zero page
    const t = k.spawn("A");
    const start = k.mmap(t.pid, 40, "r") as number;
    expect(k.fill(t.pid, start, 40, 7)).toBe(0);
    expect(top()).toBeGreaterThan(30);
    expect(top()).toBe(highest());
    k.exit(t.pid);
    expect(top()).toBe(0);
  });
});

describe("snapshot limits", () => {
  it("cuts deep trees and long item lists, counting what it left out", async () => {
    const k = new Kernel({ frames: 4096, profile: "linux-2.6.32", checksummer });
    const pid = k.spawn("A").pid;
    const start = k.mmap(pid, 3000) as number;
    for (let i = 0; i < 3000; i++) k.fill(pid, start + i * 4096, 1, i % 2 ? 0x10000 + i : 1);
    k.madvise(pid, start, 3000 * 4096, 12);
    k.ksm.knobs.maxKernelPages = 0;
    const { waitScans } = await import("./ksmd");
    expect(waitScans(k, 2)).toBeNull();
    const full = takeSnapshot(k, new ContentIds(), { treeDepth: 64, items: 1e6 });
    const cut = takeSnapshot(k, new ContentIds(), { treeDepth: 4, items: 100 });
    expect(full.unstableTree.nodes).toHaveLength(1500);
    expect(cut.unstableTree.nodes.length).toBeLessThanOrEqual(15);
    const shown = cut.unstableTree.nodes.length + cut.unstableTree.nodes.reduce((n, v) => n + v.hidden, 0);
    expect(shown).toBe(1500);
    expect(cut.itemsOmitted).toBe(true);
    expect(cut.slots[0].items).toHaveLength(0);
    expect(cut.slots[0].itemCount).toBe(3000);
    const node = full.stableTree.nodes[0];
    expect(node.itemCount).toBe(1500);
    expect(node.items).toHaveLength(MAX_NODE_ITEMS);
  });
});

describe("snapshot of what only 6.18 has", () => {
  it("carries ages and remaining skips, ksm_stat, KSM zero-page mappings, all 24 files and the 6.18 knobs", () => {
    const k = new Kernel({ frames: 64, profile: "linux-6.18", checksummer });
    const scenario = parseScenario({
      name: "s",
      steps: [
        { op: "sysfs", file: "use_zero_pages", value: "1" },
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: 3 },
        { op: "fill", proc: "A", region: "r", from: 0, pages: 1, value: 0 },
        { op: "fill", proc: "A", region: "r", from: 1, pages: 1, value: 5 },
        { op: "fill", proc: "A", region: "r", from: 2, pages: 1, value: 6 },
        { op: "madvise", proc: "A", region: "r", pages: 3, advice: "mergeable" },
        { op: "sysfs", file: "run", value: "1" },
        { op: "wait_scans", n: 5 },
      ],
    });
    new ScenarioRun(k, scenario, () => {}).runAll();
    const snap = takeSnapshot(k, new ContentIds());
    const a = snap.processes[0];
    expect(a.ksmZeroPages).toEqual([a.vmas[0].start]);
    expect(a.ksmStat).toMatchObject({
      ksm_zero_pages: 1,
      ksm_rmap_items: 2,
      ksm_merge_any: 0,
      ksm_mergeable: 1,
    });
    // The two unique pages: visited at ages 0-3, skipped at the fifth scan.
    expect(snap.slots[0].items.map((i) => [i.age, i.remainingSkips, i.where])).toEqual([
      [5, 0, "none"],
      [5, 0, "none"],
    ]);
    expect(snap.counters).toMatchObject({
      pages_skipped: 2,
      ksm_zero_pages: 1,
      general_profit: 4096 - 2 * 64,
    });
    expect(snap.knobs618).toMatchObject({ useZeroPages: true, smartScan: true, maxPageSharing: 256 });
    expect(snap.sysfs).toHaveLength(24);
    expect(snap.sysfs.find((f) => f.file === "advisor_mode")).toEqual({
      file: "advisor_mode",
      text: "[none] scan-time\n",
      writable: true,
    });
  });
});
