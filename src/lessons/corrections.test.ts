import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Checksummer,
  Kernel,
  type KsmEvent,
  loadChecksummer,
  MADV_MERGEABLE,
  PAGE_SIZE,
  type ProfileName,
  runOnEveryProfile,
  type Snapshot,
  sysfsRead,
  sysfsWrite,
  waitScans,
} from "../engine";
import { runLesson } from "./headless";
import { LESSONS } from "./index";
import type { Lesson } from "./lesson";

/*
 * Issue 12's table of wrong teaching claims, row by row: the narration no
 * longer says the wrong thing, says what the kernel does, and the engine,
 * run through the lesson's own scenario, does what the new text says.
 */

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

function lesson(id: string): Lesson {
  const found = LESSONS.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
}

/** All of a lesson's narration, as one string with single spaces. */
function narration(l: Lesson): string {
  return l.beats
    .map((b) => b.say)
    .join(" ")
    .replace(/\s+/g, " ");
}

function pidOf(s: Snapshot, name: string): number {
  const p = s.processes.find((q) => q.name === name);
  if (!p) throw new Error(`no process ${name}`);
  return p.pid;
}

describe("unmerge-oom: run's writer is the OOM origin; others by total_vm (2.6.32) or RSS (6.18)", () => {
  const l = lesson("unmerge-oom");

  it("quotes ksm.txt's warning as written, about MADV_UNMERGEABLE and EAGAIN", () => {
    const text = narration(l);
    expect(text).toContain("possibly failing with EAGAIN");
    expect(text).toMatch(/warns of it for `madvise\(MADV_UNMERGEABLE\)`/);
    expect(text).toMatch(/PF_OOM_ORIGIN[\s\S]*set_current_oom_origin/);
    expect(text).toMatch(/`oom_badness\(\)` has no `total_vm` term/);
  });

  it.each(["linux-2.6.32", "linux-6.18"] as const)(
    "%s: the shell is killed first and nobody dies",
    (profile) => {
      const { beats } = runLesson(l, checksummer, profile);
      const last = beats.at(-1);
      const kills = last?.events.filter((e) => e.type === "oom-kill") ?? [];
      expect(kills.map((e) => e.type === "oom-kill" && e.name)).toEqual(["sh (echo 2 > run)"]);
      expect(last?.snapshot.processes.map((p) => p.name)).toEqual(["merged", "lazy", "worker"]);
    },
  );

  it("without the origin, 2.6.32 would take lazy (total_vm) and 6.18 merged (RSS + page tables)", () => {
    const before = l.beats.findIndex((b) => b.ask?.probe.kind === "gone");
    const victim = (profile: ProfileName) => {
      const { kernel: k, beats } = runLesson(l, checksummer, profile, before);
      const s = beats.at(-1)?.snapshot as Snapshot;
      const chosen = k.selectBadProcess();
      return s.processes.find((p) => p.pid === chosen?.pid)?.name;
    };
    expect(victim("linux-2.6.32")).toBe("lazy");
    expect(victim("linux-6.18")).toBe("merged");
  });
});

describe("checksum-gate: only 6.18 spares a volatile page the stable tree search", () => {
  const l = lesson("checksum-gate");

  it("no longer says a volatile page never costs a tree search, in either kernel", () => {
    const text = narration(l);
    expect(text).not.toContain("it never costs a tree search");
    expect(text).toMatch(/stable tree search at every visit in 2\.6\.32/);
    expect(text).toMatch(/does not call `cmp_and_merge_page\(\)` at all for a KSM page already in that tree/);
  });

  /** The kinds of event about A's page 2 in the beat where it is written again and scanned. */
  function aboutPage2(profile: ProfileName): string[] {
    const beat = l.beats.findIndex(
      (b) => b.ask?.probe.kind === "value" && b.ask.probe.of === "pages_volatile",
    );
    const { beats } = runLesson(l, checksummer, profile, beat + 1);
    const s = beats[beat].snapshot;
    const a = s.processes.find((p) => p.name === "A");
    const heap = a?.regions.find((r) => r.name === "heap");
    const addr = (heap?.start ?? 0) + 2 * PAGE_SIZE;
    const visit = beats[beat].events.find((e) => e.type === "visit" && e.pid === a?.pid && e.addr === addr);
    if (visit?.type !== "visit") throw new Error("page 2 was not visited");
    return beats[beat].events
      .filter((e) => "item" in e && e.item === visit.item && e.type !== "visit")
      .map((e) => (e.type === "checksum" ? `checksum${e.volatile ? " volatile" : ""}` : e.type));
  }

  it("2.6.32 searches the stable tree before the checksum; 6.18 only takes the checksum", () => {
    expect(aboutPage2("linux-2.6.32")).toEqual(["stable-search", "checksum volatile"]);
    expect(aboutPage2("linux-6.18")).toEqual(["checksum volatile"]);
  });

  it("2.6.32 does not even call cmp_and_merge_page for a KSM page already in the stable tree", () => {
    const { beats } = runLesson(l, checksummer, "linux-2.6.32", 4);
    const merged = beats[2].snapshot.slots.flatMap((sl) =>
      sl.items.filter((it) => it.where.startsWith("stable")),
    );
    expect(merged).toHaveLength(4);
    const ids = new Set(merged.map((it) => it.id));
    const touched = beats[3].events.filter(
      (e) => "item" in e && ids.has(e.item as number) && e.type !== "visit",
    );
    expect(touched).toEqual([]);
  });
});

