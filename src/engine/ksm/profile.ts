/** The two kernels the engine can behave like. */
export type ProfileName = "linux-2.6.32" | "linux-6.18";

export const PROFILES: readonly ProfileName[] = ["linux-2.6.32", "linux-6.18"];

export interface Knobs {
  run: number;
  pagesToScan: number;
  sleepMillisecs: number;
  /** 2.6.32 only: limit on KSM pages (pages_shared); 0 = no limit. */
  maxKernelPages: number;
}

/**
 * Defaults. linux-2.6.32 is the kernel as the patch series leaves it
 * (patch 10: "sysfs and defaults"); the 2.6.32 release itself shipped
 * run 0, pages_to_scan 100, sleep_millisecs 20 and max_kernel_pages a
 * quarter of RAM. linux-6.18 as read on a real 6.18 kernel.
 */
export const DEFAULT_KNOBS: Record<ProfileName, Knobs> = {
  "linux-2.6.32": { run: 1, pagesToScan: 200, sleepMillisecs: 20, maxKernelPages: 2000 },
  "linux-6.18": { run: 0, pagesToScan: 100, sleepMillisecs: 20, maxKernelPages: 0 },
};

export function isProfileName(s: string): s is ProfileName {
  return (PROFILES as readonly string[]).includes(s);
}

/** The scan-time advisor's modes (advisor_mode). */
export type AdvisorMode = "none" | "scan-time";

/** The knobs only linux-6.18 has, as a booted 6.18 sets them (mm/ksm.c). */
export interface Knobs618 {
  /** Skip pages that repeatedly failed to merge (should_skip_rmap_item). */
  smartScan: boolean;
  /** Most mappings one KSM page may have before a duplicate is made (a stable node chain). */
  maxPageSharing: number;
  /** Map zero-filled pages to the zero page instead of a KSM page. */
  useZeroPages: boolean;
  /** Least time between two prunings of one chain's stale dups, on the simulated clock. */
  stableNodeChainsPruneMillisecs: number;
  /** 1 on a one-node machine: nothing to keep apart. */
  mergeAcrossNodes: number;
  advisorMode: AdvisorMode;
  advisorMaxCpu: number;
  advisorMinPagesToScan: number;
  advisorMaxPagesToScan: number;
  advisorTargetScanTime: number;
}

export const DEFAULT_KNOBS_618: Knobs618 = {
  smartScan: true,
  maxPageSharing: 256,
  useZeroPages: false,
  stableNodeChainsPruneMillisecs: 2000,
  mergeAcrossNodes: 1,
  advisorMode: "none",
  advisorMaxCpu: 70,
  advisorMinPagesToScan: 500,
  advisorMaxPagesToScan: 30000,
  advisorTargetScanTime: 200,
};

/** ksm_thread_pages_to_scan when the advisor is off (DEFAULT_PAGES_TO_SCAN). */
export const DEFAULT_PAGES_TO_SCAN = 100;
