import {
  PAGE_SIZE,
  type ProfileName,
  RMAP_ITEM_BYTES,
  type Snapshot,
  sysfsFiles,
  sysfsWritable,
} from "../../engine";

/*
 * Pure helpers for the /sys/kernel/mm/ksm panel: the files and their values
 * as `cat` prints them, memory saved, and the two ratios that
 * Documentation/vm/ksm.txt interprets.
 */

export interface SysfsEntry {
  /** File name in /sys/kernel/mm/ksm. */
  name: string;
  /** The number `cat` prints (without the newline). */
  value: string;
  /** A knob root may write (mode 0644), or a read-only counter (0444). */
  writable: boolean;
}

/** The profile's files, sorted as `ls` sorts them, with the values the engine's sysfs shows. */
export function sysfsEntries(s: Snapshot): SysfsEntry[] {
  return s.sysfs.map((f) => ({ name: f.file, value: f.text.trimEnd(), writable: f.writable }));
}

/** The file list of a profile when there is no snapshot yet (values unknown). */
export function emptyEntries(profile: ProfileName): SysfsEntry[] {
  return sysfsFiles(profile).map((name) => ({ name, value: "", writable: sysfsWritable(profile, name) }));
}

/** `ls -l`'s mode string: sysfs gives KSM's knobs 0644 and its counters 0444. */
export function modeString(writable: boolean): string {
  return writable ? "-rw-r--r--" : "-r--r--r--";
}

/** Names whose values differ between two listings (a file new in `next` counts as unchanged). */
export function changedNames(prev: readonly SysfsEntry[], next: readonly SysfsEntry[]): string[] {
  const before = new Map(prev.map((e) => [e.name, e.value]));
  return next.filter((e) => before.has(e.name) && before.get(e.name) !== e.value).map((e) => e.name);
}

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"];

/** Bytes in binary units: "0 bytes", "4 KiB", "1.5 MiB", "12 MiB" (three significant digits at most). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} ${v === 1 ? "byte" : "bytes"}`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${trimZeros(v.toFixed(digits))} ${UNITS[u]}`;
}

/** Memory saved: each page counted in pages_sharing is a page frame not needed. */
export function memorySaved(pagesSharing: number): { bytes: number; text: string } {
  const bytes = pagesSharing * PAGE_SIZE;
  return { bytes, text: formatBytes(bytes) };
}

/**
 * A signed amount of bytes with a true minus sign: exact below 10 KiB, as the
 * kernel prints it and the lessons count it ("+4224 bytes", "−384 bytes"),
 * in binary units above ("+19.4 KiB").
 */
export function formatSignedBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "—";
  const sign = bytes < 0 ? "\u2212" : bytes > 0 ? "+" : "";
  const abs = Math.abs(bytes);
  return `${sign}${abs < 10 * 1024 ? `${abs} ${abs === 1 ? "byte" : "bytes"}` : formatBytes(abs)}`;
}

/** 6.18's general_profit as the engine counted it, and the kernel's formula with this snapshot's numbers. */
export interface ProfitLine {
  bytes: number;
  text: string;
  /** KSM costs more (in rmap_items) than it saves. */
  negative: boolean;
  formula: string;
}

/** general_profit_show(): null on 2.6.32, which has no such file. */
export function profitLine(s: Snapshot): ProfitLine | null {
  const c = s.counters;
  if (s.profile !== "linux-6.18" || c.general_profit === undefined) return null;
  const bytes = c.general_profit;
  return {
    bytes,
    text: formatSignedBytes(bytes),
    negative: bytes < 0,
    formula:
      `(pages_sharing ${c.pages_sharing} + ksm_zero_pages ${c.ksm_zero_pages ?? 0}) × ${PAGE_SIZE}` +
      ` − rmap_items ${c.rmap_items} × ${RMAP_ITEM_BYTES}`,
  };
}

/** num / den with at most two decimals, or "—" when den is 0. */
export function formatRatio(num: number, den: number): string {
  if (den === 0 || !Number.isFinite(num) || !Number.isFinite(den)) return "—";
  return trimZeros((num / den).toFixed(2));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

export interface RatioLine {
  id: "sharing-per-shared" | "unshared-per-sharing";
  label: string;
  value: string;
  /** How Documentation/vm/ksm.txt reads it. */
  meaning: string;
}

/** The two ratios of Documentation/vm/ksm.txt, with its interpretation in words. */
export function ratioLines(c: Snapshot["counters"]): RatioLine[] {
  return [
    {
      id: "sharing-per-shared",
      label: "pages_sharing / pages_shared",
      value: formatRatio(c.pages_sharing, c.pages_shared),
      meaning: "high is good sharing: each KSM page stands in for this many more pages",
    },
    {
      id: "unshared-per-sharing",
      label: "pages_unshared / pages_sharing",
      value: formatRatio(c.pages_unshared, c.pages_sharing),
      meaning: "high means wasted effort: ksmd keeps checking unique pages that never merge",
    },
  ];
}

export const LAG_NOTE =
  "Counters change only when ksmd visits a page: a COW write shows up on the next pass.";