describe("exit-cleanup: an exiting mm's slot moves right after the cursor, a new one just behind it", () => {
  const l = lesson("exit-cleanup");

  it("says so, naming list_move", () => {
    const text = narration(l);
    expect(text).not.toMatch(/moved just behind the cursor/);
    expect(text).toMatch(/moved \(`list_move`\) right after the scan cursor: it is the next slot ksmd scans/);
  });

  it("the engine puts D's new slot last and B's exiting slot first, and ksmd then visits B first", () => {
    const { beats } = runLesson(l, checksummer, "linux-2.6.32");
    const [registered, exited] = [beats[2].snapshot, beats[4].snapshot];
    expect(registered.cursor.pid).toBeNull(); // between scans: the cursor is at the list's head
    expect(registered.slots.map((s) => s.pid).at(-1)).toBe(pidOf(registered, "D"));
    const b = pidOf(beats[3].snapshot, "B");
    expect(exited.slots.map((s) => s.pid)[0]).toBe(b);
    const scan = beats[6].events.filter((e) => e.type === "slot-removed" || e.type === "visit");
    expect(scan[0]).toMatchObject({ type: "slot-removed", pid: b });
  });
});

describe("side-by-side: 6.18 makes the page being scanned the KSM page; smart scan on stage", () => {
  const l = lesson("side-by-side");

  it("says which page becomes the KSM page, and names 6.18's own features", () => {
    const text = narration(l);
    expect(text).not.toMatch(/turned the first page itself/);
    expect(text).toMatch(/6\.18's turned B's page itself into the KSM page and remapped A's/);
    expect(text).toMatch(
      /should_skip_rmap_item[\s\S]*max_page_sharing[\s\S]*use_zero_pages[\s\S]*PR_SET_MEMORY_MERGE/,
    );
  });

  it.each(["linux-2.6.32", "linux-6.18"] as const)("%s: the merge's frame", (profile) => {
    const { beats } = runLesson(l, checksummer, profile, 2);
    const events = beats[1].events;
    const merge = events.find((e) => e.type === "merge-two" && e.ok);
    if (merge?.type !== "merge-two") throw new Error("no merge");
    const frameOf = (item: number) => {
      const v = events.findLast(
        (e) => e.type === "visit" && e.item === item && events.indexOf(e) < events.indexOf(merge),
      );
      return v?.type === "visit" ? { pid: v.pid, pfn: v.pfn } : null;
    };
    const [scanned, inTree] = [frameOf(merge.items[0]), frameOf(merge.items[1])];
    const s = beats[1].snapshot;
    expect(scanned?.pid).toBe(pidOf(s, "B"));
    expect(inTree?.pid).toBe(pidOf(s, "A"));
    if (profile === "linux-6.18") expect(merge.kpfn).toBe(scanned?.pfn);
    else expect([scanned?.pfn, inTree?.pfn]).not.toContain(merge.kpfn);
  });

  it("after two more scans 6.18 skips the unique pages: volatile, pages_skipped 2, general_profit -192", () => {
    const lines = runOnEveryProfile(l.scenario, checksummer);
    const at = (p: ProfileName) => lines[p].find((line) => "label" in line && line.label === "smart-scan");
    expect(at("linux-2.6.32")).toMatchObject({ pages_unshared: 3, pages_volatile: 0 });
    expect(at("linux-6.18")).toMatchObject({
      pages_shared: 1,
      pages_unshared: 0,
      pages_volatile: 2,
      pages_skipped: 2,
      general_profit: -192,
    });
  });
});

describe("stable-tree: the sysfs pages_sharing was exclusive before patch 2 too", () => {
  it("says patch 2 changed the kernel's variable, not the file", () => {
    const text = narration(lesson("stable-tree"));
    expect(text).not.toMatch(/before it, pages_sharing included the shared ones/);
    expect(text).toMatch(
      /the sysfs file always showed them so; patch 2 of the series only made the kernel's own variable/,
    );
    expect(text).toMatch(/copies the page being scanned into it/);
  });
});

describe("what-is-ksm: run = 1 for immediate use; a write to a merged page takes a COW fault", () => {
  const l = lesson("what-is-ksm");

  it("quotes ksm.txt's reasons for the defaults and no longer says nothing changes but memory", () => {
    const text = narration(l);
    expect(text).not.toMatch(/nothing changes for the program but the memory used/);
    expect(text).not.toMatch(/`run` = 1 included, "for demonstration purposes"/);
    expect(text).toContain('`run` = 1 "for immediate use by apps which register"');
    expect(text).toMatch(/copy-on-write fault \(`do_wp_page\(\)` copies the page\), measurably slower/);
  });

  it.each(["linux-2.6.32", "linux-6.18"] as const)(
    "%s: the engine copies on a write to a KSM page only",
    (profile) => {
      const k = new Kernel({ frames: 64, profile, checksummer });
      const a = k.spawn("A").pid;
      const merged = k.mmap(a, 2) as number;
      const own = k.mmap(a, 1) as number;
      k.fill(a, merged, 2, 0x5a5a5a5a);
      k.fill(a, own, 1, 0x5a5a5a5a);
      k.madvise(a, merged, 2 * PAGE_SIZE, MADV_MERGEABLE);
      sysfsWrite(k, "run", "1");
      waitScans(k, 3);
      const events: KsmEvent[] = [];
      k.tracer = (e) => events.push(e);
      k.writeByte(a, own, 1);
      expect(events.filter((e) => e.type === "cow-fault")).toEqual([]);
      k.writeByte(a, merged, 1);
      expect(events.filter((e) => e.type === "cow-fault")).toMatchObject([{ ksm: true }]);
      expect(k.readByte(a, merged + 1)).toBe(0x5a);
    },
  );
});

describe("max-kernel-pages: 6.18's max_page_sharing is modelled, with chains of dups", () => {
  it("says what the limit does instead of calling it unmodelled", () => {
    const text = narration(lesson("max-kernel-pages"));
    expect(text).not.toMatch(/not modelled|as if it were unlimited/);
    expect(text).toMatch(/`max_page_sharing` \(default 256\)/);
  });

  it("the engine: with max_page_sharing 2, six equal pages make a chain of three dups", () => {
    const k = new Kernel({ frames: 64, profile: "linux-6.18", checksummer });
    expect(sysfsRead(k, "max_page_sharing")).toBe("256\n");
    expect(sysfsWrite(k, "max_page_sharing", "2")).toBe(0);
    const a = k.spawn("A").pid;
    const start = k.mmap(a, 6) as number;
    k.fill(a, start, 6, 0x77777777);
    k.madvise(a, start, 6 * PAGE_SIZE, MADV_MERGEABLE);
    sysfsWrite(k, "run", "1");
    waitScans(k, 4);
    expect([sysfsRead(k, "stable_node_chains"), sysfsRead(k, "stable_node_dups")]).toEqual(["1\n", "3\n"]);
    expect([sysfsRead(k, "pages_shared"), sysfsRead(k, "pages_sharing")]).toEqual(["3\n", "3\n"]);
  });
});

describe("the docs", () => {
  const engine = readFileSync(new URL("../engine/README.md", import.meta.url), "utf8").replace(/\s+/g, " ");

  it("engine README: the page being scanned becomes 6.18's KSM page; MADV_UNMERGEABLE fails with EAGAIN", () => {
    expect(engine).not.toMatch(/the first page itself becomes the KSM page/);
    expect(engine).toMatch(/the page being scanned becomes the KSM page/);
    expect(engine).not.toMatch(/so it can fail with `ENOMEM` or wake the OOM killer/);
    expect(engine).toMatch(/`MADV_UNMERGEABLE`[^.]*fails with `EAGAIN`/);
    expect(engine).not.toMatch(/max_page_sharing[^|]*unbounded/);
  });

  it("the unmerge-oom preset says the writer of run is killed first, not the largest total_vm", () => {
    const preset = JSON.parse(
      readFileSync(new URL("../../public/scenarios/unmerge-oom.json", import.meta.url), "utf8"),
    );
    expect(preset.description).not.toMatch(/largest total_vm/);
    expect(preset.description).toMatch(/OOM origin[\s\S]*takes it first/);
  });
});
