import type { SysfsRefusal, SysfsWhy } from "./events";
import type { Kernel } from "./kernel";
import { KSM_RUN_STOP, KSM_RUN_UNMERGE, type Ksm } from "./ksm/ksm";
import type { Ksm618 } from "./ksm/ksm-618";
import type { Knobs, Knobs618, ProfileName } from "./ksm/profile";
import { kstrtobool, kstrtoint, kstrtouint, kstrtoul, strictStrtoul, sysfsStreq } from "./sysfs-parse";
import { type Errno, PAGE_SIZE } from "./types";

/** The files of /sys/kernel/mm/ksm/, as each profile has them. */
export const SYSFS_DIR = "/sys/kernel/mm/ksm";

const UINT_MAX = 2n ** 32n - 1n;

interface SysfsAttr {
  /** The file's text as `cat` prints it, without the newline. */
  show(k: Kernel): string;
  /** A write (the `_store` function), or undefined for a read-only file. */
  store?(k: Kernel, buf: string): SysfsRefusal | 0;
  /** How the store reads its text, where it is no number: kstrtobool() or sysfs_streq() against words. */
  input?: "bool" | "word";
}

const refuse = (why: SysfsWhy, errno: Errno = "EINVAL"): SysfsRefusal => ({ errno, why });

const ksm618 = (k: Kernel) => k.ksm as Ksm618;
const ro = (value: (ksm: Ksm) => number): SysfsAttr => ({ show: (k) => String(value(k.ksm)) });
const ro618 = (value: (ksm: Ksm618) => number): SysfsAttr => ({ show: (k) => String(value(ksm618(k))) });

/** A number a knob holds; above 2^53 its exact text is kept too, so it reads back as written. */
function setNumber(ksm: Ksm, file: string, value: bigint, set: (n: number) => void): void {
  const n = Number(value);
  set(n);
  if (n > Number.MAX_SAFE_INTEGER) ksm.knobText[file] = String(value);
  else delete ksm.knobText[file];
}

const numberShow =
  (file: string, value: (k: Kernel) => number) =>
  (k: Kernel): string =>
    k.ksm.knobText[file] ?? String(value(k));

/**
 * A knob of 2.6.32: strict_strtoul() takes decimal digits and one trailing
 * newline and does not check for overflow (the value wraps); then the store
 * refuses values its C type cannot hold.
 */
function knob2632(file: string, name: keyof Knobs, max: bigint): SysfsAttr {
  return {
    show: numberShow(file, (k) => k.ksm.knobs[name]),
    store(k, buf) {
      const v = strictStrtoul(buf);
      if (v === null || v > max) return refuse("parse");
      setNumber(k.ksm, file, v, (n) => {
        k.ksm.knobs[name] = n;
      });
      return 0;
    },
  };
}

/** An unsigned int knob of 6.18: kstrtouint(), any error is EINVAL. */
function uint618(get: (k: Kernel) => number, set: (k: Kernel, n: number) => void): SysfsAttr {
  return {
    show: (k) => String(get(k)),
    store(k, buf) {
      const v = kstrtouint(buf);
      if (typeof v === "string") return refuse("parse");
      set(k, Number(v));
      return 0;
    },
  };
}

/** An unsigned long knob of the 6.18 advisor: kstrtoul(), any error is EINVAL; stored into `bits`. */
function ulong618(name: keyof Knobs618, file: string, min = 0n, bits = 64n): SysfsAttr {
  return {
    show: numberShow(file, (k) => ksm618(k).knobs618[name] as number),
    store(k, buf) {
      const v = kstrtoul(buf);
      if (typeof v === "string") return refuse("parse");
      if (v < min) return refuse("min");
      setNumber(k.ksm, file, BigInt.asUintN(Number(bits), v), (n) => {
        (ksm618(k).knobs618[name] as number) = n;
      });
      return 0;
    },
  };
}

/** A boolean knob of 6.18: kstrtobool(). */
function bool618(name: "smartScan" | "useZeroPages"): SysfsAttr {
  return {
    input: "bool",
    show: (k) => (ksm618(k).knobs618[name] ? "1" : "0"),
    store(k, buf) {
      const v = kstrtobool(buf);
      if (v === null) return refuse("parse");
      ksm618(k).knobs618[name] = v;
      return 0;
    },
  };
}

