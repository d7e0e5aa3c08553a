/*
 * Short pseudo-code, written by us, of every kernel function an engine event
 * names, per kernel profile. A line ending in "@label" is one an event can
 * point at; the label is stripped from the text shown.
 */

/** The functions shown: mostly an event's `fn`, plus the few that an event's fields select. */
export type FnKey =
  | "ksm_do_scan"
  | "scan_get_next_rmap_item"
  | "get_next_rmap_item"
  | "remove_trailing_rmap_items"
  | "stable_tree_search"
  | "stable_tree_insert"
  | "stable_node_dup"
  | "remove_node_from_stable_tree"
  | "cmp_and_merge_page"
  | "unstable_tree_search_insert"
  | "try_to_merge_two_pages"
  | "try_to_merge_with_ksm_page"
  | "try_to_merge_with_zero_page"
  | "stable_tree_append"
  | "remove_rmap_item_from_tree"
  | "break_ksm"
  | "ksm_madvise"
  | "sys_madvise"
  | "prctl"
  | "ksm_enable_merge_any"
  | "ksm_disable_merge_any"
  | "__ksm_enter"
  | "__ksm_exit"
  | "unmerge_and_remove_all_rmap_items"
  | "do_anonymous_page"
  | "do_wp_page"
  | "do_mmap"
  | "do_munmap"
  | "do_fork"
  | "dup_mmap"
  | "out_of_memory"
  | "oom_kill_process"
  | "run_store"
  | Store618
  | "pages_to_scan_store"
  | "sleep_millisecs_store"
  | "max_kernel_pages_store"
  | "sysfs_open"
  | "should_skip_rmap_item"
  | "handle_mm_fault";

/** The store functions of the files only 6.18 has. */
export type Store618 =
  | "max_page_sharing_store"
  | "merge_across_nodes_store"
  | "use_zero_pages_store"
  | "smart_scan_store"
  | "stable_node_chains_prune_millisecs_store"
  | "advisor_mode_store"
  | "advisor_max_cpu_store"
  | "advisor_min_pages_to_scan_store"
  | "advisor_max_pages_to_scan_store"
  | "advisor_target_scan_time_store";

export interface Pseudo {
  /** The function's name in this kernel (a few were renamed by 6.18). */
  name: string;
  /** Its source file in the kernel tree. */
  file: string;
  lines: readonly string[];
  /** Line index of each label. */
  labels: Readonly<Record<string, number>>;
}

const LABEL = /\s+@([a-z][a-z-]*)$/;

/** Parse a block: drop the blank first and last lines, dedent, pull out the labels. */
export function code(name: string, file: string, text: string): Pseudo {
  const raw = text
    .replace(/^\n/, "")
    .replace(/\n\s*$/, "")
    .split("\n");
  const indent = Math.min(...raw.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  const labels: Record<string, number> = {};
  const lines = raw.map((l, i) => {
    const m = LABEL.exec(l);
    if (m) labels[m[1]] = i;
    return (m ? l.slice(0, m.index) : l).slice(indent).trimEnd();
  });
  return { name, file, lines, labels };
}

export type Table = Record<FnKey, Pseudo | null>;
export type Old = boolean; // true for linux-2.6.32

export const KSM = "mm/ksm.c";
export const MEMORY = "mm/memory.c";
export const OOM = "mm/oom_kill.c";
export const FORK = "kernel/fork.c";
