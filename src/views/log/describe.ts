import {
  type DupPick,
  type Errno,
  formatWriteNs,
  type KsmEvent,
  PAGE_SIZE,
  STRERROR,
  SYSFS_DIR,
  ZERO_PFN,
} from "../../engine";
import type { Focus } from "../../store/store";

/*
 * Every engine event in plain words, with the kernel function it models.
 * Pure: the same event always reads the same, so it can be tested in node.
 */

export interface Described {
  text: string;
  /** The kernel function, as C would name it: "do_wp_page()". */
  fn: string;
}

/** An address in hex, as the kernel prints it: 0x7f0000003000. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A checksum: eight hex digits. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function comparisons(n: number): string {
  return plural(n, "comparison");
}

/** A length in bytes: whole pages as pages, else bytes. */
function length(len: number): string {
  return len > 0 && len % PAGE_SIZE === 0 ? plural(len / PAGE_SIZE, "page") : plural(len, "byte");
}

/** The value as `echo` would be typed: one trailing newline dropped, quoted if the shell needs it. */
function shellWord(value: string): string {
  const v = value.endsWith("\n") ? value.slice(0, -1) : value;
  return /^[A-Za-z0-9_+.,:=/-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`;
}

function failed(errno: Errno | undefined): string {
  return errno ? `: ${STRERROR[errno]} (${errno})` : "";
}

/** Why madvise failed, where the errno alone does not say. */
const MADVISE_WHY: Partial<Record<Errno, string>> = {
  EAGAIN: ": no memory to break COW on a KSM page (break_ksm's ENOMEM, reported as EAGAIN)",
  ENOMEM: ": part of the range is not mapped (the mapped parts got the advice)",
};

/** Why prctl(PR_SET_MEMORY_MERGE) failed. */
const PRCTL_WHY: Partial<Record<Errno, string>> = {
  EINVAL: ": this kernel has no PR_SET_MEMORY_MERGE (added in 6.4)",
  ENOMEM: ": no memory to break COW on a KSM page; every area stays mergeable",
};

export function describeEvent(e: KsmEvent): Described {
  const ns = "ns" in e && e.ns !== undefined ? ` (write took ${formatWriteNs(e.ns)}, modelled)` : "";
  return { text: describeText(e) + ns, fn: `${e.fn}()` };
}

function describeText(e: KsmEvent): string {
  switch (e.type) {
    case "scan-start":
      return `unstable tree emptied${
        e.unstableDropped ? ` (it held ${plural(e.unstableDropped, "page")})` : ""
      }: scan ${e.seqnr + 1} starts`;
    case "visit":
      return `ksmd visits page ${hex(e.addr)} of pid ${e.pid} in frame ${e.pfn} (${
        e.isNew ? "new " : ""
      }rmap_item ${e.item})`;
    case "rmap-free":
      return e.fn === "get_next_rmap_item"
        ? `freed rmap_item ${e.item} (pid ${e.pid}, ${hex(e.addr)}): that page is no longer there to scan`
        : `freed rmap_item ${e.item} (pid ${e.pid}, ${hex(e.addr)}): no mergeable page there any more`;
    case "slot-removed":
      switch (e.fn) {
        case "scan_get_next_rmap_item":
          return `pid ${e.pid} leaves KSM: its mm is exiting or has no mergeable area left`;
        case "__ksm_exit":
          return `pid ${e.pid} leaves KSM: its mm_slot is freed at exit`;
        case "unmerge_and_remove_all_rmap_items":
          return `pid ${e.pid} leaves KSM: its mm is exiting`;
        default:
          return `pid ${(e as { pid: number }).pid} leaves KSM`;
      }
    case "scan-end":
      return `full scan done: full_scans is now ${e.seqnr}`;
    case "stable-search":
      return e.path.length === 0 && e.found === null
        ? `stable tree searched for page ${e.pfn} (rmap_item ${e.item}): the tree is empty`
        : `stable tree searched for page ${e.pfn} (rmap_item ${e.item}), ${comparisons(e.path.length)}: ${
            e.pick
              ? pickText(e.pick)
              : e.found !== null
                ? `same contents as stable node ${e.found}`
                : "no KSM page has its contents"
          }`;
    case "stable-chain":
      return e.from !== null
        ? `stable node ${e.from} became stable node chain ${e.chain}: its KSM page was full, so KSM page ${e.kpfn} joins it as a second dup (node ${e.dup})`
        : `KSM page ${e.kpfn} added as dup ${e.dup} to stable node chain ${e.chain}, now ${plural(e.dups, "dup")}`;
    case "smart-skip":
      return `smart scan skips page ${hex(e.addr)} of pid ${e.pid} (rmap_item ${e.item}, age ${e.age}): it keeps failing to merge; ${plural(e.remainingSkips, "more scan")} to skip`;
    case "plain-write":
      return `pid ${e.pid} wrote to ${hex(e.addr)} in frame ${e.pfn}: PTE present and writable, no fault`;
    case "stable-prune":
      return e.item === null
        ? `stale stable node ${e.node} removed: its KSM page is gone`
        : `stale rmap_item ${e.item} dropped from stable node ${e.node}: it no longer maps the KSM page`;
    case "checksum":
      if (!e.volatile)
        return `checksum of page ${e.pfn} unchanged (${hex32(e.checksum)}) since the last scan: look for a twin`;
      if (e.old === 0)
        return `checksum of page ${e.pfn} noted (${hex32(e.checksum)}): no earlier one to compare, try again next scan`;
      return `checksum of page ${e.pfn} changed (${hex32(e.old)} → ${hex32(e.checksum)}): volatile, try again next scan`;
    case "unstable-search": {
      const n = comparisons(e.path.length);
      switch (e.outcome) {
        case "match":
          return `page ${e.pfn} (rmap_item ${e.item}) has the same contents as rmap_item ${e.match} in the unstable tree (${n})`;
        case "inserted":
          return `page ${e.pfn} (rmap_item ${e.item}) inserted into ${
            e.path.length ? `the unstable tree after ${n}` : "the empty unstable tree"
          }: no twin yet`;
        case "page-gone":
          return `unstable tree search for page ${e.pfn} (rmap_item ${e.item}) given up: a tree item's page has gone`;
        case "same-page":
          return `unstable tree search for page ${e.pfn} (rmap_item ${e.item}) met that very page (forked): no merge`;
        default:
          return `unstable tree searched for page ${(e as { pfn: number }).pfn}`;
      }
    }
    case "merge-two":
      return e.ok && e.kpfn !== null
        ? `merged pages of items ${e.items[0]} and ${e.items[1]} into new KSM page ${e.kpfn}`
        : `could not merge pages of items ${e.items[0]} and ${e.items[1]}: ${
            e.why ?? "a page changed or went away meanwhile"
          }`;
    case "merge-with-ksm":
      if (e.kpfn === ZERO_PFN)
        return e.ok
          ? `page ${e.pfn} (rmap_item ${e.item}) is all zeros: mapped to the zero page (use_zero_pages), one frame saved`
          : `could not map page ${e.pfn} (rmap_item ${e.item}) to the zero page: it changed or went away meanwhile`;
      return e.ok
        ? `page ${e.pfn} (rmap_item ${e.item}) merged into KSM page ${e.kpfn}: one frame saved`
        : `could not merge page ${e.pfn} (rmap_item ${e.item}) into KSM page ${e.kpfn}: it changed or went away meanwhile`;
    case "stable-insert":
      // In 2.6.32 kpfn is the page whose contents key the node (the merged-away unstable page), in
      // 6.18 the KSM page itself: either way it holds the contents the walk compares.
      if (e.ok && e.path.at(-1)?.result === 0)
        return `stable node ${e.node} added as a dup to the chain of KSM pages with the contents of page ${e.kpfn}`;
      return e.ok
        ? `stable node ${e.node} inserted into ${
            e.path.length ? `the stable tree after ${comparisons(e.path.length)}` : "the empty stable tree"
          }, keyed by the contents of page ${e.kpfn}`
        : `no new stable node for page ${e.kpfn}: the stable tree already holds a page with its contents`;
    case "stable-append":
      return `rmap_item ${e.item} added to stable node ${e.node}`;
    case "stable-remove": {
      // 2.6.32: an item that was itself the node leaves the tree (or hands its place on).
      const from = e.wasNode ? "the stable tree" : `stable node ${e.node}`;
      return e.promoted === null
        ? `rmap_item ${e.item} leaves ${from}`
        : `rmap_item ${e.item} leaves ${from}; rmap_item ${e.promoted} takes its place as the node`;
    }
    case "unstable-remove":
      return e.erased
        ? `rmap_item ${e.item} removed from the unstable tree`
        : `rmap_item ${e.item} no longer counted as unshared (the unstable tree was emptied at scan start)`;
    case "break-cow":
      if (e.errno)
        return `breaking COW of KSM page ${e.from} for pid ${e.pid} at ${hex(e.addr)} failed${failed(e.errno)}`;
      return e.to === null
        ? `broke COW of KSM page ${e.from} for pid ${e.pid} at ${hex(e.addr)}: the page is unmapped`
        : `broke COW: pid ${e.pid}'s page ${hex(e.addr)} copied out of KSM page ${e.from} into frame ${e.to}`;
    case "fault":
      return e.write
        ? `page fault: pid ${e.pid} wrote to ${hex(e.addr)}, a zeroed page in frame ${e.pfn}`
        : `page fault: pid ${e.pid} read ${hex(e.addr)}, mapped the zero page`;
    case "cow-fault":
      if (e.ksm) return `COW fault: pid ${e.pid} wrote to KSM page ${e.from}, copied to frame ${e.to}`;
      if (e.from === ZERO_PFN)
        return `COW fault: pid ${e.pid} wrote to the zero page at ${hex(e.addr)}, new frame ${e.to}`;
      return `COW fault: pid ${e.pid} wrote to page ${e.from} shared by fork, copied to frame ${e.to}`;
    case "wp-reuse":
      return `write fault: pid ${e.pid} at ${hex(e.addr)}, page ${e.pfn} mapped only here: made writable, no copy`;
    case "mmap":
      return `pid ${e.pid} mapped ${length(e.len)} at ${hex(e.start)}`;
    case "munmap":
      return `pid ${e.pid} unmapped ${length(e.len)} at ${hex(e.start)}${failed(e.errno)}`;
    case "madvise":
      return `pid ${e.pid}: madvise(${hex(e.start)}, ${length(e.len)}, ${e.advice})${
        e.errno ? ` failed${failed(e.errno)}${MADVISE_WHY[e.errno] ?? ""}` : ""
      }`;
    case "prctl":
      return `pid ${e.pid}: prctl(PR_SET_MEMORY_MERGE, ${e.value})${
        e.errno
          ? ` failed${failed(e.errno)}${PRCTL_WHY[e.errno] ?? ""}`
          : e.value
            ? ": merge any — every area of the process is mergeable, now and when mapped (ksm_enable_merge_any)"
            : ": merge any off — merged pages broken out, areas no longer mergeable (ksm_disable_merge_any)"
      }`;
    case "ksm-enter":
      return `pid ${e.pid} registered with KSM: new mm_slot just behind the scan cursor${
        e.wakeup ? "; ksmd woken" : ""
      }`;
    case "spawn":
      return `process ${e.name} started as pid ${e.pid}`;
    case "fork":
      return `pid ${e.parent} forked pid ${e.child}: their pages are now shared copy-on-write`;
    case "exit":
      if (!e.registered) return `pid ${e.pid} exited`;
      return e.easyToFree
        ? `pid ${e.pid} exited: its mm_slot had no rmap_items and is freed at once`
        : `pid ${e.pid} exited: its rmap_items stay counted until ksmd passes`;
    case "oom-kill":
      return e.name
        ? `OOM killer chose ${e.name}: the writer of run is an OOM origin, killed first; the unmerge stops`
        : `OOM killer chose pid ${e.pid}, the task it scored highest, and killed it`;
    case "oom-fail":
      return `out of memory for ${e.for}, and no process left to kill`;
    case "sysfs-write": {
      const cmd = `echo ${shellWord(e.value)} > ${SYSFS_DIR}/${e.file}`;
      return e.errno ? `${cmd}: ${STRERROR[e.errno]}` : cmd;
    }
    case "unmerge":
      return e.errno
        ? `run=2: unmerging failed${failed(e.errno)}${
            e.errno === "EINTR" ? ", the writer of run was killed" : ""
          }; run is back to 0`
        : "run=2: every KSM page unmerged, every rmap_item freed; full_scans starts again from 0";
    case "ksmd-batch":
      return `ksmd scanned ${plural(e.scanned, "page")}, then sleeps`;
    default:
      return assertNever(e);
  }
}