/**
 * run_store(): 0 stops ksmd (merged pages stay merged), 1 runs it, 2 stops
 * it and unmerges everything but leaves the mm_slots registered. The writer
 * of 2 is the OOM killer's first choice meanwhile: if it is killed (it is
 * the shell, no simulated process) the unmerge stops with its pending
 * signal — ERESTARTSYS, which a task that is not restarted sees as EINTR.
 * A failed unmerge leaves run at 0.
 */
function runStore(k: Kernel, n: number): SysfsRefusal | 0 {
  const ksm = k.ksm;
  if (n > KSM_RUN_UNMERGE) return refuse("range");
  if (ksm.knobs.run === n) return 0;
  ksm.knobs.run = n;
  if (n !== KSM_RUN_UNMERGE) return 0;
  k.oomOrigin = true;
  k.oomOriginKilled = false;
  let err: Errno | 0 = ksm.unmergeAndRemoveAllRmapItems();
  if (err && k.oomOriginKilled) err = "EINTR";
  k.oomOrigin = false;
  if (!err) return 0;
  ksm.knobs.run = KSM_RUN_STOP;
  return refuse("unmerge", err);
}

const COUNTERS: Record<string, SysfsAttr> = {
  full_scans: ro((k) => k.fullScans),
  pages_shared: ro((k) => k.pagesShared),
  pages_sharing: ro((k) => k.pagesSharing),
  pages_unshared: ro((k) => k.pagesUnshared),
  pages_volatile: ro((k) => k.pagesVolatile),
};

/**
 * max_page_sharing and merge_across_nodes may change only while no KSM page
 * is in the stable tree: else EBUSY (remove_all_stable_nodes() first drops
 * the nodes nobody maps any more).
 */
function stableTreeEmptied(ksm: Ksm618): boolean {
  return ksm.pagesShared === 0 && ksm.removeAllStableNodes() === 0;
}

