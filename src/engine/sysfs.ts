import type { Kernel } from "./kernel";
import { KSM_RUN_STOP, KSM_RUN_UNMERGE, type Ksm } from "./ksm/ksm";
import type { Knobs, ProfileName } from "./ksm/profile";
import { type Errno, PAGE_SIZE } from "./types";

/** The files of /sys/kernel/mm/ksm/, as each profile has them. */
export const SYSFS_DIR = "/sys/kernel/mm/ksm";

const UINT_MAX = 2n ** 32n - 1n;
const ULONG_MAX = 2n ** 64n - 1n;

type KnobName = keyof Knobs;

interface SysfsAttr {
  show(ksm: Ksm): number;
  /** The knob a write sets (after parsing), or undefined for a read-only file. */
  knob?: KnobName;
  /** Largest value the knob's C type holds. */
  max?: bigint;
}

const COUNTERS: Record<string, SysfsAttr> = {
  pages_shared: { show: (k) => k.pagesShared },
  pages_sharing: { show: (k) => k.pagesSharing },
  pages_unshared: { show: (k) => k.pagesUnshared },
  pages_volatile: { show: (k) => k.pagesVolatile },
  full_scans: { show: (k) => k.fullScans },
};

const knob = (name: KnobName, max: bigint): SysfsAttr => ({ show: (k) => k.knobs[name], knob: name, max });

const ATTRS: Record<ProfileName, Record<string, SysfsAttr>> = {
  "linux-2.6.32": {
    full_scans: COUNTERS.full_scans,
    max_kernel_pages: knob("maxKernelPages", ULONG_MAX),
    pages_shared: COUNTERS.pages_shared,
    pages_sharing: COUNTERS.pages_sharing,
    pages_to_scan: knob("pagesToScan", UINT_MAX),
    pages_unshared: COUNTERS.pages_unshared,
    pages_volatile: COUNTERS.pages_volatile,
    run: knob("run", UINT_MAX),
    sleep_millisecs: knob("sleepMillisecs", UINT_MAX),
  },
  "linux-6.18": {
    full_scans: COUNTERS.full_scans,
    pages_scanned: { show: (k) => k.pagesScanned },
    pages_shared: COUNTERS.pages_shared,
    pages_sharing: COUNTERS.pages_sharing,
    pages_to_scan: knob("pagesToScan", UINT_MAX),
    pages_unshared: COUNTERS.pages_unshared,
    pages_volatile: COUNTERS.pages_volatile,
    run: knob("run", UINT_MAX),
    sleep_millisecs: knob("sleepMillisecs", UINT_MAX),
  },
};

/** A profile's file of that name; own entries only, so `constructor` or `__proto__` is no file. */
function attrOf(profile: ProfileName, file: string): SysfsAttr | undefined {
  return Object.hasOwn(ATTRS[profile], file) ? ATTRS[profile][file] : undefined;
}

/** The file names of a profile's /sys/kernel/mm/ksm/, sorted as `ls` would. */
export function sysfsFiles(profile: ProfileName): string[] {
  return Object.keys(ATTRS[profile]).sort();
}

export function sysfsWritable(profile: ProfileName, file: string): boolean {
  return attrOf(profile, file)?.knob !== undefined;
}

/** Reading a file: its value and a newline, or ENOENT. */
export function sysfsRead(k: Kernel, file: string): string | Errno {
  const attr = attrOf(k.ksm.profile, file);
  if (!attr) return "ENOENT";
  return `${(attr.knob && k.ksm.knobText[attr.knob]) ?? attr.show(k.ksm)}\n`;
}

/**
 * The number a store method accepts. 2.6.32's strict_strtoul(): decimal
 * digits, one optional trailing newline, and no overflow check (the value
 * wraps). 6.18's kstrtouint(): also a leading '+', and overflow is an error.
 */
function parseValue(profile: ProfileName, buf: string): bigint | null {
  const m = (profile === "linux-6.18" ? /^\+?([0-9]+)\n?$/ : /^([0-9]+)\n?$/).exec(buf);
  if (!m) return null;
  const v = BigInt(m[1]);
  return profile === "linux-6.18" ? v : v & ULONG_MAX;
}

/**
 * Writing a file, as `echo value > /sys/kernel/mm/ksm/file` does. Read-only
 * and unknown files give EACCES (the shell's "Permission denied"), a bad
 * number EINVAL; either way nothing changes. Writing run=2 unmerges
 * everything and can fail with ENOMEM, leaving run at 0.
 */
export function sysfsWrite(k: Kernel, file: string, buf: string): Errno | 0 {
  const ksm = k.ksm;
  // The store method sees at most a page per write(): 2.6.32's sysfs_write_file()
  // passes PAGE_SIZE - 1 bytes, kernfs PAGE_SIZE. A writer that loops, as echo and
  // Python do, writes the rest in more calls, each parsed on its own; the first
  // refused one ends the write. (So a 50 MB value costs no more than its pages.)
  const max = ksm.profile === "linux-2.6.32" ? PAGE_SIZE - 1 : PAGE_SIZE;
  let err: Errno | 0 = 0;
  for (let at = 0; !err && (at === 0 || at < buf.length); at += max)
    err = store(ksm, file, buf.slice(at, at + max));
  k.emit({ type: "sysfs-write", fn: `${file}_store`, file, value: buf, ...(err ? { errno: err } : {}) });
  return err;
}

function store(ksm: Ksm, file: string, buf: string): Errno | 0 {
  const attr = attrOf(ksm.profile, file);
  if (!attr?.knob) return "EACCES";
  const value = parseValue(ksm.profile, buf);
  if (value === null || value > attr.max!) return "EINVAL";
  const n = Number(value);
  if (attr.knob !== "run") {
    ksm.knobs[attr.knob] = n;
    // An unsigned long reads back exactly, even above 2^53 where a JS number cannot hold it.
    if (n > Number.MAX_SAFE_INTEGER) ksm.knobText[attr.knob] = String(value);
    else delete ksm.knobText[attr.knob];
    return 0;
  }
  if (n > KSM_RUN_UNMERGE) return "EINVAL";
  // KSM_RUN_MERGE sets ksmd running, 0 stops it; KSM_RUN_UNMERGE stops it and unmerges
  // everything, but leaves the mm_slots registered for when ksmd runs again.
  if (ksm.knobs.run !== n) {
    ksm.knobs.run = n;
    if (n === KSM_RUN_UNMERGE) {
      const err = ksm.unmergeAndRemoveAllRmapItems();
      if (err) {
        ksm.knobs.run = KSM_RUN_STOP;
        return err;
      }
    }
  }
  return 0;
}
