import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { applyUpdate, useStore } from "../store/store";
import { EngineHost } from "../worker/host";
import type { Command, Reply, WorkerMessage } from "../worker/protocol";
import { runLesson } from "./headless";
import { LESSONS } from "./index";
import { beatEnds } from "./lesson";
import { choose, closeLesson, nextBeat, openLesson, useProgress, watchEngine } from "./progress";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

/** The real engine host wired to the store as src/store/client.ts wires the worker: updates arrive after replies. */
function startHost(): void {
  let id = 0;
  const replies = new Map<number, Reply>();
  const host: EngineHost = new EngineHost(
    checksummer,
    (m: WorkerMessage) => {
      if (m.type === "reply") replies.set(m.id, m);
      else if (m.type === "update")
        setTimeout(() => {
          applyUpdate(m);
          host.handle({ type: "ack", id: ++id });
        });
    },
    () => 0,
  );
  host.flush();
  useStore.setState({
    send: async (cmd: Command) => {
      const n = ++id;
      host.handle({ ...cmd, id: n });
      return replies.get(n)!;
    },
  });
}

/** Wait until the store shows the scenario at `next` and the lesson is idle. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ok()).toBe(true);
}

afterEach(() => closeLesson());

describe("a lesson played through the engine host", () => {
  it.each(LESSONS.map((l) => [l.id, l] as const))(
    "%s reveals the headless run's answers",
    async (_id, lesson) => {
      startHost();
      const unwatch = watchEngine();
      await openLesson(lesson.id);
      await until(() => !useProgress.getState().loading && useStore.getState().scenario?.next === 0);
      if (lesson.compare) await until(() => useProgress.getState().compared !== null);
      const expected = runLesson(lesson, checksummer).beats.map((r) => r.answer);
      const ends = beatEnds(lesson);
      for (let beat = 1; beat < lesson.beats.length; beat++) {
        const ask = lesson.beats[beat].ask;
        if (ask) choose(beat, ask.choices[0]);
        await nextBeat();
        await until(
          () => useStore.getState().scenario?.next === ends[beat] && useProgress.getState().pending === null,
        );
        expect(useProgress.getState().revealed[beat]).toBe(expected[beat]);
      }
      expect(useProgress.getState().error).toBeNull();
      unwatch();
    },
  );
});
