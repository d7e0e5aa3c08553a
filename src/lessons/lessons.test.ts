import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer, PROFILES, type ProfileName, parseScenario } from "../engine";
import { fakeSnapshot } from "../views/stats/testing";
import { runLesson } from "./headless";
import { LESSONS } from "./index";
import { atBeatEnd, beatAt, beatEnds, evaluate, type Lesson, list, scenarioText } from "./lesson";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

/**
 * The engine's answer to each beat's question (undefined: no question), as
 * the narration states it. If the engine changes so that one differs, the
 * narration around it is no longer true.
 */
const EXPECTED: Record<string, Partial<Record<ProfileName, (string | undefined)[]>>> = {
  "what-is-ksm": { "linux-2.6.32": [undefined, "0", "2", "yes", "same"] },
  "checksum-gate": {
    "linux-2.6.32": [undefined, "pages_volatile and full_scans", "2", "none", "1", "unstable"],
  },
  "unstable-tree": { "linux-2.6.32": [undefined, "8", "8", "unstable", "none", "yes"] },
  "stable-tree": {
    "linux-2.6.32": [undefined, "2", "3", "pages_sharing, pages_volatile and full_scans", "2"],
  },
  "cow-fault": {
    "linux-2.6.32": [undefined, "3", "no", "3", "pages_sharing, pages_volatile and full_scans", "unstable"],
  },
  fork: { "linux-2.6.32": [undefined, "1", "yes", "3", "none", "yes"] },
  "break-cow-unshared": { "linux-2.6.32": [undefined, undefined, "same", "1", "unstable"] },
  "max-kernel-pages": { "linux-2.6.32": [undefined, "3", "none", "3"] },
  "unmerge-oom": { "linux-2.6.32": [undefined, "1", "33", "none"] },
  "exit-cleanup": { "linux-2.6.32": [undefined, "3", undefined, "down", "none", "3", "1"] },
  "side-by-side": {
    "linux-2.6.32": [undefined, "1", "1", "2", "no", "1", "0"],
    "linux-6.18": [undefined, "1", "1", "2", "no", "1", "0"],
  },
  "page-sharing": { "linux-6.18": [undefined, "3", "1"] },
  "smart-scan": { "linux-6.18": [undefined, "28", "no", "yes"] },
  "zero-pages": { "linux-6.18": [undefined, "0", "down"] },
  profit: { "linux-6.18": [undefined, "128", "-384", "-512"] },
  "merge-any": { "linux-6.18": [undefined, "yes", "1", "no"] },
  "side-channel": { "linux-6.18": [undefined, "2.8 µs", "0.15 µs", "0.15 µs"] },
};

describe("the lessons", () => {
  it("have distinct ids, each with an expected answer list", () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    expect(Object.keys(EXPECTED).sort()).toEqual(LESSONS.map((l) => l.id).sort());
  });

  describe.each(LESSONS.map((l) => [l.id, l] as [string, Lesson]))("%s", (_id, lesson) => {
    it("has a scenario the worker accepts, in small memory", () => {
      expect(() => parseScenario(JSON.parse(scenarioText(lesson)))).not.toThrow();
      expect(lesson.scenario.memory_frames).toBeLessThanOrEqual(512);
    });

    it("has an introduction, then beats that each run steps, within the scenario", () => {
      const [intro, ...rest] = lesson.beats;
      expect(intro.steps).toBe(0);
      expect(intro.ask).toBeUndefined();
      for (const b of rest) expect(b.steps).toBeGreaterThan(0);
      for (const b of lesson.beats) expect(b.say.trim()).not.toBe("");
      expect(beatEnds(lesson).at(-1)).toBeLessThanOrEqual(lesson.scenario.steps.length);
    });

    it("asks at least two questions with distinct choices", () => {
      const asks = lesson.beats.flatMap((b) => (b.ask ? [b.ask] : []));
      expect(asks.length).toBeGreaterThanOrEqual(2);
      for (const q of asks) expect(new Set(q.choices).size).toBe(q.choices.length);
    });

    // The side-by-side lesson is true on either kernel; the others narrate their own profile.
    const profiles = lesson.id === "side-by-side" ? PROFILES : [lesson.profile];
    it.each(profiles.map((p) => [p]))(
      "runs beat by beat on %s: every answer is a choice, the one the narration states",
      (profile) => {
        const runs = runLesson(lesson, checksummer, profile).beats;
        runs.forEach((r, i) => {
          const ask = lesson.beats[i].ask;
          if (ask) expect(ask.choices).toContain(r.answer);
        });
        expect(runs.map((r) => r.answer)).toEqual(EXPECTED[lesson.id][profile]);
      },
    );
  });
});

describe("beatAt", () => {
  const lesson = { beats: [{ steps: 0 }, { steps: 3 }, { steps: 2 }] } as Lesson;

  it("is the last beat reached, also part-way to the next one", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => beatAt(lesson, n))).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it("moves back when the scenario position does", () => {
    expect(beatAt(lesson, 5)).toBe(2);
    expect(beatAt(lesson, 3)).toBe(1);
  });

  it("knows when a position is exactly a beat's end", () => {
    expect(atBeatEnd(lesson, 1, 3)).toBe(true);
    expect(atBeatEnd(lesson, 1, 4)).toBe(false);
  });
});

describe("evaluate", () => {
  const before = fakeSnapshot("linux-2.6.32", { pages_shared: 1, pages_sharing: 3, full_scans: 2 });
  const after = fakeSnapshot("linux-2.6.32", {
    pages_shared: 1,
    pages_sharing: 2,
    pages_volatile: 1,
    full_scans: 3,
  });

  it("reads changes, values and the counters that moved", () => {
    expect(evaluate({ kind: "change", of: "pages_sharing" }, before, after)).toBe("down");
    expect(evaluate({ kind: "change", of: "pages_shared" }, before, after)).toBe("same");
    expect(evaluate({ kind: "value", of: "full_scans" }, before, after)).toBe("3");
    expect(evaluate({ kind: "moved" }, before, after)).toBe("pages_sharing, pages_volatile and full_scans");
    expect(evaluate({ kind: "moved", among: ["pages_shared"] }, before, after)).toBe("none");
  });

  it("reads compare-profiles lines, and says when there are none", () => {
    const line = {
      scenario: "s",
      label: "x",
      pages_shared: 4,
      pages_sharing: 0,
      pages_unshared: 0,
      pages_volatile: 0,
      full_scans: 1,
    };
    const probe = { kind: "compared", profile: "linux-6.18", label: "x", counter: "pages_shared" } as const;
    expect(evaluate(probe, before, after, { "linux-6.18": [line] })).toBe("4");
    expect(() => evaluate(probe, before, after)).toThrow(/compare the profiles/);
  });

  it("lists names in words", () => {
    expect([[], ["a"], ["a", "b"], ["a", "b", "c"]].map(list)).toEqual([
      "none",
      "a",
      "a and b",
      "a, b and c",
    ]);
  });
});
