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