/** Which dup an equal stable node offered (6.18), and whether it had room. */
export function pickText(p: DupPick): string {
  const full = `max_page_sharing ${p.maxPageSharing}`;
  if (p.dups === 0)
    return p.candidate
      ? `same contents as stable node ${p.node} (KSM page ${p.pfn}, ${plural(p.sharers, "sharer")}, ${full})`
      : `same contents as stable node ${p.node}, but its KSM page ${p.pfn} is full (${plural(p.sharers, "sharer")}, ${full}): no match, pair up in the unstable tree`;
  const chain = `stable node ${p.node} is a chain of ${plural(p.dups, "dup")}`;
  return p.candidate
    ? `${chain}; picked the dup at frame ${p.pfn} (${plural(p.sharers, "sharer")}, ${full})`
    : `${chain}, every one full (${full}): no match, pair up in the unstable tree`;
}

function assertNever(e: never): never {
  throw new Error(`describeEvent: unknown event ${JSON.stringify(e)}`);
}

/** The log's filters; "other" (processes, madvise, sysfs) shows under "all" only. */
export type Category = "scan" | "merges" | "faults" | "tree" | "other";
export type LogFilter = "all" | Exclude<Category, "other">;
export const LOG_FILTERS: readonly LogFilter[] = ["all", "scan", "merges", "faults", "tree"];

