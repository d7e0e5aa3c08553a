import type { Kernel } from "./kernel";
import { drain, type Slices } from "./slices";

/**
 * ksm_scan_thread(), one wake-up: if ksmd should run, scan a batch of
 * pages_to_scan pages, then sleep sleep_millisecs on the engine's simulated
 * clock (which stable node chain pruning and the advisor read). Returns the
 * pages scanned, or -1 if ksmd would sleep until woken (run != 1, or nothing
 * registered). The caller paces the wake-ups in real time.
 */
export function ksmdBatch(k: Kernel): number {
  return drain(ksmdBatchSlices(k));
}

/** ksmdBatch in pieces: it yields every few pages scanned (a batch may be a whole scan). */
export function* ksmdBatchSlices(k: Kernel): Slices<number> {
  const ksm = k.ksm;
  if (!ksm.ksmdShouldRun()) return -1;
  const scanned = yield* ksm.ksmDoScanSlices(ksm.knobs.pagesToScan);
  ksm.clockUs += ksm.knobs.sleepMillisecs * 1000;
  return scanned;
}

/**
 * Let ksmd run until full_scans has grown by n. A batch stops at the end of
 * a full scan, so this always ends between scans. Returns null, or why ksmd
 * cannot get there.
 */
export function waitScans(k: Kernel, n: number): string | null {
  return drain(waitScansSlices(k, n));
}

/** waitScans in pieces: it yields every few pages scanned, so a host can answer meanwhile. */
export function* waitScansSlices(k: Kernel, n: number): Slices<string | null> {
  const ksm = k.ksm;
  const target = ksm.fullScans + n;
  while (ksm.fullScans < target) {
    if (!ksm.ksmdShouldRun()) {
      return ksm.knobs.run !== 1
        ? `ksmd is not running (run is ${ksm.knobs.run})`
        : "ksmd is idle: no mm is registered";
    }
    if (ksm.knobs.pagesToScan === 0) return "ksmd makes no progress: pages_to_scan is 0";
    yield* ksmdBatchSlices(k);
  }
  return null;
}
