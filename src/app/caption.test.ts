import { beforeAll, describe, expect, it } from "vitest";
import type { KsmEvent } from "../engine";
import { sysfsWrite } from "../engine";
import { fillPages, loadEngine, mergeableProc, newKernel, pageAddr, scans } from "../engine/testing";
import { comparisonsIn, eventsUpTo } from "../store/stage";
import { type CaptionState, caption, START_HINT } from "./caption";

beforeAll(loadEngine);

const IDLE: CaptionState = {
  stepEvents: [],
  stepLines: [],
  compare: null,
  stepNote: null,
  timeline: { position: 0, first: 0, length: 0, label: null, scanMarks: [] },
  snapshot: null,
};

/**
 * A machine whose stable tree holds seven KSM pages (two processes with the
 * same seven values), then a third process whose pages ksmd looks up there:
 * the events of each page step, until a search walked at least two nodes.
 */
function stepWithLongSearch(): KsmEvent[] {
  const k = newKernel();
  const values = [10, 20, 30, 40, 50, 60, 70];
  mergeableProc(k, "a", values);
  mergeableProc(k, "b", values);
  scans(k, 3);
  mergeableProc(k, "c", [65, 15, 35]);
  for (let i = 0; i < 50; i++) {
    const events: KsmEvent[] = [];
    k.tracer = (e) => events.push(e);
    k.ksm.ksmDoScan(1);
    const search = events.find((e) => e.type === "stable-search");
    if (search?.type === "stable-search" && search.path.length >= 2) return events;
  }
  throw new Error("no stable tree search of two comparisons");
}

describe("stepping by comparison", () => {
  it("replays a stable_tree_search one comparison at a time, in the engine's order", () => {
    const events = stepWithLongSearch();
    const compares = comparisonsIn(events);
    const search = events.find((e) => e.type === "stable-search");
    if (search?.type !== "stable-search") throw new Error("no search");
    expect(compares.slice(0, search.path.length).map((c) => c.compare)).toEqual(search.path);
    for (let n = 0; n < search.path.length; n++) {
      const upTo = eventsUpTo(events, n);
      const cut = upTo[upTo.length - 1];
      expect(cut.type).toBe("stable-search");
      expect((cut as typeof search).path).toEqual(search.path.slice(0, n + 1));
      // Nothing the search led to (a merge, the unstable tree) shows before its last comparison.
      expect(upTo.some((e) => e.type === "unstable-search" || e.type === "merge-with-ksm")).toBe(false);
      const text = caption({ ...IDLE, stepEvents: events, compare: n });
      const c = search.path[n];
      expect(text).toContain(`Comparison ${n + 1} of ${compares.length} (stable_tree_search)`);
      expect(text).toContain(`stable node ${c.node}`);
      expect(text).toContain(c.result < 0 ? "go left" : c.result > 0 ? "go right" : "equal contents");
    }
  });

  it("says the whole page step once the comparisons are over", () => {
    const events = stepWithLongSearch();
    const text = caption({ ...IDLE, stepEvents: events });
    expect(text).toMatch(/^ksmd visits page 0x[0-9a-f]+ of pid \d+: /);
  });
});

describe("caption", () => {
  it("points a newcomer at the lessons before anything happened", () => {
    expect(caption(IDLE)).toBe(START_HINT);
  });

  it("says a scenario snapshot by its counters, not as JSON", () => {
    const line = {
      scenario: "s",
      label: "merged",
      pages_shared: 1,
      pages_sharing: 3,
      pages_unshared: 0,
      pages_volatile: 0,
      full_scans: 2,
    };
    const text = caption({ ...IDLE, stepLines: [line] });
    expect(text).toBe(
      "Snapshot “merged”: pages_shared 1, pages_sharing 3, pages_unshared 0, pages_volatile 0, full_scans 2.",
    );
  });

  it("puts a refusal first", () => {
    expect(caption({ ...IDLE, stepNote: "ksmd cannot step." })).toBe("ksmd cannot step.");
  });
});

/** The events of each one-page step of ksmd until `until` holds for one; throws if none does. */
function stepUntil(k: ReturnType<typeof newKernel>, until: (events: KsmEvent[]) => boolean): KsmEvent[] {
  for (let i = 0; i < 200; i++) {
    const events: KsmEvent[] = [];
    k.tracer = (e) => events.push(e);
    k.ksm.ksmDoScan(1);
    if (until(events)) return events;
  }
  throw new Error("no such step");
}

