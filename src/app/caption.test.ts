import { beforeAll, describe, expect, it } from "vitest";
import type { KsmEvent } from "../engine";
import { loadEngine, mergeableProc, newKernel, scans } from "../engine/testing";
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