export function categoryOf(e: KsmEvent): Category {
  switch (e.type) {
    case "scan-start":
    case "visit":
    case "rmap-free":
    case "slot-removed":
    case "scan-end":
    case "checksum":
    case "ksmd-batch":
    case "smart-skip":
      return "scan";
    case "merge-two":
    case "merge-with-ksm":
    case "break-cow":
    case "unmerge":
      return "merges";
    case "fault":
    case "cow-fault":
    case "wp-reuse":
    case "plain-write":
    case "oom-kill":
    case "oom-fail":
      return "faults";
    case "stable-search":
    case "stable-prune":
    case "unstable-search":
    case "stable-insert":
    case "stable-append":
    case "stable-remove":
    case "unstable-remove":
    case "stable-chain":
      return "tree";
    case "mmap":
    case "munmap":
    case "madvise":
    case "prctl":
    case "ksm-enter":
    case "spawn":
    case "fork":
    case "exit":
    case "sysfs-write":
      return "other";
    default:
      return assertNever(e);
  }
}

export function matchesFilter(e: KsmEvent, filter: LogFilter): boolean {
  return filter === "all" || categoryOf(e) === filter;
}

/**
 * Worth announcing to a screen reader: what changes the picture (merges,
 * COW on KSM pages, OOM, the user's own commands, a scan ending), not the
 * steady stream of visits, checksums and tree walks.
 */