describe("6.18 on the caption", () => {
  it("at the equal node of a chain, says which dup the search picked and why", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "max_page_sharing", "4")).toBe(0);
    // Pruning at every search: stable_node_dup() weighs every dup (else it takes the first with room).
    expect(sysfsWrite(k, "stable_node_chains_prune_millisecs", "0")).toBe(0);
    const a = mergeableProc(k, "A", Array(10).fill(0x5a));
    scans(k, 2); // a chain of dups of 4, 4 and 2
    fillPages(k, a, [0x99], 0); // one dup drops to 3 sharers
    mergeableProc(k, "B", [0x5a]);
    const events = stepUntil(k, (ev) => ev.some((e) => e.type === "stable-search" && e.pick?.candidate));
    const compares = comparisonsIn(events);
    const last = compares.findIndex((c) => c.compare.result === 0);
    const text = caption({ ...IDLE, stepEvents: events, compare: last });
    expect(text).toMatch(
      /memcmp = 0: equal contents, the walk stops here; stable node \d+ is a chain of 3 dups; picked the dup at frame \d+ \(3 sharers, max_page_sharing 4\)\.$/,
    );
    // Before the equal node, no pick is told.
    if (last > 0) expect(caption({ ...IDLE, stepEvents: events, compare: 0 })).not.toMatch(/picked/);
    // The whole step: the merge, then which dup it went to.
    expect(caption({ ...IDLE, stepEvents: events })).toMatch(
      /: page \d+ \(rmap_item \d+\) merged into KSM page (\d+): one frame saved\. Stable node \d+ is a chain of 3 dups; picked the dup at frame \1 \(3 sharers, max_page_sharing 4\)\.$/,
    );
  });

  it("tells the step that turned a stable node into a chain", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "max_page_sharing", "2")).toBe(0);
    mergeableProc(k, "A", [7, 7, 7, 7]);
    const events = stepUntil(k, (ev) => ev.some((e) => e.type === "stable-chain"));
    expect(caption({ ...IDLE, stepEvents: events })).toMatch(
      /^ksmd visits page 0x[0-9a-f]+ of pid \d+: merged pages of items \d+ and \d+ into new KSM page \d+\. Stable node \d+ became stable node chain \d+: its KSM page was full, so KSM page \d+ joins it as a second dup \(node \d+\)\.$/,
    );
  });

  it("tells the pages smart scan passed over before the one visited", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1, 2]);
    scans(k, 4); // ages 0-3: from now on A's unique pages are skipped now and then
    mergeableProc(k, "B", [3]); // young: visited at every scan
    const n = (ev: KsmEvent[], type: KsmEvent["type"]) => ev.filter((e) => e.type === type).length;
    const events = stepUntil(k, (ev) => n(ev, "smart-skip") > 0 && n(ev, "visit") > n(ev, "smart-skip"));
    expect(n(events, "smart-skip")).toBe(2); // both of A's pages, then B's is visited
    expect(caption({ ...IDLE, stepEvents: events })).toMatch(
      /^Smart scan passed over 2 pages that keep failing to merge\. ksmd visits page 0x[0-9a-f]+ of pid 2: /,
    );
  });

  it("says a step that only passed pages over", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1, 2, 3]);
    scans(k, 4);
    const events = stepUntil(k, (ev) => ev.some((e) => e.type === "scan-end"));
    expect(caption({ ...IDLE, stepEvents: events })).toBe(
      "Smart scan passed over 3 pages that keep failing to merge. The full scan ends.",
    );
  });

  it("counts skips and new dups in a batch", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "max_page_sharing", "2")).toBe(0);
    mergeableProc(k, "A", [7, 7, 7, 7, 1, 2]);
    const events: KsmEvent[] = [];
    k.tracer = (e) => events.push(e);
    scans(k, 8);
    const text = caption({ ...IDLE, stepEvents: events });
    expect(text).toMatch(
      /ksmd scanned \d+ pages: .*1 new dup in stable node chains, \d+ pages passed over by smart scan/,
    );
  });

  it("says a write that took no fault, with its modelled time", () => {
    const k = newKernel("linux-6.18");
    const a = mergeableProc(k, "A", [1]);
    const events: KsmEvent[] = [];
    k.tracer = (e) => events.push(e);
    expect(k.writeByte(a.pid, pageAddr(a, 0), 5)).toBe(0);
    expect(caption({ ...IDLE, stepEvents: events })).toBe(
      `Pid ${a.pid} wrote to 0x${pageAddr(a, 0).toString(16)} in frame ${events[0].type === "plain-write" ? events[0].pfn : -1}: PTE present and writable, no fault (write took 0.15 µs, modelled).`,
    );
  });
});