const ATTRS: Record<ProfileName, Record<string, SysfsAttr>> = {
  "linux-2.6.32": {
    ...COUNTERS,
    max_kernel_pages: knob2632("max_kernel_pages", "maxKernelPages", 2n ** 64n - 1n),
    pages_to_scan: knob2632("pages_to_scan", "pagesToScan", UINT_MAX),
    run: {
      show: (k) => String(k.ksm.knobs.run),
      store(k, buf) {
        const v = strictStrtoul(buf);
        return v === null || v > UINT_MAX ? refuse("parse") : runStore(k, Number(v));
      },
    },
    sleep_millisecs: knob2632("sleep_millisecs", "sleepMillisecs", UINT_MAX),
  },
  "linux-6.18": {
    ...COUNTERS,
    pages_scanned: ro((k) => k.pagesScanned),
    pages_skipped: ro((k) => k.pagesSkipped),
    ksm_zero_pages: ro((k) => k.ksmZeroPages),
    general_profit: ro618((k) => k.generalProfit),
    stable_node_chains: ro618((k) => k.stableNodeChains),
    stable_node_dups: ro618((k) => k.stableNodeDups),
    run: {
      show: (k) => String(k.ksm.knobs.run),
      store(k, buf) {
        const v = kstrtouint(buf);
        return typeof v === "string" ? refuse("parse") : runStore(k, Number(v));
      },
    },
    pages_to_scan: {
      show: (k) => String(k.ksm.knobs.pagesToScan),
      store(k, buf) {
        if (ksm618(k).knobs618.advisorMode !== "none") return refuse("advisor"); // the advisor sets it
        const v = kstrtouint(buf);
        if (typeof v === "string") return refuse("parse");
        k.ksm.knobs.pagesToScan = Number(v);
        return 0;
      },
    },
    sleep_millisecs: uint618(
      (k) => k.ksm.knobs.sleepMillisecs,
      (k, n) => {
        k.ksm.knobs.sleepMillisecs = n;
      },
    ),
    smart_scan: bool618("smartScan"),
    use_zero_pages: bool618("useZeroPages"),
    stable_node_chains_prune_millisecs: uint618(
      (k) => ksm618(k).knobs618.stableNodeChainsPruneMillisecs,
      (k, n) => {
        ksm618(k).knobs618.stableNodeChainsPruneMillisecs = n;
      },
    ),
    max_page_sharing: {
      show: (k) => String(ksm618(k).knobs618.maxPageSharing),
      store(k, buf) {
        const v = kstrtoint(buf);
        if (typeof v === "string") return refuse("parse", v); // kstrtoint's own error: EINVAL or ERANGE
        if (v < 2n) return refuse("min"); // a new KSM page has 2 mappings already
        const ksm = ksm618(k);
        if (ksm.knobs618.maxPageSharing === Number(v)) return 0;
        if (!stableTreeEmptied(ksm)) return refuse("busy", "EBUSY");
        ksm.knobs618.maxPageSharing = Number(v);
        return 0;
      },
    },
    merge_across_nodes: {
      show: (k) => String(ksm618(k).knobs618.mergeAcrossNodes),
      store(k, buf) {
        const v = kstrtoul(buf);
        if (typeof v === "string") return refuse("parse", v);
        if (v > 1n) return refuse("range");
        const ksm = ksm618(k);
        if (ksm.knobs618.mergeAcrossNodes === Number(v)) return 0;
        if (!stableTreeEmptied(ksm)) return refuse("busy", "EBUSY");
        ksm.knobs618.mergeAcrossNodes = Number(v); // one NUMA node: nothing else changes
        return 0;
      },
    },
    advisor_mode: {
      input: "word",
      show: (k) => (ksm618(k).knobs618.advisorMode === "scan-time" ? "none [scan-time]" : "[none] scan-time"),
      store(k, buf) {
        const ksm = ksm618(k);
        const mode = sysfsStreq("scan-time", buf) ? "scan-time" : sysfsStreq("none", buf) ? "none" : null;
        if (!mode) return refuse("parse");
        const changed = ksm.knobs618.advisorMode !== mode;
        ksm.knobs618.advisorMode = mode;
        if (changed) ksm.setAdvisorDefaults();
        return 0;
      },
    },
    advisor_max_cpu: ulong618("advisorMaxCpu", "advisor_max_cpu", 0n, 32n),
    advisor_min_pages_to_scan: ulong618("advisorMinPagesToScan", "advisor_min_pages_to_scan"),
    advisor_max_pages_to_scan: ulong618("advisorMaxPagesToScan", "advisor_max_pages_to_scan"),
    advisor_target_scan_time: ulong618("advisorTargetScanTime", "advisor_target_scan_time", 1n),
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
  return attrOf(profile, file)?.store !== undefined;
}

/**
 * What a writable file's store expects, for forms: "bool" (kstrtobool: y/n, 1/0, on/off),
 * "word" (one of the words `cat` lists, the current one in brackets) or "number".
 */
export function sysfsInput(profile: ProfileName, file: string): "bool" | "word" | "number" {
  return attrOf(profile, file)?.input ?? "number";
}

/** Reading a file: its value and a newline, or ENOENT. */
export function sysfsRead(k: Kernel, file: string): string | Errno {
  const attr = attrOf(k.ksm.profile, file);
  if (!attr) return "ENOENT";
  return `${attr.show(k)}\n`;
}

/**
 * Writing a file, as `echo value > /sys/kernel/mm/ksm/file` does. Read-only
 * and unknown files give EACCES (the shell's "Permission denied"); a value
 * the kernel refuses gives its errno (EINVAL, ERANGE, EBUSY); either way
 * nothing changes. Writing run=2 unmerges everything and can fail, leaving
 * run at 0.
 */
export function sysfsWrite(k: Kernel, file: string, buf: string): Errno | 0 {
  const attr = attrOf(k.ksm.profile, file);
  // The store method sees at most a page per write(): 2.6.32's sysfs_write_file()
  // passes PAGE_SIZE - 1 bytes, kernfs PAGE_SIZE. A writer that loops, as echo and
  // Python do, writes the rest in more calls, each parsed on its own; the first
  // refused one ends the write. (So a 50 MB value costs no more than its pages.)
  const max = k.ksm.profile === "linux-2.6.32" ? PAGE_SIZE - 1 : PAGE_SIZE;
  let refused: SysfsRefusal | 0 = attr?.store ? 0 : refuse(attr ? "readonly" : "nofile", "EACCES");
  for (let at = 0; attr?.store && !refused && (at === 0 || at < buf.length); at += max)
    refused = attr.store(k, buf.slice(at, at + max));
  const write = { type: "sysfs-write", fn: `${file}_store`, file, value: buf } as const;
  k.emit(refused ? { ...write, ...refused } : write);
  return refused ? refused.errno : 0;
}
