import { useEffect, useState } from "react";
import { lineSentence } from "../app/caption";
import { decodeScenarioBytes } from "../engine";
import { LESSONS } from "../lessons";
import { scenarioText } from "../lessons/lesson";
import { resumeLesson } from "../lessons/progress";
import { say, startedAfresh, useStore } from "../store/store";
import type { Session } from "../worker/session";
import { run } from "./actions";

interface Preset {
  file: string;
  title: string;
}

/** The lesson whose scenario a session ran, if any. */
function lessonOfSession(session: Session) {
  const { base } = session;
  if (base.type !== "load-scenario") return undefined;
  return LESSONS.find((l) => l.profile === base.profile && scenarioText(l) === base.text);
}

/** Load a scenario (a built-in preset or a file you pick) and play it step by step. */
export function ScenarioControls() {
  const [presets, setPresets] = useState<Preset[]>([]);
  const [choice, setChoice] = useState("");
  const [error, setError] = useState<string | null>(null);
  const scenario = useStore((s) => s.scenario);
  const profile = useStore((s) => s.profile);

  useEffect(() => {
    fetch(`${import.meta.env.BASE_URL}presets.json`)
      .then((r) => r.json() as Promise<Preset[]>)
      .then((list) => {
        setPresets(list);
        setChoice(list[0]?.file ?? "");
      })
      .catch(() => say("error", "could not list the built-in scenarios: the list could not be fetched"));
  }, []);

  /** Load a scenario, or a saved session (a file with a "base"); a broken file changes nothing. */
  const load = async (text: string, from: string, preset?: string) => {
    let session: unknown = null;
    try {
      const json = JSON.parse(text);
      if (json && typeof json === "object" && "base" in json) session = json;
    } catch {
      // not JSON: the worker says so, naming the file
    }
    const send = useStore.getState().send;
    const r = session
      ? await send({ type: "restore-session", session: session as Session })
      : await send({ type: "load-scenario", text, profile });
    if (r.errno) {
      setError(`${from}: ${r.message}`);
      return;
    }
    setError(null);
    // A saved session of a lesson reopens that lesson, at the beat the session had reached.
    const lesson = session ? lessonOfSession(session as Session) : undefined;
    startedAfresh(lesson ? { lesson: lesson.id } : { preset });
    if (lesson) await resumeLesson(lesson.id);
  };

  return (
    <section aria-labelledby="scn-h">
      <h2 id="scn-h">Scenario</h2>
      <div className="control-row">
        <select value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="built-in scenario">
          {presets.map((p) => (
            <option key={p.file} value={p.file}>
              {p.title}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!choice}
          onClick={() =>
            void fetch(`${import.meta.env.BASE_URL}scenarios/${choice}`)
              .then((r) => r.text())
              .then(
                (t) => load(t, choice, choice),
                () => setError(`${choice}: the built-in scenario could not be fetched`),
              )
          }
        >
          Load
        </button>
        <label className="file-pick">
          or a scenario or session file…{" "}
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              // Decoded as the CLI decodes files: a UTF-8 or UTF-16 byte order mark is honoured.
              if (f) void f.arrayBuffer().then((b) => load(decodeScenarioBytes(new Uint8Array(b)), f.name));
              e.target.value = "";
            }}
          />
        </label>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {scenario && (
        <div className="scenario">
          <p>
            <strong>{scenario.name}</strong> — {scenario.description}
          </p>
          <div className="control-row">
            <span>
              step {scenario.next} of {scenario.steps}
            </span>
            <button
              type="button"
              disabled={scenario.next >= scenario.steps}
              onClick={() => void run({ type: "scenario-step", count: 1 }, "scenario")}
            >
              Next step
            </button>
            <button
              type="button"
              disabled={scenario.next >= scenario.steps}
              onClick={() => void run({ type: "scenario-step", count: "all" }, "scenario")}
            >
              Run to the end
            </button>
          </div>
          {scenario.lines.length > 0 && (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard to scroll it (WCAG 2.1.1)
            <pre className="scenario-output" title="scenario output" tabIndex={0}>
              {scenario.lines.map(lineSentence).join("\n")}
            </pre>
          )}
        </div>
      )}
    </section>
  );
}
