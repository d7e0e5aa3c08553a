import {
  type KsmEvent,
  kstrtoul,
  type MergeRefusal,
  PAGE_SIZE,
  type ProfileName,
  strictStrtoul,
  sysfsFiles,
  sysfsWritable,
  ZERO_PFN,
} from "../../engine";
import {
  KSM_DISABLE_MERGE_ANY,
  KSM_ENABLE_MERGE_ANY,
  STABLE_NODE_DUP,
  TRY_TO_MERGE_WITH_ZERO_PAGE,
} from "./code618";
import type { FnKey, Old, Pseudo, Table } from "./listing";
import {
  breakKsm,
  CMP_AND_MERGE_PAGE_618,
  CMP_AND_MERGE_PAGE_2632,
  REMOVE_RMAP_ITEM_FROM_TREE_618,
  REMOVE_RMAP_ITEM_FROM_TREE_2632,
  TRY_TO_MERGE_TWO_PAGES_618,
  TRY_TO_MERGE_TWO_PAGES_2632,
  TRY_TO_MERGE_WITH_KSM_PAGE_618,
  TRY_TO_MERGE_WITH_KSM_PAGE_2632,
  unstableTreeSearchInsert,
} from "./mergeCode";
import { knobStore, oomKillProcess, outOfMemory, runStore, sysfsOpen } from "./oomSysfsCode";
import {
  DO_MUNMAP,
  DO_WP_PAGE_618,
  DO_WP_PAGE_2632,
  doAnonymousPage,
  doFork,
  doMmap,
  dupMmap,
  HANDLE_MM_FAULT,
  KSM_MADVISE,
  ksmEnter,
  ksmExit,
  SYS_PRCTL_2632,
  sysMadvise,
  unmergeAll,
} from "./processCode";
import {
  GET_NEXT_RMAP_ITEM_618,
  GET_NEXT_RMAP_ITEM_2632,
  ksmDoScan,
  REMOVE_NODE_FROM_STABLE_TREE,
  removeTrailingRmapItems,
  SHOULD_SKIP_RMAP_ITEM,
  STABLE_TREE_INSERT_618,
  STABLE_TREE_INSERT_2632,
  STABLE_TREE_SEARCH_618,
  STABLE_TREE_SEARCH_2632,
  scanGetNextRmapItem,
  stableTreeAppend,
} from "./scanCode";
import { ADVISOR_GUARD, stores618 } from "./sysfs618Code";

/*
 * Short pseudo-code, written by us, of every kernel function an engine event
 * names, per kernel profile, and which of its lines an event is at. The
 * lines keep the kernel's order of decisions (and the engine's, which
 * follows it). Pure: no React, so it can be tested in node.
 *
 * A line ending in "@label" is one an event can point at; the label is
 * stripped from the text shown.
 */

export type { FnKey, Pseudo } from "./listing";

/** The line of try_to_merge_two_pages() each typed refusal stops at. */
const REFUSAL_LABEL: Record<MergeRefusal, string> = {
  "max_kernel_pages reached": "max",
  "out of memory": "nomem",
};

/* ---------------- the tables ---------------- */

