import { renderToString } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutputLine } from "../engine";
import { useStore } from "../store/store";
import { fakeSnapshot } from "../views/stats/testing";
import type { Command, Reply } from "../worker/protocol";
import { LESSONS, lessonById } from "./index";
import {
  CompareTable,
  compareRows,
  LessonPanel,
  LessonSection,
  LessonView,
  type LessonViewProps,
} from "./LessonPanel";
import { choose, closeLesson, nextBeat, openLesson, useProgress, watchEngine } from "./progress";

/** The panel as the stores stand now (server rendering reads a store's initial state only). */
const panel = () =>
  renderToString(<LessonSection app={useStore.getState()} progress={useProgress.getState()} />);

const text = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([.,)])/g, "$1")
    .trim();

/**
 * A fake engine: answers commands, then (as the worker does) sends an update
 * with the scenario position and a snapshot whose counters `counters(next)` gives.
 */
function fakeEngine(counters: (next: number) => Parameters<typeof fakeSnapshot>[1] = () => ({})) {
  const sent: Command[] = [];
  let steps = 0;
  const update = (name: string, next: number, profile = useStore.getState().profile) =>
    setTimeout(() =>
      useStore.setState({
        profile,
        snapshot: fakeSnapshot(profile, counters(next)),
        scenario: { name, description: "", steps, next, lines: [] },
      }),
    );
  const send = async (cmd: Command): Promise<Reply> => {
    sent.push(cmd);
    const s = useStore.getState().scenario;
    if (cmd.type === "load-scenario") {
      const scenario = JSON.parse(cmd.text);
      steps = scenario.steps.length;
      update(scenario.name, 0, cmd.profile);
    } else if (cmd.type === "scenario-step" && s && typeof cmd.count === "number") {
      update(s.name, s.next + cmd.count);
    } else if (cmd.type === "compare-profiles") {
      const line = (label: string, shared: number): OutputLine => ({
        scenario: "x",
        label,
        pages_shared: shared,
        pages_sharing: 1,
        pages_unshared: 0,
        pages_volatile: 0,
        full_scans: 2,
      });
      return {
        type: "reply",
        id: 1,
        lines: { "linux-2.6.32": [line("merged", 1)], "linux-6.18": [line("merged", 2)] },
      };
    }
    return { type: "reply", id: 1 };
  };
  useStore.setState({ send });
  return sent;
}

/** Let the fake engine's pending updates arrive. */
const settle = () => new Promise((r) => setTimeout(r, 5));

let unwatch: () => void = () => {};
beforeEach(() => {
  useStore.setState({ lesson: null, scenario: null, snapshot: null, profile: "linux-2.6.32", messages: [] });
  unwatch = watchEngine();
});
afterEach(() => {
  unwatch();
  closeLesson();
});

