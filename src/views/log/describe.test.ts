import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Checksummer,
  type DupPick,
  defaultFrames,
  Kernel,
  type KsmEvent,
  type KsmEventType,
  loadChecksummer,
  PROFILES,
  type ProfileName,
  parseScenario,
  ScenarioRun,
  sysfsWrite,
} from "../../engine";
import { loadEngine, mergeableProc, newKernel, ofType, record, scans } from "../../engine/testing";
import {
  categoryOf,
  describeEvent,
  focusOf,
  hex,
  hex32,
  isSignificant,
  LOG_FILTERS,
  matchesFilter,
} from "./describe";

const A = 0x7f0000003000;

/** At least one event of every type: the Record makes the compiler insist on each. */
const SAMPLES: Record<KsmEventType, KsmEvent[]> = {
  "scan-start": [
    { type: "scan-start", fn: "scan_get_next_rmap_item", seqnr: 2, unstableDropped: 0 },
    { type: "scan-start", fn: "scan_get_next_rmap_item", seqnr: 0, unstableDropped: 5 },
  ],
  visit: [
    { type: "visit", fn: "scan_get_next_rmap_item", pid: 2, addr: A, pfn: 17, item: 14, isNew: true },
    { type: "visit", fn: "scan_get_next_rmap_item", pid: 2, addr: A, pfn: 17, item: 14, isNew: false },
  ],
  "rmap-free": [
    { type: "rmap-free", fn: "get_next_rmap_item", pid: 1, addr: A, item: 3 },
    { type: "rmap-free", fn: "remove_trailing_rmap_items", pid: 1, addr: A, item: 4 },
  ],
  "slot-removed": [
    { type: "slot-removed", fn: "scan_get_next_rmap_item", pid: 1 },
    { type: "slot-removed", fn: "__ksm_exit", pid: 1 },
    { type: "slot-removed", fn: "unmerge_and_remove_all_rmap_items", pid: 1 },
  ],
  "scan-end": [{ type: "scan-end", fn: "scan_get_next_rmap_item", seqnr: 3 }],
  "stable-search": [
    { type: "stable-search", fn: "stable_tree_search", item: 5, pfn: 17, path: [], found: null },
    {
      type: "stable-search",
      fn: "stable_tree_search",
      item: 5,
      pfn: 17,
      path: [
        { node: 9, pfn: 40, result: 1 },
        { node: 12, pfn: 41, result: 0 },
      ],
      found: 12,
    },
  ],
  "stable-prune": [
    { type: "stable-prune", fn: "remove_node_from_stable_tree", node: 9, item: null },
    { type: "stable-prune", fn: "stable_tree_search", node: 9, item: 11 },
  ],
  checksum: [
    {
      type: "checksum",
      fn: "calc_checksum",
      item: 5,
      pfn: 17,
      old: 0x1a2b3c4d,
      checksum: 0x9f000001,
      volatile: true,
    },
    { type: "checksum", fn: "calc_checksum", item: 5, pfn: 17, old: 0, checksum: 0xabc, volatile: true },
    { type: "checksum", fn: "calc_checksum", item: 5, pfn: 17, old: 0xabc, checksum: 0xabc, volatile: false },
  ],
  "unstable-search": (["match", "inserted", "page-gone", "same-page"] as const).map((outcome) => ({
    type: "unstable-search",
    fn: "unstable_tree_search_insert",
    item: 9,
    pfn: 20,
    path: [{ node: 3, pfn: 18, result: outcome === "match" ? 0 : -1 }],
    outcome,
    match: outcome === "match" ? 3 : null,
  })),
  "merge-two": [
    { type: "merge-two", fn: "try_to_merge_two_pages", items: [3, 9], kpfn: 40, ok: true },
    {
      type: "merge-two",
      fn: "try_to_merge_two_pages",
      items: [3, 9],
      kpfn: null,
      ok: false,
      why: "max_kernel_pages reached",
    },
    { type: "merge-two", fn: "try_to_merge_two_pages", items: [3, 9], kpfn: null, ok: false },
  ],
  "merge-with-ksm": [
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 5, pfn: 17, kpfn: 40, ok: true },
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 5, pfn: 17, kpfn: 40, ok: false },
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 5, pfn: 17, kpfn: 0, ok: true },
    { type: "merge-with-ksm", fn: "try_to_merge_with_ksm_page", item: 5, pfn: 17, kpfn: 0, ok: false },
  ],
  "stable-insert": [
    { type: "stable-insert", fn: "stable_tree_insert", node: 12, kpfn: 40, ok: true, path: [] },
    { type: "stable-insert", fn: "stable_tree_insert", node: -1, kpfn: 40, ok: false, path: [] },
  ],
  "stable-append": [{ type: "stable-append", fn: "stable_tree_append", node: 12, item: 9 }],
  "stable-chain": [
    { type: "stable-chain", fn: "stable_tree_insert", chain: 20, dup: 21, kpfn: 44, dups: 2, from: 12 },
    { type: "stable-chain", fn: "stable_tree_insert", chain: 20, dup: 23, kpfn: 46, dups: 3, from: null },
  ],
  "smart-skip": [
    {
      type: "smart-skip",
      fn: "should_skip_rmap_item",
      pid: 2,
      addr: A,
      item: 14,
      age: 5,
      remainingSkips: 1,
    },
  ],
  "plain-write": [{ type: "plain-write", fn: "handle_mm_fault", pid: 2, addr: A, pfn: 17, ns: 150 }],
  "stable-remove": [
    {
      type: "stable-remove",
      fn: "remove_rmap_item_from_tree",
      item: 9,
      node: 12,
      wasNode: false,
      promoted: null,
    },
    {
      type: "stable-remove",
      fn: "remove_rmap_item_from_tree",
      item: 12,
      node: 12,
      wasNode: true,
      promoted: 9,
    },
    // 6.18: a stable node's id may equal an rmap_item's; the item still only leaves that node.
    {
      type: "stable-remove",
      fn: "remove_rmap_item_from_tree",
      item: 7,
      node: 7,
      wasNode: false,
      promoted: null,
    },
  ],
  "unstable-remove": [
    { type: "unstable-remove", fn: "remove_rmap_item_from_tree", item: 9, erased: true },
    { type: "unstable-remove", fn: "remove_rmap_item_from_tree", item: 9, erased: false },
  ],
  "break-cow": [
    { type: "break-cow", fn: "break_ksm", pid: 2, addr: A, from: 40, to: 55 },
    { type: "break-cow", fn: "break_ksm", pid: 2, addr: A, from: 40, to: null, errno: "ENOMEM" },
    { type: "break-cow", fn: "break_ksm", pid: 2, addr: A, from: 40, to: null },
  ],
  fault: [
    { type: "fault", fn: "do_anonymous_page", pid: 2, addr: A, pfn: 17, write: true },
    { type: "fault", fn: "do_anonymous_page", pid: 2, addr: A, pfn: 0, write: false },
  ],
  "cow-fault": [
    { type: "cow-fault", fn: "do_wp_page", pid: 2, addr: A, from: 40, to: 55, ksm: true },
    { type: "cow-fault", fn: "do_wp_page", pid: 2, addr: A, from: 0, to: 55, ksm: false },
    { type: "cow-fault", fn: "do_wp_page", pid: 2, addr: A, from: 30, to: 55, ksm: false },
  ],
  "wp-reuse": [{ type: "wp-reuse", fn: "do_wp_page", pid: 2, addr: A, pfn: 17 }],
  mmap: [{ type: "mmap", fn: "do_mmap", pid: 1, start: 0x7effffff0000, len: 16 * 4096 }],
  munmap: [
    { type: "munmap", fn: "do_munmap", pid: 1, start: A, len: 4096 },
    { type: "munmap", fn: "do_munmap", pid: 1, start: A, len: 100, errno: "EINVAL" },
  ],
  prctl: [
    { type: "prctl", fn: "prctl", pid: 1, value: 1 },
    { type: "prctl", fn: "prctl", pid: 1, value: 0 },
    { type: "prctl", fn: "prctl", pid: 1, value: 0, errno: "ENOMEM" },
    { type: "prctl", fn: "prctl", pid: 1, value: 1, errno: "EINVAL" },
  ],
  madvise: [
    { type: "madvise", fn: "ksm_madvise", pid: 1, start: A, len: 8192, advice: "MADV_MERGEABLE" },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: A,
      len: 8192,
      advice: "MADV_UNMERGEABLE",
      errno: "EAGAIN",
    },
    {
      type: "madvise",
      fn: "ksm_madvise",
      pid: 1,
      start: A,
      len: 8192,
      advice: "MADV_MERGEABLE",
      errno: "ENOMEM",
    },
  ],
  "ksm-enter": [
    { type: "ksm-enter", fn: "__ksm_enter", pid: 1, wakeup: true },
    { type: "ksm-enter", fn: "__ksm_enter", pid: 2, wakeup: false },
  ],
  spawn: [{ type: "spawn", fn: "do_fork", pid: 1, name: "qemu-a" }],
  fork: [{ type: "fork", fn: "dup_mmap", parent: 1, child: 2 }],
  exit: [
    { type: "exit", fn: "__ksm_exit", pid: 2, easyToFree: true, registered: true },
    { type: "exit", fn: "__ksm_exit", pid: 2, easyToFree: false, registered: true },
    { type: "exit", fn: "__ksm_exit", pid: 2, easyToFree: false, registered: false },
  ],
  "oom-kill": [
    { type: "oom-kill", fn: "oom_kill_process", pid: 3, totalVm: 50 },
    { type: "oom-kill", fn: "oom_kill_process", pid: 0, totalVm: 0, name: "sh (echo 2 > run)" },
  ],
  "oom-fail": [{ type: "oom-fail", fn: "out_of_memory", for: "ksmd" }],
  "sysfs-write": [
    { type: "sysfs-write", fn: "run_store", file: "run", value: "3", errno: "EINVAL", why: "range" },
    { type: "sysfs-write", fn: "pages_to_scan_store", file: "pages_to_scan", value: "100\n" },
    {
      type: "sysfs-write",
      fn: "pages_shared_store",
      file: "pages_shared",
      value: "1",
      errno: "EACCES",
      why: "readonly",
    },
    { type: "sysfs-write", fn: "run_store", file: "run", value: "", errno: "EINVAL", why: "parse" },
  ],
  unmerge: [
    { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items" },
    { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items", errno: "ENOMEM" },
    { type: "unmerge", fn: "unmerge_and_remove_all_rmap_items", errno: "EINTR" },
  ],
  "ksmd-batch": [{ type: "ksmd-batch", fn: "ksm_do_scan", scanned: 200, seqnr: 4 }],
};

const ALL = Object.values(SAMPLES).flat();

describe("describeEvent", () => {
  it.each(ALL.map((e) => [e.type, e] as const))("words %s plainly and names the function", (_, e) => {
    const d = describeEvent(e);
    expect(d.fn).toBe(`${e.fn}()`);
    expect(d.text.length).toBeGreaterThan(10);
    expect(d.text).not.toMatch(/undefined|NaN|null|\[object/);
  });

  it("gives different words to the different cases of one type", () => {
    for (const events of Object.values(SAMPLES)) {
      const texts = new Set(events.map((e) => describeEvent(e).text));
      expect(texts.size).toBe(events.length);
    }
  });

  it("reads the key events as the teaching material does", () => {
    const [visit] = SAMPLES.visit;
    expect(describeEvent(visit)).toEqual({
      text: "ksmd visits page 0x7f0000003000 of pid 2 in frame 17 (new rmap_item 14)",
      fn: "scan_get_next_rmap_item()",
    });
    expect(describeEvent(SAMPLES.visit[1]).text).toBe(
      "ksmd visits page 0x7f0000003000 of pid 2 in frame 17 (rmap_item 14)",
    );
    expect(describeEvent(SAMPLES.checksum[0])).toEqual({
      text: "checksum of page 17 changed (0x1a2b3c4d → 0x9f000001): volatile, try again next scan",
      fn: "calc_checksum()",
    });
    expect(describeEvent(SAMPLES["merge-two"][0])).toEqual({
      text: "merged pages of items 3 and 9 into new KSM page 40",
      fn: "try_to_merge_two_pages()",
    });
    expect(describeEvent(SAMPLES["merge-two"][1]).text).toBe(
      "could not merge pages of items 3 and 9: max_kernel_pages reached",
    );
    expect(describeEvent(SAMPLES["cow-fault"][0])).toEqual({
      text: "COW fault: pid 2 wrote to KSM page 40, copied to frame 55",
      fn: "do_wp_page()",
    });
    expect(describeEvent(SAMPLES["scan-start"][0])).toEqual({
      text: "unstable tree emptied: scan 3 starts",
      fn: "scan_get_next_rmap_item()",
    });
    expect(describeEvent(SAMPLES["scan-start"][1]).text).toBe(
      "unstable tree emptied (it held 5 pages): scan 1 starts",
    );
    expect(describeEvent(SAMPLES["oom-kill"][0])).toEqual({
      text: "OOM killer chose pid 3, the task it scored highest, and killed it",
      fn: "oom_kill_process()",
    });
  });

  it("says which stable node only when the event knows it", () => {
    const [chained, head, sameId] = SAMPLES["stable-remove"];
    expect(describeEvent(chained).text).toBe("rmap_item 9 leaves stable node 12");
    expect(describeEvent(sameId).text).toBe("rmap_item 7 leaves stable node 7");
    expect(describeEvent(head).text).toBe(
      "rmap_item 12 leaves the stable tree; rmap_item 9 takes its place as the node",
    );
    expect(describeEvent(SAMPLES["stable-insert"][0]).text).toBe(
      "stable node 12 inserted into the empty stable tree, keyed by the contents of page 40",
    );
  });

  it("prints sysfs writes as the shell command and its error", () => {
    const [bad, ok, ro, empty] = SAMPLES["sysfs-write"];
    expect(describeEvent(bad)).toEqual({
      text: "echo 3 > /sys/kernel/mm/ksm/run: Invalid argument",
      fn: "run_store()",
    });
    expect(describeEvent(ok).text).toBe("echo 100 > /sys/kernel/mm/ksm/pages_to_scan");
    expect(describeEvent(ro).text).toBe("echo 1 > /sys/kernel/mm/ksm/pages_shared: Permission denied");
    expect(describeEvent(empty).text).toBe("echo '' > /sys/kernel/mm/ksm/run: Invalid argument");
  });

  it("prints errnos with strerror's words", () => {
    expect(describeEvent(SAMPLES.unmerge[1]).text).toContain("Cannot allocate memory (ENOMEM)");
  });

  it("words prctl(PR_SET_MEMORY_MERGE): merge any on or off, and why it failed", () => {
    const [on, off, nomem, einval] = SAMPLES.prctl;
    expect(describeEvent(on).text).toMatch(
      /^pid 1: prctl\(PR_SET_MEMORY_MERGE, 1\): merge any .*ksm_enable_merge_any/,
    );
    expect(describeEvent(off).text).toMatch(/merge any off — merged pages broken out.*ksm_disable_merge_any/);
    expect(describeEvent(nomem).text).toMatch(/failed: .*\(ENOMEM\): .*stays mergeable/);
    expect(describeEvent(einval).text).toMatch(
      /failed: Invalid argument \(EINVAL\): this kernel has no PR_SET_MEMORY_MERGE/,
    );
    expect(categoryOf(on)).toBe("other");
    expect(isSignificant(on)).toBe(true);
  });

  it("says why madvise failed: EAGAIN when break_ksm found no memory, ENOMEM only for a gap", () => {
    expect(describeEvent(SAMPLES.madvise[1]).text).toBe(
      "pid 1: madvise(0x7f0000003000, 2 pages, MADV_UNMERGEABLE) failed: Resource temporarily unavailable " +
        "(EAGAIN): no memory to break COW on a KSM page (break_ksm's ENOMEM, reported as EAGAIN)",
    );
    expect(describeEvent(SAMPLES.madvise[2]).text).toBe(
      "pid 1: madvise(0x7f0000003000, 2 pages, MADV_MERGEABLE) failed: Cannot allocate memory (ENOMEM): " +
        "part of the range is not mapped (the mapped parts got the advice)",
    );
  });

  it("6.18's chains: an equal page at insert joins the chain as a dup", () => {
    const equal = [{ node: 4, pfn: 9, result: 0 as const }];
    const dup: KsmEvent = {
      type: "stable-insert",
      fn: "stable_tree_insert",
      node: 7,
      kpfn: 5,
      ok: true,
      path: equal,
    };
    expect(describeEvent(dup).text).toBe(
      "stable node 7 added as a dup to the chain of KSM pages with the contents of page 5",
    );
  });

  it("6.18's chains: says which dup a search picked, or that every dup is full", () => {
    const search = (pick: DupPick): KsmEvent => ({
      type: "stable-search",
      fn: "stable_tree_search",
      item: 3,
      pfn: 5,
      path: [{ node: 7, pfn: 12, result: 0 }],
      found: pick.candidate ? pick.dup : null,
      pick,
    });
    const pick = { node: 7, dups: 3, dup: 9, pfn: 12, sharers: 5, maxPageSharing: 256, candidate: true };
    expect(describeEvent(search(pick))).toEqual({
      text:
        "stable tree searched for page 5 (rmap_item 3), 1 comparison: stable node 7 is a chain of 3 dups; " +
        "picked the dup at frame 12 (5 sharers, max_page_sharing 256)",
      fn: "stable_tree_search()",
    });
    expect(describeEvent(search({ ...pick, sharers: 256, candidate: false })).text).toMatch(
      /stable node 7 is a chain of 3 dups, every one full \(max_page_sharing 256\): no match, pair up in the unstable tree$/,
    );
    expect(
      describeEvent(search({ ...pick, dups: 0, dup: 7, sharers: 2, maxPageSharing: 2, candidate: false }))
        .text,
    ).toMatch(
      /same contents as stable node 7, but its KSM page 12 is full \(2 sharers, max_page_sharing 2\)/,
    );
    expect(describeEvent(search({ ...pick, dups: 0, dup: 7, sharers: 1 })).text).toMatch(
      /same contents as stable node 7 \(KSM page 12, 1 sharer, max_page_sharing 256\)$/,
    );
    const [made, grown] = SAMPLES["stable-chain"];
    expect(describeEvent(made)).toEqual({
      text: "stable node 12 became stable node chain 20: its KSM page was full, so KSM page 44 joins it as a second dup (node 21)",
      fn: "stable_tree_insert()",
    });
    expect(describeEvent(grown).text).toBe("KSM page 46 added as dup 23 to stable node chain 20, now 3 dups");
    expect(focusOf(made)).toEqual({ kind: "node", tree: "stable", id: 20 });
    expect(isSignificant(made)).toBe(true);
  });

  it("6.18: smart scan's skips, the zero page, and a write that takes no fault", () => {
    expect(describeEvent(SAMPLES["smart-skip"][0])).toEqual({
      text: "smart scan skips page 0x7f0000003000 of pid 2 (rmap_item 14, age 5): it keeps failing to merge; 1 more scan to skip",
      fn: "should_skip_rmap_item()",
    });
    expect(categoryOf(SAMPLES["smart-skip"][0])).toBe("scan");
    expect(describeEvent(SAMPLES["merge-with-ksm"][2]).text).toBe(
      "page 17 (rmap_item 5) is all zeros: mapped to the zero page (use_zero_pages), one frame saved",
    );
    expect(describeEvent(SAMPLES["plain-write"][0]).text).toBe(
      "pid 2 wrote to 0x7f0000003000 in frame 17: PTE present and writable, no fault (write took 0.15 µs, modelled)",
    );
    expect(categoryOf(SAMPLES["plain-write"][0])).toBe("faults");
    expect(focusOf(SAMPLES["plain-write"][0])).toEqual({ kind: "page", pid: 2, addr: A });
  });

  it("the OOM killer takes run's writer first, as an origin, and no total_vm is claimed", () => {
    const [victim, shell] = SAMPLES["oom-kill"];
    expect(describeEvent(shell).text).toBe(
      "OOM killer chose sh (echo 2 > run): the writer of run is an OOM origin, killed first; the unmerge stops",
    );
    expect(describeEvent(victim).text).not.toMatch(/total_vm/);
    expect(describeEvent(SAMPLES.unmerge[2]).text).toBe(
      "run=2: unmerging failed: Interrupted system call (EINTR), the writer of run was killed; run is back to 0",
    );
  });

  it("writes addresses in hex", () => {
    expect(hex(0x7f0000003000)).toBe("0x7f0000003000");
    expect(hex32(0xabc)).toBe("0x00000abc");
    expect(hex32(-1)).toBe("0xffffffff");
    expect(describeEvent(SAMPLES.mmap[0]).text).toBe("pid 1 mapped 16 pages at 0x7effffff0000");
    expect(describeEvent(SAMPLES.munmap[1]).text).toContain("100 bytes");
  });

  it("throws on an event type it does not know (the never check at run time)", () => {
    expect(() => describeEvent({ type: "bogus", fn: "x" } as unknown as KsmEvent)).toThrow(/unknown event/);
  });
});

describe("categories and significance", () => {
  it("puts every type in one category, and each filter shows its own", () => {
    for (const e of ALL) {
      const c = categoryOf(e);
      expect(matchesFilter(e, "all")).toBe(true);
      for (const f of LOG_FILTERS) if (f !== "all") expect(matchesFilter(e, f)).toBe(c === f);
    }
    expect(categoryOf(SAMPLES.visit[0])).toBe("scan");
    expect(categoryOf(SAMPLES["merge-two"][0])).toBe("merges");
    expect(categoryOf(SAMPLES["cow-fault"][0])).toBe("faults");
    expect(categoryOf(SAMPLES["stable-search"][0])).toBe("tree");
    expect(categoryOf(SAMPLES["sysfs-write"][0])).toBe("other");
  });

  it("announces merges, KSM COW faults and OOM, not visits or tree walks", () => {
    expect(isSignificant(SAMPLES["merge-two"][0])).toBe(true);
    expect(isSignificant(SAMPLES["cow-fault"][0])).toBe(true);
    expect(isSignificant(SAMPLES["cow-fault"][1])).toBe(false);
    expect(isSignificant(SAMPLES["oom-kill"][0])).toBe(true);
    expect(isSignificant(SAMPLES.visit[0])).toBe(false);
    expect(isSignificant(SAMPLES.checksum[0])).toBe(false);
    expect(isSignificant(SAMPLES["unstable-search"][0])).toBe(false);
    expect(isSignificant(SAMPLES["ksmd-batch"][0])).toBe(false);
  });

  it("links events to what they are about", () => {
    expect(focusOf(SAMPLES.visit[0])).toEqual({ kind: "page", pid: 2, addr: A });
    expect(focusOf(SAMPLES["merge-two"][0])).toEqual({ kind: "frame", pfn: 40 });
    expect(focusOf(SAMPLES.checksum[0])).toEqual({ kind: "item", id: 5 });
    expect(focusOf(SAMPLES["stable-insert"][0])).toEqual({ kind: "node", tree: "stable", id: 12 });
    expect(focusOf(SAMPLES.spawn[0])).toBeNull();
  });
});

describe("describeEvent on what the engine really emits", () => {
  let checksummer: Checksummer;
  beforeAll(async () => {
    checksummer = await loadChecksummer();
    await loadEngine();
  });

  const dir = join(import.meta.dirname, "../../../public/scenarios");
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it.each(PROFILES)("words every event of the built-in scenarios on %s", (profile) => {
    const seen = new Set<string>();
    for (const file of files) {
      const scenario = parseScenario(JSON.parse(readFileSync(join(dir, file), "utf8")));
      const frames = scenario.memory_frames ?? defaultFrames(scenario);
      const k = new Kernel({ frames, profile, checksummer });
      k.tracer = (e) => {
        seen.add(e.type);
        const d = describeEvent(e);
        expect(d.text, JSON.stringify(e)).not.toMatch(/undefined|NaN|null|\[object|-1\b/);
        expect(d.fn).toBe(`${e.fn}()`);
      };
      new ScenarioRun(k, scenario, () => {}).runAll();
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it("words a search that meets an equal but full KSM page by the dup it offered (6.18 always says which)", () => {
    const searches = (profile: ProfileName) => {
      const k = newKernel(profile, 64);
      const events = record(k);
      if (profile === "linux-6.18") expect(sysfsWrite(k, "max_page_sharing", "2")).toBe(0);
      mergeableProc(k, "A", [7, 7, 7]);
      scans(k, 4);
      return ofType(events, "stable-search");
    };
    // An equal node met, and no KSM page found: on 6.18 only, and never without the pick.
    const equalUnfound = (e: Extract<KsmEvent, { type: "stable-search" }>) =>
      e.path.at(-1)?.result === 0 && e.found === null;
    expect(searches("linux-2.6.32").filter(equalUnfound)).toEqual([]);
    const full = searches("linux-6.18").filter(equalUnfound);
    expect(full.length).toBeGreaterThan(0);
    for (const e of full) {
      expect(e.pick?.candidate).toBe(false);
      expect(describeEvent(e).text).toMatch(/is full \(2 sharers, max_page_sharing 2\): no match, pair up/);
    }
  });
});

describe("a write's modelled time", () => {
  it("follows the fault's text, and only where the engine gave one", () => {
    const cow = {
      type: "cow-fault",
      fn: "do_wp_page",
      pid: 2,
      addr: 0x1000,
      from: 40,
      to: 55,
      ksm: true,
    } as const;
    expect(describeEvent({ ...cow, ns: 2800 }).text).toMatch(
      /copied to frame 55 \(write took 2\.8 µs, modelled\)$/,
    );
    expect(describeEvent(cow).text).not.toContain("write took");
  });
});