function table(old: Old): Table {
  return {
    ksm_do_scan: ksmDoScan(old),
    scan_get_next_rmap_item: scanGetNextRmapItem(old),
    get_next_rmap_item: old ? GET_NEXT_RMAP_ITEM_2632 : GET_NEXT_RMAP_ITEM_618,
    remove_trailing_rmap_items: removeTrailingRmapItems(old),
    stable_tree_search: old ? STABLE_TREE_SEARCH_2632 : STABLE_TREE_SEARCH_618,
    stable_tree_insert: old ? STABLE_TREE_INSERT_2632 : STABLE_TREE_INSERT_618,
    stable_node_dup: old ? null : STABLE_NODE_DUP,
    remove_node_from_stable_tree: old ? null : REMOVE_NODE_FROM_STABLE_TREE,
    cmp_and_merge_page: old ? CMP_AND_MERGE_PAGE_2632 : CMP_AND_MERGE_PAGE_618,
    unstable_tree_search_insert: unstableTreeSearchInsert(old),
    try_to_merge_two_pages: old ? TRY_TO_MERGE_TWO_PAGES_2632 : TRY_TO_MERGE_TWO_PAGES_618,
    try_to_merge_with_ksm_page: old ? TRY_TO_MERGE_WITH_KSM_PAGE_2632 : TRY_TO_MERGE_WITH_KSM_PAGE_618,
    try_to_merge_with_zero_page: old ? null : TRY_TO_MERGE_WITH_ZERO_PAGE,
    stable_tree_append: stableTreeAppend(old),
    remove_rmap_item_from_tree: old ? REMOVE_RMAP_ITEM_FROM_TREE_2632 : REMOVE_RMAP_ITEM_FROM_TREE_618,
    break_ksm: breakKsm(old),
    ksm_madvise: KSM_MADVISE,
    sys_madvise: sysMadvise(old),
    prctl: old ? SYS_PRCTL_2632 : null,
    ksm_enable_merge_any: old ? null : KSM_ENABLE_MERGE_ANY,
    ksm_disable_merge_any: old ? null : KSM_DISABLE_MERGE_ANY,
    __ksm_enter: ksmEnter(old),
    __ksm_exit: ksmExit(old),
    unmerge_and_remove_all_rmap_items: unmergeAll(old),
    do_anonymous_page: doAnonymousPage(old),
    do_wp_page: old ? DO_WP_PAGE_2632 : DO_WP_PAGE_618,
    do_mmap: doMmap(old),
    do_munmap: DO_MUNMAP,
    do_fork: doFork(old),
    dup_mmap: dupMmap(old),
    out_of_memory: outOfMemory(old),
    oom_kill_process: oomKillProcess(old),
    run_store: runStore(old),
    ...stores618(old),
    pages_to_scan_store: knobStore(old, "pages_to_scan", "nr_pages", "ksm_thread_pages_to_scan", {
      guard: old ? undefined : ADVISOR_GUARD,
    }),
    sleep_millisecs_store: knobStore(old, "sleep_millisecs", "msecs", "ksm_thread_sleep_millisecs", {
      wake: old ? undefined : "wake_up_interruptible(&ksm_iter_wait);     /* sleep anew */",
    }),
    max_kernel_pages_store: old
      ? knobStore(old, "max_kernel_pages", "nr_pages", "ksm_max_kernel_pages")
      : null,
    sysfs_open: sysfsOpen(old),
    should_skip_rmap_item: old ? null : SHOULD_SKIP_RMAP_ITEM,
    handle_mm_fault: HANDLE_MM_FAULT,
  };
}

/** Every function's pseudo-code, per profile; null where that kernel has no such function. */
export const PSEUDOCODE: Readonly<Record<ProfileName, Readonly<Table>>> = {
  "linux-2.6.32": table(true),
  "linux-6.18": table(false),
};

/* ---------------- from an event to a line ---------------- */

/** The number a store method read from `value` (a shell word and a newline), by the engine's own parser; null if none. */
function knobValue(profile: ProfileName, value: string): bigint | null {
  const n = profile === "linux-6.18" ? kstrtoul(value) : strictStrtoul(value);
  return typeof n === "bigint" ? n : null;
}

/** Where an event is: a function and, in order of preference, the labels of its line. */
interface Place {
  fn: FnKey;
  labels: string[];
}

