import { describe, expect, it } from "vitest";
import {
  type KsmEvent,
  type KsmEventType,
  PROFILES,
  type ProfileName,
  sysfsFiles,
  sysfsWritable,
} from "../../engine";
import { codeStep, currentLine, type FnKey, functionOf, PSEUDOCODE } from "./pseudocode";

const PATH = [{ node: 1, pfn: 7, result: 1 as const }];

/** Events of every type, in the shapes the engine emits them (outcome by outcome). */
const SAMPLES: Record<KsmEventType, KsmEvent[]> = {
  "scan-start": [{ type: "scan-start", fn: "scan_get_next_rmap_item", seqnr: 1, unstableDropped: 2 }],
  visit: [
    { type: "visit", fn: "scan_get_next_rmap_item", pid: 1, addr: 0x1000, pfn: 5, item: 3, isNew: true },
  ],
  "rmap-free": [
    { type: "rmap-free", fn: "remove_trailing_rmap_items", pid: 1, addr: 0x1000, item: 3 },
    { type: "rmap-free", fn: "get_next_rmap_item", pid: 1, addr: 0x1000, item: 3 },
  ],
  "slot-removed": [
    { type: "slot-removed", fn: "scan_get_next_rmap_item", pid: 1 },
    { type: "slot-removed", fn: "__ksm_exit", pid: 1 },
    { type: "slot-removed", fn: "unmerge_and_remove_all_rmap_items", pid: 1 },
  ],
  "scan-end": [{ type: "scan-end", fn: "scan_get_next_rmap_item", seqnr: 2 }],
  "stable-search": [
    { type: "stable-search", fn: "stable_tree_search", item: 3, pfn: 5, path: PATH, found: null },
    { type: "stable-search", fn: "stable_tree_search", item: 3, pfn: 5, path: [], found: null },
    {
      type: "stable-search",
      fn: "stable_tree_search",
      item: 3,
      pfn: 5,
      path: [{ node: 1, pfn: 7, result: 0 }],
      found: 1,
    },
    { type: "stable-search", fn: "stable_tree_search", item: 3, pfn: 5, path: [], found: 1 },
    {
      type: "stable-search",
      fn: "stable_tree_search",
      item: 3,
      pfn: 5,
      path: [{ node: 1, pfn: 7, result: 0 }],
      found: null,
    },
    // 6.18 chains: stable_node_dup() offered a dup with room, or none had any.
    ...[true, false].map(
      (candidate): KsmEvent => ({
        type: "stable-search",
        fn: "stable_tree_search",
        item: 3,
        pfn: 5,
        path: [{ node: 6, pfn: 7, result: 0 }],
        found: candidate ? 5 : null,
        pick: { node: 6, dups: 2, dup: 5, pfn: 7, sharers: 3, maxPageSharing: 4, candidate },
      }),
    ),
  ],
  "stable-prune": [
    { type: "stable-prune", fn: "stable_tree_search", node: 1, item: 4 },
    { type: "stable-prune", fn: "stable_tree_insert", node: 1, item: 4 },
    { type: "stable-prune", fn: "remove_node_from_stable_tree", node: 1, item: null },
  ],
  checksum: [
    { type: "checksum", fn: "calc_checksum", item: 3, pfn: 5, old: 0, checksum: 9, volatile: true },
    { type: "checksum", fn: "calc_checksum", item: 3, pfn: 5, old: 9, checksum: 9, volatile: false },
  ],
  "unstable-search": (["match", "inserted", "page-gone", "same-page"] as const).map((outcome) => ({
    type: "unstable-search",
    fn: "unstable_tree_search_insert",
    item: 3,
    pfn: 5,
    path: PATH,
    outcome,
    match: outcome === "match" ? 4 : null,
  })),
  "merge-two": [
    { type: "merge-two", fn: "try_to_merge_two_pages", items: [3, 4], kpfn: 8, ok: true },
    { type: "merge-two", fn: "try_to_merge_two_pages", items: [3, 4], kpfn: 8, ok: false },
    {
      type: "merge-two",
      fn: "try_to_merge_two_pages",
      items: [3, 4],
      kpfn: null,
      ok: false,
      why: "max_kernel_pages reached",
    },
    {
      type: "merge-two",
      fn: "try_to_merge_two_pages",
      items: [3, 4],
      kpfn: null,
      ok: false,
      why: "out of memory",
    },
  ],
  "merge-with-ksm": [
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 5, kpfn: 8, ok: true },
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 5, kpfn: 8, ok: false },
    // 6.18, use_zero_pages: the zero page (kpfn 0) is what the page was merged with.
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 5, kpfn: 0, ok: true },
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 3, pfn: 5, kpfn: 0, ok: false },
  ],
  "stable-insert": [
    { type: "stable-insert", fn: "stable_tree_insert", node: 4, kpfn: 8, ok: true, path: PATH },
    {
      type: "stable-insert",
      fn: "stable_tree_insert",
      node: -1,
      kpfn: 8,
      ok: false,
      path: [{ node: 1, pfn: 7, result: 0 }],
    },
    { type: "stable-insert", fn: "stable_tree_insert", node: 4, kpfn: 8, ok: false, path: [] },
    {
      type: "stable-insert",
      fn: "stable_tree_insert",
      node: 5,
      kpfn: 8,
      ok: true,
      path: [{ node: 1, pfn: 7, result: 0 }],
    },
  ],
  "stable-append": [{ type: "stable-append", fn: "stable_tree_append", node: 4, item: 3 }],
  "stable-chain": [
    { type: "stable-chain", fn: "stable_tree_insert", chain: 6, dup: 5, kpfn: 8, dups: 2, from: 1 },
  ],
  "smart-skip": [
    {
      type: "smart-skip",
      fn: "should_skip_rmap_item",
      pid: 1,
      addr: 0x1000,
      item: 3,
      age: 5,
      remainingSkips: 1,
    },
  ],
  "plain-write": [{ type: "plain-write", fn: "handle_mm_fault", pid: 1, addr: 0x1000, pfn: 5, ns: 150 }],
  "stable-remove": [
    { type: "stable-remove", fn: "remove_rmap_item_from_tree", item: 4, node: 4, wasNode: true, promoted: 6 },
    {
      type: "stable-remove",
      fn: "remove_rmap_item_from_tree",
      item: 4,
      node: 4,
      wasNode: true,
      promoted: null,
    },
    {
      type: "stable-remove",
      fn: "remove_rmap_item_from_tree",
      item: 6,
      node: 4,
      wasNode: false,
      promoted: null,
    },
  ],
  "unstable-remove": [
    { type: "unstable-remove", fn: "remove_rmap_item_from_tree", item: 3, erased: true },
    { type: "unstable-remove", fn: "remove_rmap_item_from_tree", item: 3, erased: false },
  ],
  "break-cow": [
    { type: "break-cow", fn: "break_ksm", pid: 1, addr: 0x1000, from: 8, to: 9 },
    { type: "break-cow", fn: "break_ksm", pid: 1, addr: 0x1000, from: 8, to: null, errno: "ENOMEM" },
  ],
  fault: [
    { type: "fault", fn: "do_anonymous_page", pid: 1, addr: 0x1000, pfn: 5, write: true },
    { type: "fault", fn: "do_anonymous_page", pid: 1, addr: 0x1000, pfn: 0, write: false },
  ],
  "cow-fault": [
    { type: "cow-fault", fn: "do_wp_page", pid: 1, addr: 0x1000, from: 8, to: 9, ksm: true },
    { type: "cow-fault", fn: "do_wp_page", pid: 1, addr: 0x1000, from: 0, to: 9, ksm: false },
    { type: "cow-fault", fn: "do_wp_page", pid: 1, addr: 0x1000, from: 5, to: 9, ksm: false },
  ],
  "wp-reuse": [{ type: "wp-reuse", fn: "do_wp_page", pid: 1, addr: 0x1000, pfn: 5 }],
  mmap: [{ type: "mmap", fn: "do_mmap", pid: 1, start: 0x1000, len: 4096 }],
  munmap: [
    { type: "munmap", fn: "do_munmap", pid: 1, start: 0x1000, len: 4096 },
    { type: "munmap", fn: "do_munmap", pid: 1, start: 0x1001, len: 4096, errno: "EINVAL" },
  ],
  prctl: [
    { type: "prctl", fn: "prctl", pid: 1, value: 1 },
    { type: "prctl", fn: "prctl", pid: 1, value: 0 },
    { type: "prctl", fn: "prctl", pid: 1, value: 0, errno: "ENOMEM" },
    { type: "prctl", fn: "prctl", pid: 1, value: 1, errno: "EINVAL" },
  ],
  madvise: [
    { type: "madvise", fn: "ksm_madvise", pid: 1, start: 0x1000, len: 4096, advice: "MADV_MERGEABLE" },
    { type: "madvise", fn: "ksm_madvise", pid: 1, start: 0x1000, len: 4096, advice: "MADV_UNMERGEABLE" },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: 0x1000,
      len: 4096,
      advice: "MADV_UNMERGEABLE",
      errno: "ENOMEM",
    },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: 0x1000,
      len: 4096,
      advice: "MADV_UNMERGEABLE",
      errno: "EAGAIN",
    },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: 0x1000,
      len: 4096,
      advice: "MADV_MERGEABLE",
      errno: "ENOMEM",
    },
    { type: "madvise", fn: "ksm_madvise", pid: 1, start: 0x1000, len: 4096, advice: "99", errno: "EINVAL" },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: 0x1001,
      len: 4096,
      advice: "MADV_MERGEABLE",
      errno: "EINVAL",
    },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: 0x1000,
      len: -1,
      advice: "MADV_MERGEABLE",
      errno: "EINVAL",
    },
  ],
  "ksm-enter": [
    { type: "ksm-enter", fn: "__ksm_enter", pid: 1, wakeup: true },
    { type: "ksm-enter", fn: "__ksm_enter", pid: 1, wakeup: false },
  ],
  spawn: [{ type: "spawn", fn: "do_fork", pid: 1, name: "A" }],
  fork: [{ type: "fork", fn: "dup_mmap", parent: 1, child: 2 }],
  exit: [
    { type: "exit", fn: "__ksm_exit", pid: 1, easyToFree: true, registered: true },
    { type: "exit", fn: "__ksm_exit", pid: 1, easyToFree: false, registered: true },
    { type: "exit", fn: "__ksm_exit", pid: 1, easyToFree: false, registered: false },
  ],
  "oom-kill": [
    { type: "oom-kill", fn: "oom_kill_process", pid: 1, totalVm: 64 },
    { type: "oom-kill", fn: "oom_kill_process", pid: 0, totalVm: 0, name: "sh (echo 2 > run)" },
  ],
  "oom-fail": [{ type: "oom-fail", fn: "out_of_memory", for: "ksmd" }],
  "sysfs-write": [
    ...["0", "1", "2"].map(
      (value): KsmEvent => ({ type: "sysfs-write", fn: "run_store", file: "run", value }),
    ),
    { type: "sysfs-write", fn: "run_store", file: "run", value: "3", errno: "EINVAL", why: "range" },
    { type: "sysfs-write", fn: "run_store", file: "run", value: "abc", errno: "EINVAL", why: "parse" },
    { type: "sysfs-write", fn: "run_store", file: "run", value: "2", errno: "ENOMEM", why: "unmerge" },
    { type: "sysfs-write", fn: "pages_to_scan_store", file: "pages_to_scan", value: "100" },
    {
      type: "sysfs-write",
      fn: "pages_to_scan_store",
      file: "pages_to_scan",
      value: "x",
      errno: "EINVAL",
      why: "parse",
    },
    { type: "sysfs-write", fn: "sleep_millisecs_store", file: "sleep_millisecs", value: "10" },
    { type: "sysfs-write", fn: "max_kernel_pages_store", file: "max_kernel_pages", value: "5" },
    {
      type: "sysfs-write",
      fn: "pages_shared_store",
      file: "pages_shared",
      value: "1",
      errno: "EACCES",
      why: "readonly",
    },
    { type: "sysfs-write", fn: "nosuch_store", file: "nosuch", value: "1", errno: "EACCES", why: "nofile" },
    // Every file either kernel lets you write (the engine's list), written well.
    ...PROFILES.flatMap((p) => sysfsFiles(p).filter((f) => sysfsWritable(p, f))).map(
      (file): KsmEvent => ({ type: "sysfs-write", fn: `${file}_store`, file, value: "1" }),
    ),
  ],
  unmerge: [
    { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items" },
    { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items", errno: "ENOMEM" },
  ],
  "ksmd-batch": [
    { type: "ksmd-batch", fn: "ksm_do_scan", scanned: 100, seqnr: 1 },
    { type: "ksmd-batch", fn: "ksm_do_scan", scanned: 0, seqnr: 1 },
  ],
};

const ALL = Object.values(SAMPLES).flat();

/** The highlighted line's text. */
function lineText(e: KsmEvent, profile: ProfileName): string {
  const s = codeStep(e, profile);
  return s.code.lines[s.line];
}

/** The events of a type whose fields match `fields`. */
function sample<T extends KsmEventType>(type: T, fields: Partial<Extract<KsmEvent, { type: T }>> = {}) {
  const e = SAMPLES[type].find((s) => Object.entries(fields).every(([k, v]) => (s as never)[k] === v));
  if (!e) throw new Error(`no sample ${type} ${JSON.stringify(fields)}`);
  return e;
}

describe("pseudo-code tables", () => {
  it.each(PROFILES)("%s: every function has a name, a file and 5 to 15 short lines", (profile) => {
    for (const [fn, code] of Object.entries(PSEUDOCODE[profile])) {
      if (!code) continue;
      expect(code.name, fn).toMatch(/^[a-z_]+$/);
      expect(code.file, fn).toMatch(/^(mm|kernel|fs)\/[a-z_/]+\.c$/);
      expect(code.lines.length, fn).toBeGreaterThanOrEqual(5);
      expect(code.lines.length, fn).toBeLessThanOrEqual(15);
      for (const line of code.lines) {
        expect(line.length, `${fn}: ${line}`).toBeLessThanOrEqual(80);
        expect(line, fn).not.toMatch(/@[a-z-]+$|\s$/);
      }
      for (const i of Object.values(code.labels)) expect(code.lines[i], fn).toBeTruthy();
    }
  });

  it("has a function only where that kernel has it", () => {
    expect(PSEUDOCODE["linux-2.6.32"].remove_node_from_stable_tree).toBeNull();
    expect(PSEUDOCODE["linux-6.18"].max_kernel_pages_store).toBeNull();
    expect(PSEUDOCODE["linux-2.6.32"].sysfs_open?.name).toBe("sysfs_open_file");
    expect(PSEUDOCODE["linux-6.18"].sysfs_open?.name).toBe("kernfs_fop_open");
    expect(PSEUDOCODE["linux-6.18"].do_fork?.name).toBe("kernel_clone");
  });
});

describe("currentLine", () => {
  it.each(PROFILES)("%s: every event maps to a function and a line that exists", (profile) => {
    for (const e of ALL) {
      const { code, line } = codeStep(e, profile);
      expect(line, JSON.stringify(e)).toBe(currentLine(e, profile));
      expect(code.lines[line], JSON.stringify(e)).toBeTruthy();
    }
  });

  it.each(PROFILES)("%s: every function of the table is reached by some event", (profile) => {
    const reached = new Set(ALL.map((e) => functionOf(e, profile)));
    const defined = Object.entries(PSEUDOCODE[profile])
      .filter(([, code]) => code)
      .map(([fn]) => fn);
    expect([...reached].sort()).toEqual(defined.sort());
  });

  it("shows the function an event's fn names, but where its fields pick another", () => {
    // madvise errors are sys_madvise's; a stale stable node is pruned differently in each kernel;
    // calc_checksum() only hashes, cmp_and_merge_page() decides; run's writer is killed as an origin.
    const exceptions = new Set([
      "ksm_madvise",
      "calc_checksum",
      "oom_kill_process",
      "stable_tree_search",
      "stable_tree_insert",
      "remove_node_from_stable_tree",
      "should_skip_rmap_item", // 2.6.32 has no smart scan: shown at the scan's visit
      "prctl", // 6.18: shown in the ksm_*_merge_any() it called
    ]);
    for (const profile of PROFILES)
      for (const e of ALL) {
        const fn = functionOf(e, profile);
        if (e.type === "sysfs-write" || exceptions.has(e.fn)) continue;
        if (e.type === "merge-with-ksm" && e.kpfn === 0 && profile === "linux-6.18") {
          expect(fn).toBe("try_to_merge_with_zero_page"); // its caller, picked by the zero page
          continue;
        }
        expect(fn, JSON.stringify(e)).toBe(e.fn);
      }
    const fns = new Set<string>(ALL.map((e) => e.fn));
    for (const fn of fns) {
      const shown = PROFILES.flatMap((p) => ALL.map((e) => functionOf(e, p)));
      if ((!fn.endsWith("_store") || fn === "run_store") && fn !== "calc_checksum")
        expect(shown, fn).toContain(fn as FnKey);
    }
  });

  it.each(PROFILES)("%s: different outcomes light different lines", (profile) => {
    const where = (e: KsmEvent) => `${functionOf(e, profile)}:${currentLine(e, profile)}`;
    const distinct = (events: KsmEvent[]) =>
      expect(new Set(events.map(where)).size, JSON.stringify(events)).toBe(events.length);
    distinct(SAMPLES["unstable-search"]);
    distinct(SAMPLES.checksum);
    distinct(SAMPLES["merge-with-ksm"].slice(0, profile === "linux-6.18" ? 4 : 2));
    distinct(SAMPLES["merge-two"].slice(0, 2));
    distinct(SAMPLES.exit);
    distinct(SAMPLES["break-cow"]);
    distinct(SAMPLES.fault);
    distinct(SAMPLES["unstable-remove"]);
    distinct(SAMPLES["ksm-enter"]);
    distinct(SAMPLES.unmerge);
    distinct([sample("cow-fault", { ksm: true }), sample("cow-fault", { from: 0 }), SAMPLES["wp-reuse"][0]]);
    distinct([SAMPLES["stable-search"][0], SAMPLES["stable-search"][2]]);
    distinct(SAMPLES["stable-insert"].slice(0, 2));
    distinct(SAMPLES["sysfs-write"].slice(0, 6));
    distinct(SAMPLES.madvise.slice(0, 3));
  });

  it("lights the line that decides", () => {
    for (const p of PROFILES) {
      expect(lineText(sample("unstable-search", { outcome: "match" }), p)).toMatch(/return tree_rmap_item/);
      expect(lineText(sample("unstable-search", { outcome: "inserted" }), p)).toMatch(/rb_insert_color/);
      expect(lineText(sample("unstable-search", { outcome: "same-page" }), p)).toMatch(/page == tree_page/);
      expect(lineText(sample("checksum", { volatile: true }), p)).toMatch(/volatile/);
      expect(lineText(sample("exit", { easyToFree: true }), p)).toMatch(/easy_to_free = 1/);
      expect(lineText(sample("exit", { easyToFree: false, registered: true }), p)).toMatch(/mmap/);
      expect(lineText(sample("wp-reuse"), p)).toMatch(/reuse|access_flags/);
      expect(lineText(sample("fault", { write: false }), p)).toMatch(/zero_pfn/);
      expect(lineText(sample("break-cow", { errno: "ENOMEM" }), p)).toMatch(/-ENOMEM/);
      expect(lineText(sample("oom-fail"), p)).toMatch(/panic/);
      expect(lineText(sample("scan-start"), p)).toMatch(/root_unstable_tree = RB_ROOT/);
      expect(lineText(sample("scan-end"), p)).toMatch(/seqnr\+\+/);
      expect(lineText(sample("unmerge", { errno: "ENOMEM" }), p)).toMatch(/goto error/);
      expect(lineText(sample("sysfs-write", { value: "2", errno: undefined }), p)).toMatch(
        /unmerge_and_remove/,
      );
      expect(lineText(sample("sysfs-write", { value: "3" }), p)).toMatch(/KSM_RUN_UNMERGE/);
      expect(lineText(sample("sysfs-write", { file: "pages_shared" }), p)).toMatch(/read-only/);
      expect(lineText(sample("madvise", { advice: "99" }), p)).toMatch(/madvise_behavior_valid/);
      expect(lineText(sample("madvise", { start: 0x1001 }), p)).toMatch(/PAGE_MASK/);
    }
  });
});

describe("the two kernels", () => {
  const text = (p: ProfileName, fn: FnKey) => PSEUDOCODE[p][fn]?.lines.join("\n") ?? "";

  it("2.6.32 allocates a new KSM page, within max_kernel_pages; 6.18 makes the first page KSM", () => {
    expect(text("linux-2.6.32", "try_to_merge_two_pages")).toMatch(/max_kernel_pages[\s\S]*alloc_page/);
    expect(text("linux-6.18", "try_to_merge_two_pages")).not.toMatch(/max_kernel_pages|alloc_page/);
    expect(text("linux-6.18", "try_to_merge_two_pages")).toMatch(/rmap_item, page, NULL/);
    const refused = sample("merge-two", { why: "max_kernel_pages reached" });
    expect(lineText(refused, "linux-2.6.32")).toMatch(/max_kernel_pages/);
    expect(lineText(refused, "linux-6.18")).toMatch(/return err \? NULL : page/);
    expect(lineText(sample("merge-two", { ok: true }), "linux-6.18")).toMatch(/tree_page, page\)/);
  });

  it("2.6.32 breaks COW on a KSM page left unshared, 6.18 leaves it", () => {
    expect(text("linux-2.6.32", "ksm_do_scan")).toMatch(/page_mapcount\(page\) == 1[\s\S]*break_cow/);
    expect(text("linux-6.18", "ksm_do_scan")).not.toMatch(/break_cow/);
  });

  it("cmp_and_merge_page: the stable tree before the checksum in 2.6.32, after it in 6.18", () => {
    const old = text("linux-2.6.32", "cmp_and_merge_page");
    const modern = text("linux-6.18", "cmp_and_merge_page");
    expect(old).toMatch(/stable_tree_search[\s\S]*calc_checksum[\s\S]*unstable_tree_search_insert/);
    expect(modern).toMatch(/calc_checksum[\s\S]*zero_page[\s\S]*stable_tree_search[\s\S]*unstable_tree/);
    expect(modern).toMatch(/page_stable_node[\s\S]*calc_checksum/); // KSM pages skip the gate
    for (const p of PROFILES)
      expect(functionOf(sample("checksum", { volatile: true }), p)).toBe("cmp_and_merge_page");
    expect(lineText(sample("checksum", { volatile: false }), "linux-6.18")).toMatch(/stable_tree_search/);
    expect(lineText(sample("checksum", { volatile: false }), "linux-2.6.32")).toMatch(/unstable_tree_search/);
  });

  it("6.18's stable tree: equal contents at insert make a chain and add a dup; a full dup is no match", () => {
    const insert = text("linux-6.18", "stable_tree_insert");
    expect(insert).not.toMatch(/no chains/);
    expect(insert).toMatch(/need_chain = true[\s\S]*alloc_stable_node_chain[\s\S]*stable_node_chain_add_dup/);
    const chained = SAMPLES["stable-insert"][3];
    expect(lineText(chained, "linux-6.18")).toMatch(/stable_node_chain_add_dup/);
    expect(lineText(SAMPLES["stable-insert"][0], "linux-6.18")).toMatch(/rb_insert_color/);
    const full = SAMPLES["stable-search"][4];
    expect(text("linux-6.18", "stable_tree_search")).toMatch(
      /is_page_sharing_candidate[^\n]*\n[^\n]*return NULL/,
    );
    expect(lineText(full, "linux-6.18")).toMatch(/max_page_sharing/);
    expect(lineText(full, "linux-2.6.32")).toMatch(/return NULL/);
    expect(text("linux-2.6.32", "stable_tree_search")).not.toMatch(/sharing_candidate/);
  });

  it("6.18's chains: the dup stable_node_dup() picked; a chain with every dup full is no match", () => {
    const [picked, full] = SAMPLES["stable-search"].slice(5);
    expect(functionOf(picked, "linux-6.18")).toBe("stable_node_dup");
    expect(lineText(picked, "linux-6.18")).toMatch(/found = dup/);
    expect(text("linux-6.18", "stable_node_dup")).toMatch(
      /is_page_sharing_candidate\(dup\)[\s\S]*rmap_hlist_len > len[\s\S]*break/,
    );
    expect(functionOf(full, "linux-6.18")).toBe("stable_tree_search");
    expect(lineText(full, "linux-6.18")).toMatch(/max_page_sharing/);
    for (const e of [picked, full]) expect(functionOf(e, "linux-2.6.32")).toBe("stable_tree_search");
    expect(PSEUDOCODE["linux-2.6.32"].stable_node_dup).toBeNull();
  });

  it("fork: 2.6.32's dup_mmap checks ksm_fork's result, 6.18's ksm_fork returns void", () => {
    expect(text("linux-2.6.32", "dup_mmap")).toMatch(/if \(\(retval = ksm_fork\(mm, oldmm\)\)\) goto out/);
    expect(text("linux-6.18", "dup_mmap")).not.toMatch(/retval = ksm_fork/);
    expect(text("linux-6.18", "dup_mmap")).toMatch(/ksm_fork\(mm, oldmm\);.*best effort/);
  });

  it("OOM: run's writer is an origin in both; the others by total_vm in 2.6.32, RSS in 6.18", () => {
    expect(text("linux-2.6.32", "run_store")).toMatch(/PF_OOM_ORIGIN[\s\S]*unmerge_and_remove/);
    expect(text("linux-6.18", "run_store")).toMatch(/set_current_oom_origin[\s\S]*unmerge_and_remove/);
    expect(text("linux-2.6.32", "out_of_memory")).toMatch(/total_vm/);
    expect(text("linux-6.18", "out_of_memory")).not.toMatch(/largest total_vm/);
    expect(text("linux-6.18", "out_of_memory")).toMatch(/RSS \+ swap entries \+ page tables/);
    const shell = SAMPLES["oom-kill"][1];
    expect(lineText(shell, "linux-2.6.32")).toMatch(/PF_OOM_ORIGIN/);
    expect(lineText(shell, "linux-6.18")).toMatch(/oom_task_origin/);
    for (const p of PROFILES) expect(lineText(SAMPLES["oom-kill"][0], p)).toMatch(/SIGKILL/);
  });

  it("madvise: break_ksm's -ENOMEM is EAGAIN; only an unmapped gap is ENOMEM", () => {
    for (const p of PROFILES) {
      const eagain = sample("madvise", { advice: "MADV_UNMERGEABLE", errno: "EAGAIN" });
      expect(lineText(eagain, p)).toMatch(/-EAGAIN/);
      expect(text(p, "sys_madvise")).toMatch(/error == -ENOMEM\) error = -EAGAIN/);
      expect(lineText(sample("madvise", { advice: "MADV_MERGEABLE", errno: "ENOMEM" }), p)).toMatch(
        /unmapped_error = -ENOMEM/,
      );
    }
  });

  it("prctl(PR_SET_MEMORY_MERGE): EINVAL in 2.6.32's sys_prctl; 6.18 enables or disables merge any", () => {
    const on = sample("prctl", { value: 1 });
    expect(lineText(on, "linux-2.6.32")).toMatch(/-EINVAL/);
    expect(functionOf(on, "linux-6.18")).toBe("ksm_enable_merge_any");
    expect(lineText(on, "linux-6.18")).toMatch(/ksm_add_vmas/);
    expect(lineText(sample("prctl", { value: 0 }), "linux-6.18")).toMatch(/clear_bit\(MMF_VM_MERGE_ANY/);
    expect(lineText(sample("prctl", { value: 0, errno: "ENOMEM" }), "linux-6.18")).toMatch(/stays mergeable/);
  });

  it("run_store reads the value as the kernel's parser does: 2.6.32's strict_strtoul wraps past 2^64", () => {
    const run = (value: string) => ({ type: "sysfs-write", fn: "run_store", file: "run", value }) as KsmEvent;
    const old = "linux-2.6.32";
    expect(currentLine(run(`${2n ** 64n + 1n}\n`), old)).toBe(currentLine(run("1\n"), old));
    expect(currentLine(run(`${2n ** 64n + 2n}\n`), old)).toBe(currentLine(run("2\n"), old));
  });

  it("break_ksm writes in 2.6.32 and unshares in 6.18", () => {
    expect(text("linux-2.6.32", "break_ksm")).toMatch(/FAULT_FLAG_WRITE/);
    expect(text("linux-6.18", "break_ksm")).toMatch(/FAULT_FLAG_UNSHARE/);
  });

  it("stale stable nodes: 2.6.32 prunes one item of a chain, 6.18 drops the node and restarts", () => {
    const prune = sample("stable-prune", { fn: "stable_tree_search" });
    expect(functionOf(prune, "linux-2.6.32")).toBe("stable_tree_search");
    expect(lineText(prune, "linux-2.6.32")).toMatch(/remove_rmap_item_from_tree/);
    expect(functionOf(prune, "linux-6.18")).toBe("remove_node_from_stable_tree");
    const forked = SAMPLES["stable-search"][3];
    expect(lineText(forked, "linux-6.18")).toMatch(/forked/);
    expect(lineText(forked, "linux-2.6.32")).toMatch(/same contents/);
  });

  it("/sys/kernel/mm/ksm: max_kernel_pages is a 2.6.32 knob; each kernel parses its own way", () => {
    const max = sample("sysfs-write", { file: "max_kernel_pages" });
    expect(functionOf(max, "linux-2.6.32")).toBe("max_kernel_pages_store");
    expect(functionOf(max, "linux-6.18")).toBe("sysfs_open");
    expect(lineText(max, "linux-6.18")).toMatch(/-EACCES/);
    expect(text("linux-2.6.32", "run_store")).toMatch(/strict_strtoul/);
    expect(text("linux-6.18", "run_store")).toMatch(/kstrtouint/);
  });
});
