import type { Errno, Pfn, Pid, VirtAddr } from "./types";

/** Why try_to_merge_two_pages() refused before trying (2.6.32): the ration of KSM pages, or no frame for one. */
export type MergeRefusal = "max_kernel_pages reached" | "out of memory";

/** One comparison made while walking a tree: which node, its page, and memcmp's sign. */
export interface Compare {
  node: number;
  pfn: Pfn;
  result: -1 | 0 | 1;
}

/**
 * 6.18: the stable node a search found equal to its page. For a chain it is
 * the dup stable_node_dup() chose: the one with room and the most sharers
 * when it prunes (every stable_node_chains_prune_millisecs), else the first
 * with room;
 * `candidate` false means no dup had room (is_page_sharing_candidate()):
 * every KSM page of those contents has max_page_sharing mappings.
 */
export interface DupPick {
  /** The tree node: the chain, or a plain node. */
  node: number;
  /** Dups in the chain after the search (0: a plain node, or a chain collapsed into its one dup). */
  dups: number;
  /** The chosen dup (or the plain node), its KSM page and its rmap_hlist_len. */
  dup: number;
  pfn: Pfn;
  sharers: number;
  maxPageSharing: number;
  candidate: boolean;
}

/**
 * Everything the engine does, as typed events. Each names the kernel function
 * it models (`fn`), so the UI can narrate and show the code; the same scenario
 * always yields the same events.
 */
