import type { Knobs618 } from "./profile";

/*
 * 6.18's scan-time advisor (advisor_mode = scan-time): at the end of each
 * full scan it retunes pages_to_scan so that a full scan takes about
 * advisor_target_scan_time seconds, within its CPU and page bounds. It
 * measures time, so the simulation runs it on its own clock: every page
 * ksmd visits costs PAGE_VISIT_US of ksmd's CPU time and of the clock, and
 * every batch is followed by sleep_millisecs of sleep.
 */

/**
 * What one page visit costs ksmd, in microseconds: a round figure for a
 * native ksmd on an idle modern CPU, where a visit is a 4 KiB checksum or
 * a short tree walk. (On the shared, loaded machines of this project
 * shared/tools/ksmd-rate.c measured only about 30,000 pages/s, ~33 µs a page:
 * real figures vary with load, which is why the advisor exists.)
 */
export const PAGE_VISIT_US = 1;

/** KSM_ADVISOR_MIN_CPU: the advisor never plans for less than 10% of a CPU. */
const KSM_ADVISOR_MIN_CPU = 10;
/** EWMA_WEIGHT: the weight of the newest scan-time change, in percent. */
const EWMA_WEIGHT = 30;

/** struct advisor_ctx */
export interface AdvisorCtx {
  /** Clock at the start of the current full scan (µs). */
  startScanUs: number;
  /** The previous full scan's length in seconds (0: none yet). */
  scanTime: number;
  /** Smoothed change of the scan time, in percent. */
  change: number;
  /** ksmd's CPU time at the previous scan's end (µs). */
  cpuTimeUs: number;
}

export function newAdvisorCtx(): AdvisorCtx {
  return { startScanUs: 0, scanTime: 0, change: 0, cpuTimeUs: 0 };
}

/** ewma(): exponentially weighted moving average. */
function ewma(prev: number, curr: number): number {
  return Math.floor(((100 - EWMA_WEIGHT) * prev + EWMA_WEIGHT * curr) / 100);
}

/**
 * scan_time_advisor(): the new pages_to_scan, from the scan that just ended
 * (nowUs on the clock, cpuUs of ksmd's CPU time in all), in the kernel's
 * integer arithmetic. Updates ctx.
 */
export function scanTimeAdvisor(
  ctx: AdvisorCtx,
  knobs: Knobs618,
  pagesToScan: number,
  nowUs: number,
  cpuUs: number,
): number {
  const div = (a: number, b: number) => Math.floor(a / b);
  let scanTime = div(div(nowUs - ctx.startScanUs, 1000), 1000); // seconds
  scanTime = scanTime || 1;

  const cpuTimeDiffMs = div(cpuUs - ctx.cpuTimeUs, 1000);
  const cpuPercent = div(cpuTimeDiffMs * 100, scanTime * 1000) || 1;
  const lastScanTime = ctx.scanTime || scanTime;

  // Scan time as a percentage of the target, and of the last scan time (smoothed).
  const factor = div(knobs.advisorTargetScanTime * 100, scanTime) || 1;
  const change = ewma(ctx.change, div(scanTime * 100, lastScanTime) || 1);

  let pages = div(pagesToScan * 100, factor);
  pages = div(pages * change, 100);

  // Cap by the CPU bounds, then by the page bound.
  const perPageCost = div(pagesToScan, cpuPercent) || 1;
  pages = Math.min(pages, perPageCost * knobs.advisorMaxCpu);
  pages = Math.max(pages, perPageCost * KSM_ADVISOR_MIN_CPU);
  pages = Math.min(pages, knobs.advisorMaxPagesToScan);

  ctx.change = change;
  ctx.scanTime = scanTime;
  ctx.cpuTimeUs = cpuUs;
  return pages % 2 ** 32; // ksm_thread_pages_to_scan is an unsigned int
}