export function isSignificant(e: KsmEvent): boolean {
  switch (e.type) {
    case "merge-two":
    case "merge-with-ksm":
    case "break-cow":
    case "unmerge":
    case "oom-kill":
    case "oom-fail":
    case "sysfs-write":
    case "madvise":
    case "prctl":
    case "spawn":
    case "fork":
    case "exit":
    case "munmap":
    case "scan-end":
    case "stable-chain":
      return true;
    case "cow-fault":
      return e.ksm;
    default:
      return false;
  }
}

/** What an event is about, for linking to the other views on hover. */
export function focusOf(e: KsmEvent): Focus | null {
  switch (e.type) {
    case "visit":
    case "rmap-free":
    case "smart-skip":
      return { kind: "page", pid: e.pid, addr: e.addr };
    case "checksum":
    case "stable-search":
    case "unstable-search":
    case "merge-with-ksm":
    case "stable-append":
    case "stable-remove":
    case "unstable-remove":
      return { kind: "item", id: e.item };
    case "merge-two":
      return e.kpfn === null ? { kind: "item", id: e.items[0] } : { kind: "frame", pfn: e.kpfn };
    case "stable-insert":
      return e.ok ? { kind: "node", tree: "stable", id: e.node } : null;
    case "stable-chain":
      return { kind: "node", tree: "stable", id: e.chain };
    case "break-cow":
    case "fault":
    case "cow-fault":
    case "wp-reuse":
    case "plain-write":
      return { kind: "page", pid: e.pid, addr: e.addr };
    default:
      return null;
  }
}