export type KsmEvent =
  | { type: "scan-start"; fn: "scan_get_next_rmap_item"; seqnr: number; unstableDropped: number }
  | {
      type: "visit";
      fn: "scan_get_next_rmap_item";
      pid: Pid;
      addr: VirtAddr;
      pfn: Pfn;
      item: number;
      isNew: boolean;
    }
  | {
      type: "rmap-free";
      fn: "remove_trailing_rmap_items" | "get_next_rmap_item";
      pid: Pid;
      addr: VirtAddr;
      item: number;
    }
  | {
      type: "slot-removed";
      fn: "scan_get_next_rmap_item" | "__ksm_exit" | "unmerge_and_remove_all_rmap_items";
      pid: Pid;
    }
  | { type: "scan-end"; fn: "scan_get_next_rmap_item"; seqnr: number }
  | {
      type: "stable-search";
      fn: "stable_tree_search";
      item: number;
      pfn: Pfn;
      path: Compare[];
      found: number | null;
      /** 6.18: an equal node was met; which dup it offered, and whether it had room. */
      pick?: DupPick;
    }
  | {
      type: "stable-prune";
      fn: "stable_tree_search" | "stable_tree_insert" | "remove_node_from_stable_tree";
      node: number;
      item: number | null;
    }
  | {
      type: "checksum";
      fn: "calc_checksum";
      item: number;
      pfn: Pfn;
      old: number;
      checksum: number;
      volatile: boolean;
    }
  | {
      type: "unstable-search";
      fn: "unstable_tree_search_insert";
      item: number;
      pfn: Pfn;
      path: Compare[];
      outcome: "match" | "inserted" | "page-gone" | "same-page";
      match: number | null;
    }
  | {
      type: "merge-two";
      fn: "try_to_merge_two_pages";
      items: [number, number];
      kpfn: Pfn | null;
      ok: boolean;
      why?: MergeRefusal;
    }
  | {
      type: "merge-with-ksm";
      /* kpfn 0: 6.18's try_to_merge_with_zero_page() (use_zero_pages) mapped the zero page */
      fn: "try_to_merge_with_ksm_page";
      item: number;
      pfn: Pfn;
      kpfn: Pfn;
      ok: boolean;
    }
  | { type: "stable-insert"; fn: "stable_tree_insert"; node: number; kpfn: Pfn; ok: boolean; path: Compare[] }
  | { type: "stable-append"; fn: "stable_tree_append"; node: number; item: number }
  /*
   * 6.18: stable_tree_insert() met an equal node whose dups were all full and
   * added the new KSM page to its chain (stable_node_chain_add_dup()); `from`
   * is set when the node first became a chain (alloc_stable_node_chain()):
   * the plain node it was is now the chain's other dup.
   */
  | {
      type: "stable-chain";
      fn: "stable_tree_insert";
      chain: number;
      dup: number;
      kpfn: Pfn;
      dups: number;
      from: number | null;
    }
  /* 6.18 smart scan: should_skip_rmap_item() passed the page over for this scan. */
  | {
      type: "smart-skip";
      fn: "should_skip_rmap_item";
      pid: Pid;
      addr: VirtAddr;
      item: number;
      age: number;
      remainingSkips: number;
    }
  | {
      type: "stable-remove";
      fn: "remove_rmap_item_from_tree";
      item: number;
      node: number;
      /* 2.6.32: the item was itself the tree's node (6.18's rmap_items never are) */
      wasNode: boolean;
      promoted: number | null;
    }
  | { type: "unstable-remove"; fn: "remove_rmap_item_from_tree"; item: number; erased: boolean }
  | { type: "break-cow"; fn: "break_ksm"; pid: Pid; addr: VirtAddr; from: Pfn; to: Pfn | null; errno?: Errno }
  /* `ns` on a write's fault: the write's modelled time (writeCost.ts), fault included */
  | {
      type: "fault";
      fn: "do_anonymous_page";
      pid: Pid;
      addr: VirtAddr;
      pfn: Pfn;
      write: boolean;
      ns?: number;
    }
  | {
      type: "cow-fault";
      fn: "do_wp_page";
      pid: Pid;
      addr: VirtAddr;
      from: Pfn;
      to: Pfn;
      ksm: boolean;
      ns?: number;
    }
  | { type: "wp-reuse"; fn: "do_wp_page"; pid: Pid; addr: VirtAddr; pfn: Pfn; ns?: number }
  /*
   * A write to a present, writable PTE: the CPU stores, no fault, no kernel
   * code runs. `fn` names handle_mm_fault(), the function it did *not* need.
   */
  | { type: "plain-write"; fn: "handle_mm_fault"; pid: Pid; addr: VirtAddr; pfn: Pfn; ns: number }
  | { type: "mmap"; fn: "do_mmap"; pid: Pid; start: VirtAddr; len: number }
  | { type: "munmap"; fn: "do_munmap"; pid: Pid; start: VirtAddr; len: number; errno?: Errno }
  | {
      type: "madvise";
      fn: "ksm_madvise";
      pid: Pid;
      start: VirtAddr;
      len: number;
      advice: string;
      errno?: Errno;
    }
  /*
   * prctl(PR_SET_MEMORY_MERGE, value) (6.18, kernel/sys.c): 1 is
   * ksm_enable_merge_any(), 0 ksm_disable_merge_any(); 2.6.32 has no such
   * option (EINVAL).
   */
  | { type: "prctl"; fn: "prctl"; pid: Pid; value: 0 | 1; errno?: Errno }
  | { type: "ksm-enter"; fn: "__ksm_enter"; pid: Pid; wakeup: boolean }
  | { type: "spawn"; fn: "do_fork"; pid: Pid; name: string }
  | { type: "fork"; fn: "dup_mmap"; parent: Pid; child: Pid }
  | { type: "exit"; fn: "__ksm_exit"; pid: Pid; easyToFree: boolean; registered: boolean }
  | {
      type: "oom-kill";
      fn: "oom_kill_process";
      pid: Pid;
      totalVm: number;
      /** Set when the victim is no simulated process: the shell writing 2 to run (pid 0 here). */
      name?: string;
    }
  | { type: "oom-fail"; fn: "out_of_memory"; for: string }
  | ({ type: "sysfs-write"; fn: string; file: string; value: string } & (
      | { errno?: undefined; why?: undefined }
      | SysfsRefusal
    ))
  | { type: "unmerge"; fn: "unmerge_and_remove_all_rmap_items"; errno?: Errno }
  | { type: "ksmd-batch"; fn: "ksm_do_scan"; scanned: number; seqnr: number };

/**
 * Which check refused a sysfs write: no such file or a read-only one (kernfs's
 * EACCES), the text is no number or word the store takes (kstrto*(),
 * strict_strtoul(), kstrtobool(), sysfs_streq(); on 2.6.32 also a number its C
 * type cannot hold), a number above the knob's range or below its minimum,
 * KSM pages in the way (EBUSY), the advisor owning pages_to_scan, or run=2's
 * unmerge failing.
 */
export type SysfsWhy = "nofile" | "readonly" | "parse" | "range" | "min" | "busy" | "advisor" | "unmerge";

/** A refused sysfs write: the errno, and which check of its store gave it. */
export interface SysfsRefusal {
  errno: Errno;
  why: SysfsWhy;
}

export type KsmEventType = KsmEvent["type"];

/** Receives events as they happen; null when nobody listens (the benchmark). */
export type Tracer = ((e: KsmEvent) => void) | null;