function place(e: KsmEvent, profile: ProfileName): Place {
  const at = (fn: FnKey, ...labels: string[]): Place => ({ fn, labels });
  const old = profile === "linux-2.6.32";
  switch (e.type) {
    case "scan-start":
      return at("scan_get_next_rmap_item", "start");
    case "visit":
      return at("scan_get_next_rmap_item", "visit");
    case "scan-end":
      return at("scan_get_next_rmap_item", "end");
    case "ksmd-batch":
      return at("ksm_do_scan", e.scanned === 0 ? "end" : "sleep");
    case "rmap-free":
      return at(e.fn, "free");
    case "slot-removed":
      switch (e.fn) {
        case "__ksm_exit":
          return at("__ksm_exit", "free");
        case "unmerge_and_remove_all_rmap_items":
          return at("unmerge_and_remove_all_rmap_items", "removed");
        default:
          return at("scan_get_next_rmap_item", "removed");
      }
    case "stable-search":
      // 6.18: at a chain, stable_node_dup() picked the dup with room and the most sharers.
      if (!old && e.pick && e.pick.dups > 0 && e.pick.candidate) return at("stable_node_dup", "pick");
      // 6.18: an equal node whose dups are all full (max_page_sharing) is no match.
      if (e.found === null)
        return at("stable_tree_search", e.path.at(-1)?.result === 0 ? "full" : "none", "none");
      return at("stable_tree_search", e.path.length === 0 ? "forked" : "found", "found");
    case "stable-prune":
      // 6.18 drops a stale node whole; 2.6.32 prunes one rmap_item of a chain.
      if (!old) return at("remove_node_from_stable_tree", "erase");
      return at(e.fn === "stable_tree_insert" ? "stable_tree_insert" : "stable_tree_search", "prune");
    case "stable-insert":
      if (e.ok)
        return at("stable_tree_insert", e.path.at(-1)?.result === 0 ? "chain" : "inserted", "inserted");
      return at("stable_tree_insert", e.path.at(-1)?.result === 0 ? "equal" : "gone", "equal", "nomem");
    case "stable-append":
      return at("stable_tree_append", "append");
    case "stable-chain":
      return at("stable_tree_insert", "chain", "inserted");
    case "smart-skip": // 2.6.32 has no smart scan (nor this event)
      return old ? at("scan_get_next_rmap_item", "visit") : at("should_skip_rmap_item", "skip");
    case "plain-write":
      return at("handle_mm_fault", "plain");
    case "stable-remove": {
      const how = e.promoted !== null ? "promote" : e.wasNode ? "erase" : "unlink";
      return at("remove_rmap_item_from_tree", how, "unlink");
    }
    case "unstable-remove":
      return at("remove_rmap_item_from_tree", e.erased ? "unstable-erase" : "unstable-skip");
    case "checksum": // calc_checksum() only hashes: its caller decides
      return at("cmp_and_merge_page", e.volatile ? "volatile" : "steady");
    case "unstable-search": {
      const label = { match: "match", inserted: "inserted", "page-gone": "gone", "same-page": "same" };
      return at("unstable_tree_search_insert", label[e.outcome]);
    }
    case "merge-two": {
      if (e.ok) return at("try_to_merge_two_pages", "ok");
      return at("try_to_merge_two_pages", e.why ? REFUSAL_LABEL[e.why] : "failed", "failed");
    }
    case "merge-with-ksm": // kpfn ZERO_PFN: 6.18's use_zero_pages merged a page of zeros
      if (e.kpfn === ZERO_PFN && !old) return at("try_to_merge_with_zero_page", e.ok ? "ok" : "failed");
      return at("try_to_merge_with_ksm_page", e.ok ? "ok" : "failed");
    case "break-cow":
      return at("break_ksm", e.errno ? "oom" : "fault");
    case "fault":
      return at("do_anonymous_page", e.write ? "write" : "read");
    case "cow-fault":
      return at("do_wp_page", e.from === ZERO_PFN && !e.ksm ? "zero" : "copy");
    case "wp-reuse":
      return at("do_wp_page", "reuse");
    case "mmap":
      return at("do_mmap", "map");
    case "munmap":
      return at("do_munmap", e.errno ? "einval" : "unmap");
    case "madvise":
      return madvisePlace(e);
    case "prctl": // 2.6.32 has no PR_SET_MEMORY_MERGE: sys_prctl()'s default case
      if (old) return at("prctl", "einval");
      if (!e.value) return at("ksm_disable_merge_any", e.errno ? "failed" : "done");
      return at("ksm_enable_merge_any", "done");
    case "ksm-enter":
      return at("__ksm_enter", e.wakeup ? "wakeup" : "insert");
    case "spawn":
      return at("do_fork", "pid");
    case "fork":
      return at("dup_mmap", "copy");
    case "exit":
      return at("__ksm_exit", !e.registered ? "lookup" : e.easyToFree ? "easy" : "lazy");
    case "oom-kill": // pid 0: the shell writing 2 to run, an OOM origin
      return e.pid === 0 ? at("out_of_memory", "origin") : at("oom_kill_process", "kill");
    case "oom-fail":
      return at("out_of_memory", "none");
    case "unmerge":
      return at("unmerge_and_remove_all_rmap_items", e.errno ? "error" : "done");
    case "sysfs-write":
      return sysfsPlace(e, profile);
    default:
      return assertNever(e);
  }
}

