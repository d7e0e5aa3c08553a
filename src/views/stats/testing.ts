import { ContentIds, type Snapshot, takeSnapshot } from "../../engine";
import { loadEngineForTests, testKernel } from "../frames/fixtures";

// The kernel hashes pages with xxhash-wasm, which loads asynchronously: ready before any test imports fakeSnapshot.
await loadEngineForTests();

type Counters = Snapshot["counters"];

/**
 * A snapshot of a machine with no processes whose KSM holds these counters and
 * knobs, for tests of the stats view: the engine's own snapshot of a real
 * kernel, so its sysfs text is the engine's rendering of those numbers.
 * pages_volatile and general_profit are worked out as the kernel does (from
 * rmap_items, which defaults to the sum of the four page counts).
 */
export function fakeSnapshot(
  profile: Snapshot["profile"],
  counters: Partial<Counters> = {},
  knobs: Partial<Snapshot["knobs"]> = {},
): Snapshot {
  const k = testKernel(profile, 2);
  const ksm = k.ksm as typeof k.ksm & { stableNodeChains?: number; stableNodeDups?: number };
  const c = { pages_shared: 0, pages_sharing: 0, pages_unshared: 0, pages_volatile: 0, ...counters };
  ksm.pagesShared = c.pages_shared;
  ksm.pagesSharing = c.pages_sharing;
  ksm.pagesUnshared = c.pages_unshared;
  ksm.rmapItems = c.rmap_items ?? c.pages_shared + c.pages_sharing + c.pages_unshared + c.pages_volatile;
  ksm.pagesScanned = c.pages_scanned ?? 0;
  ksm.pagesSkipped = c.pages_skipped ?? 0;
  ksm.ksmZeroPages = c.ksm_zero_pages ?? 0;
  ksm.ksmScan.seqnr = c.full_scans ?? 0;
  if (profile === "linux-6.18") {
    ksm.stableNodeChains = c.stable_node_chains ?? 0;
    ksm.stableNodeDups = c.stable_node_dups ?? 0;
  }
  Object.assign(ksm.knobs, { run: 1, pagesToScan: 200, sleepMillisecs: 20, maxKernelPages: 2000, ...knobs });
  const s = takeSnapshot(k, new ContentIds());
  // Numbers the kernel's arithmetic cannot give would test nothing real.
  const derived =
    profile === "linux-6.18"
      ? (["pages_volatile", "general_profit"] as const)
      : (["pages_volatile"] as const);
  for (const name of derived)
    if (counters[name] !== undefined && counters[name] !== s.counters[name])
      throw new Error(`fakeSnapshot: ${name} would be ${s.counters[name]}, not ${counters[name]}`);
  return s;
}
