import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import { parseScenario, runOnEveryProfile, type Scenario } from "./scenario";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const scenario: Scenario = parseScenario({
  name: "v2",
  steps: [
    { op: "sysfs", file: "max_page_sharing", value: "1" },
    { op: "spawn", proc: "A" },
    { op: "mmap", proc: "A", region: "r", pages: 2 },
    { op: "fill", proc: "A", region: "r", from: 0, pages: 2, value: 9 },
    { op: "prctl", proc: "A", option: "PR_SET_MEMORY_MERGE", value: 1 },
    { op: "fork", proc: "A", child: "B" },
    { op: "exit", proc: "B" },
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 2 },
    { op: "snapshot", label: "merged" },
  ],
});

describe("scenario format version 2", () => {
  it("6.18 lines carry its further counters and each live process's ksm_stat, in the format's key order", () => {
    const out = runOnEveryProfile(scenario, checksummer);
    expect(out["linux-6.18"]).toEqual([
      { scenario: "v2", step: 0, op: "sysfs", errno: "EINVAL" }, // max_page_sharing below 2
      {
        scenario: "v2",
        label: "merged",
        pages_shared: 1,
        pages_sharing: 1,
        pages_unshared: 0,
        pages_volatile: 0,
        full_scans: 2,
        pages_scanned: 4,
        pages_skipped: 0,
        ksm_zero_pages: 0,
        stable_node_chains: 0,
        stable_node_dups: 0,
        general_profit: 4096 - 2 * 64,
        procs: {
          A: {
            ksm_rmap_items: 2,
            ksm_zero_pages: 0,
            ksm_merging_pages: 2,
            ksm_process_profit: 2 * 4096 - 2 * 64,
            ksm_merge_any: 1,
            ksm_mergeable: 1,
          },
        },
      },
    ]);
    const line = out["linux-6.18"][1];
    expect(Object.keys(line)).toEqual([
      "scenario",
      "label",
      "pages_shared",
      "pages_sharing",
      "pages_unshared",
      "pages_volatile",
      "full_scans",
      "pages_scanned",
      "pages_skipped",
      "ksm_zero_pages",
      "stable_node_chains",
      "stable_node_dups",
      "general_profit",
      "procs",
    ]);
  });

  it("2.6.32 prints the five counters only, and prctl fails there with EINVAL", () => {
    const out = runOnEveryProfile(scenario, checksummer);
    expect(out["linux-2.6.32"]).toEqual([
      { scenario: "v2", step: 4, op: "prctl", errno: "EINVAL" },
      { scenario: "v2", step: 8, op: "wait_scans", errno: "EAGAIN" }, // nothing registered: ksmd idles
      {
        scenario: "v2",
        label: "merged",
        pages_shared: 0,
        pages_sharing: 0,
        pages_unshared: 0,
        pages_volatile: 0,
        full_scans: 0,
      },
    ]);
  });

  it("the prctl op takes option PR_SET_MEMORY_MERGE and a non-negative integer", () => {
    const step = (extra: object) => ({
      name: "p",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "prctl", proc: "A", ...extra },
      ],
    });
    expect(() => parseScenario(step({ option: "PR_SET_MEMORY_MERGE", value: 0 }))).not.toThrow();
    expect(() => parseScenario(step({ option: "PR_GET_MEMORY_MERGE", value: 0 }))).toThrow(/option/);
    expect(() => parseScenario(step({ option: "PR_SET_MEMORY_MERGE", value: -1 }))).toThrow(/value/);
    expect(() => parseScenario(step({ option: "PR_SET_MEMORY_MERGE" }))).toThrow(/value/);
  });
});