/**
 * sys_madvise() checks its arguments and walks the VMAs; ksm_madvise()
 * decides for each. The errno tells the branch: ENOMEM is an unmapped gap
 * (madvise turns break_ksm's ENOMEM into EAGAIN), EINVAL the advice, an
 * unaligned start or a length that wraps.
 */
function madvisePlace(e: Extract<KsmEvent, { type: "madvise" }>): Place {
  const merge = e.advice === "MADV_MERGEABLE";
  if (!e.errno) return { fn: "ksm_madvise", labels: [merge ? "merge" : "unmerge"] };
  if (e.errno === "EINVAL") {
    const label =
      !merge && e.advice !== "MADV_UNMERGEABLE" ? "advice" : e.start % PAGE_SIZE ? "start" : "len";
    return { fn: "sys_madvise", labels: [label] };
  }
  if (e.errno === "ENOMEM") return { fn: "sys_madvise", labels: ["gap"] };
  if (e.errno === "EAGAIN" && !merge) return { fn: "ksm_madvise", labels: ["unmerge-failed"] };
  return { fn: "sys_madvise", labels: ["error"] };
}

/**
 * A write to /sys/kernel/mm/ksm/<file>: kernfs refuses a file that is not
 * there or is read-only; else the file's store function, at the line of the
 * check that refused it (the event's `why`), or where the value takes effect.
 */
function sysfsPlace(e: Extract<KsmEvent, { type: "sysfs-write" }>, profile: ProfileName): Place {
  const open = e.why === "nofile" || e.why === "readonly" ? e.why : null;
  // A write from before a switch of kernel may name a file this one lacks: kernfs refuses it here.
  if (open || !sysfsWritable(profile, e.file)) {
    return {
      fn: "sysfs_open",
      labels: [open ?? (sysfsFiles(profile).includes(e.file) ? "readonly" : "nofile")],
    };
  }
  const at = (...labels: string[]): Place => ({ fn: `${e.file}_store` as FnKey, labels });
  // kstrtoint() and kstrtoul() pass on their own errno (@parse), the other parsers' callers -EINVAL (@einval);
  // those lines are also where a check this kernel's store lacks would be.
  if (e.why) return at(e.why === "unmerge" ? "failed" : e.why, "parse", "einval");
  if (e.file !== "run") return at("set");
  const n = knobValue(profile, e.value);
  return at(n === 2n ? "unmerge" : n === 1n ? "wake" : "set");
}

function assertNever(e: never): never {
  throw new Error(`pseudocode: unknown event ${JSON.stringify(e)}`);
}

/** What the code pane shows for an event: the function and the line it is at. */
export interface CodeStep {
  fn: FnKey;
  code: Pseudo;
  /** Index into code.lines. */
  line: number;
}

export function codeStep(e: KsmEvent, profile: ProfileName): CodeStep {
  const { fn, labels } = place(e, profile);
  const code = PSEUDOCODE[profile][fn];
  if (!code) throw new Error(`pseudocode: ${profile} has no ${fn}()`);
  for (const label of labels) {
    const line = code.labels[label];
    if (line !== undefined) return { fn, code, line };
  }
  throw new Error(`pseudocode: ${fn}() of ${profile} has no line ${labels.join(" or ")}`);
}

/** The function an event is in, for this kernel. */
export function functionOf(e: KsmEvent, profile: ProfileName): FnKey {
  return place(e, profile).fn;
}

/** The line (an index into the function's lines) an event is at. */
export function currentLine(e: KsmEvent, profile: ProfileName): number {
  return codeStep(e, profile).line;
}