describe("LessonPanel", () => {
  it("lists every lesson when none is open", () => {
    const html = renderToString(<LessonPanel />);
    expect(html).toContain("Lessons</h2>");
    expect(html.match(/<li>/g)).toHaveLength(LESSONS.length);
    for (const l of LESSONS) expect(text(html)).toContain(l.title);
  });

  it("opens a lesson: loads its scenario on its kernel and names it in the store", async () => {
    const sent = fakeEngine();
    await openLesson("cow-fault");
    await settle();
    const lesson = lessonById("cow-fault")!;
    expect(sent[0]).toMatchObject({ type: "load-scenario", profile: "linux-2.6.32" });
    expect(JSON.parse((sent[0] as { text: string }).text)).toEqual(lesson.scenario);
    expect(useStore.getState().lesson).toBe("cow-fault");
    expect(useProgress.getState().loading).toBe(false);
    const html = panel();
    expect(text(html)).toContain(`Beat 1 of ${lesson.beats.length}`);
    expect(html).toMatch(/<div class="lesson-narration" aria-live="polite">/);
    expect(text(html)).toContain(lesson.beats[1].ask!.prompt);
  });

  it("runs a beat's steps on Next, then reveals the engine's answer", async () => {
    const sent = fakeEngine((next) => ({ pages_shared: 1, pages_sharing: next > 0 ? 3 : 0 }));
    await openLesson("cow-fault");
    await settle();
    const lesson = lessonById("cow-fault")!;

    // Next waits for a prediction.
    await nextBeat();
    expect(sent.filter((c) => c.type === "scenario-step")).toHaveLength(0);
    expect(panel()).toMatch(/<button type="submit" disabled=""/);

    choose(1, "4");
    await nextBeat();
    await settle();
    expect(sent.at(-1)).toEqual({ type: "scenario-step", count: lesson.beats[1].steps });
    expect(useProgress.getState().revealed).toEqual({ 1: "3" });
    const html = text(panel());
    expect(html).toContain("Not this time. You predicted 4. The engine says: 3.");
    expect(html).toContain("Beat 2 of");
  });

  it("moves back with the scenario position and asks again", async () => {
    fakeEngine((next) => ({ pages_sharing: next > 0 ? 3 : 0 }));
    await openLesson("cow-fault");
    await settle();
    choose(1, "3");
    await nextBeat();
    await settle();
    expect(text(panel())).toContain("Right. You predicted 3.");

    const s = useStore.getState().scenario!;
    useStore.setState({ scenario: { ...s, next: 2 } }); // back in time, part-way into beat 1
    expect(useProgress.getState().revealed).toEqual({});
    expect(useProgress.getState().chosen).toEqual({});
    const html = text(panel());
    expect(html).toContain("Beat 1 of");
    expect(html).toContain("part-way to the next beat");
  });

  it("asks for both kernels' lines in a comparing lesson and shows the rows reached", async () => {
    const sent = fakeEngine();
    await openLesson("side-by-side");
    await settle();
    expect(sent.map((c) => c.type)).toEqual(["load-scenario", "compare-profiles"]);
    const compared = useProgress.getState().compared!;
    expect(compareRows(compared, [])).toEqual([]);
    const printed = compared["linux-2.6.32"]!;
    const rows = compareRows(compared, printed);
    expect(rows.map((r) => r.label)).toEqual(["merged"]);
    const html = renderToString(<CompareTable rows={rows} />);
    expect(html).toContain("<caption>");
    expect(text(html)).toContain(
      "snapshot merged counter 2.6.32 6.18 pages_shared 1 2 (differs) pages_sharing 1 1 pages_unshared 0 0",
    );
    expect(html.match(/class="lesson-differs"/g)).toHaveLength(1);
  });

  it("tells when the engine runs another scenario", async () => {
    fakeEngine();
    await openLesson("fork");
    await settle();
    useStore.setState({
      scenario: { name: "two-processes-merge", description: "", steps: 3, next: 0, lines: [] },
    });
    expect(text(panel())).toContain("no longer runs this lesson's scenario");
  });
});

describe("LessonView", () => {
  const lesson = lessonById("fork")!;
  const props = (over: Partial<LessonViewProps> = {}): LessonViewProps => ({
    lesson,
    position: 0,
    move: { beat: 1, asks: true, ready: false },
    chosen: undefined,
    revealed: undefined,
    busy: false,
    loading: false,
    synced: true,
    error: null,
    compare: null,
    onChoose: () => {},
    onNext: () => {},
    onRestart: () => {},
    onClose: () => {},
    ...over,
  });

  it("shows the question as a radio group, Next disabled until a choice is made", () => {
    const html = renderToString(<LessonView {...props()} />);
    expect(html).toContain("<fieldset");
    expect(text(html)).toContain(`Predict: ${lesson.beats[1].ask!.prompt}`);
    expect(html.match(/type="radio"/g)).toHaveLength(lesson.beats[1].ask!.choices.length);
    expect(html).toMatch(/<button type="submit" disabled=""/);
    for (const label of ["Restart", "Close lesson"]) expect(html).toContain(`>${label}</button>`);
  });

  it("marks the chosen answer and enables Next", () => {
    const html = renderToString(
      <LessonView {...props({ chosen: "1", move: { beat: 1, asks: true, ready: true } })} />,
    );
    expect(html).toMatch(/checked="" value="1"/);
    expect(html).not.toMatch(/<button type="submit" disabled/);
  });

  it("renders narration paragraphs with code, and the end of the lesson", () => {
    const last = lesson.beats.length - 1;
    const html = renderToString(
      <LessonView {...props({ position: last, move: null, revealed: { chosen: "yes", answer: "yes" } })} />,
    );
    expect(html).toContain("<code>pages_shared</code>");
    expect(text(html)).toContain("Right. You predicted yes. The engine says: yes.");
    expect(text(html)).toContain("End of the lesson.");
    expect(html).not.toContain('type="submit"');
  });
});
