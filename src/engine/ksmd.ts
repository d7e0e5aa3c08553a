import type { Kernel } from "./kernel";

/**
 * ksm_scan_thread(), one wake-up: if ksmd should run, scan a batch of
 * pages_to_scan pages. Returns the pages scanned, or -1 if ksmd would sleep
 * until woken (run != 1, or nothing registered). The caller owns the clock
 * and sleeps sleep_millisecs between batches.
 */
export function ksmdBatch(k: Kernel): number {
  if (!k.ksm.ksmdShouldRun()) return -1;
  return k.ksm.ksmDoScan(k.ksm.knobs.pagesToScan);
}

/**
 * Let ksmd run until full_scans has grown by n. A batch stops at the end of
 * a full scan, so this always ends between scans. Returns null, or why ksmd
 * cannot get there.
 */
export function waitScans(k: Kernel, n: number): string | null {
  const ksm = k.ksm;
  const target = ksm.fullScans + n;
  while (ksm.fullScans < target) {
    if (!ksm.ksmdShouldRun()) {
      return ksm.knobs.run !== 1
        ? `ksmd is not running (run is ${ksm.knobs.run})`
        : "ksmd is idle: no mm is registered";
    }
    if (ksm.knobs.pagesToScan === 0) return "ksmd makes no progress: pages_to_scan is 0";
    ksmdBatch(k);
  }
  return null;
}
