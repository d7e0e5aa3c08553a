import { Fragment, type ReactNode, useEffect } from "react";
import { COUNTER_KEYS, type OutputLine, PROFILES, type ProfileName } from "../engine";
import { setPanel } from "../store/stage";
import { type AppState, useStore } from "../store/store";
import { LESSONS } from "./index";
import { beatAt, type Compared, type Lesson, type StageView } from "./lesson";
import {
  choose,
  closeLesson,
  inSync,
  nextBeat,
  nextMove,
  openLesson,
  openLessonOf,
  type Progress,
  restartLesson,
  useProgress,
  watchEngine,
} from "./progress";
import "./lessons.css";

type SnapshotLine = Extract<OutputLine, { label: string }>;

/** One snapshot label with each kernel's counters there. */
export interface CompareRow {
  label: string;
  lines: Partial<Record<ProfileName, SnapshotLine>>;
}

/** The compare-profiles rows for the snapshots the live run has printed so far. */
export function compareRows(compared: Compared, printed: OutputLine[]): CompareRow[] {
  const reached = new Set(printed.flatMap((l) => ("label" in l ? [l.label] : [])));
  const labels = (compared[PROFILES[0]] ?? []).flatMap((l) =>
    "label" in l && reached.has(l.label) ? [l.label] : [],
  );
  return labels.map((label) => ({
    label,
    lines: Object.fromEntries(
      PROFILES.map((p) => [
        p,
        compared[p]?.find((l): l is SnapshotLine => "label" in l && l.label === label),
      ]),
    ),
  }));
}

/** Narration: paragraphs split by blank lines, `code` in backticks. */
function Narration({ text }: { text: string }) {
  return (
    <>
      {text.split("\n\n").map((para, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of a fixed text
        <p key={i}>
          {para.split(/`([^`]*)`/).map((part, j) =>
            // biome-ignore lint/suspicious/noArrayIndexKey: fragments of a fixed text
            j % 2 ? <code key={j}>{part}</code> : <Fragment key={j}>{part}</Fragment>,
          )}
        </p>
      ))}
    </>
  );
}

/**
 * Both kernels' counters at each snapshot reached: one small table per
 * snapshot (a row per counter, a column per kernel), so the comparison fits
 * the lesson's narrow column; the counters that differ are marked.
 */
export function CompareTable({ rows }: { rows: CompareRow[] }) {
  return (
    <div className="lesson-compare-list">
      {rows.length === 0 && (
        <p className="lesson-status">No snapshot yet: tables appear as the lesson reaches them.</p>
      )}
      {rows.map((row) => (
        <table key={row.label} className="lesson-compare">
          <caption>
            snapshot <q>{row.label}</q>
          </caption>
          <thead>
            <tr>
              <th scope="col">counter</th>
              {PROFILES.map((p) => (
                <th key={p} scope="col">
                  {p.replace("linux-", "")}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {COUNTER_KEYS.map((c) => {
              const [a, b] = PROFILES.map((p) => row.lines[p]?.[c]);
              const differs = a !== undefined && b !== undefined && a !== b;
              return (
                <tr key={c} className={differs ? "lesson-differs" : undefined}>
                  <th scope="row">
                    <code>{c}</code>
                  </th>
                  {[a, b].map((v, i) => (
                    <td key={PROFILES[i]}>
                      {v ?? "—"}
                      {differs && i === 1 && <span className="sr-only"> (differs)</span>}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      ))}
    </div>
  );
}

export function LessonPicker({ onOpen }: { onOpen: (id: string) => void }) {
  return (
    <details className="lesson-picker" open>
      <summary>Choose one of {LESSONS.length} lessons</summary>
      <ol className="lesson-list">
        {LESSONS.map((l) => (
          <li key={l.id}>
            <button type="button" onClick={() => onOpen(l.id)}>
              {l.title}
            </button>
            <span className="lesson-summary">{l.summary}</span>
          </li>
        ))}
      </ol>
    </details>
  );
}

export interface LessonViewProps {
  lesson: Lesson;
  /** The beat the scenario position is in. */
  position: number;
  /** What Next does (null at the end of the lesson). */
  move: { beat: number; asks: boolean; ready: boolean } | null;
  /** The answer picked for the next beat's question. */
  chosen: string | undefined;
  /** The current beat's question, answered: what was picked and what the engine says. */
  revealed: { chosen: string | undefined; answer: string } | undefined;
  busy: boolean;
  loading: boolean;
  /** The engine still runs this lesson's scenario. */
  synced: boolean;
  error: string | null;
  /** Side-by-side rows, for lessons that compare kernels (null while waiting for them). */
  compare: CompareRow[] | null;
  onChoose: (choice: string) => void;
  onNext: () => void;
  onRestart: () => void;
  onClose: () => void;
}

function Reveal({ chosen, answer }: { chosen: string | undefined; answer: string }) {
  const right = chosen === answer;
  return (
    <p className={`lesson-reveal ${right ? "lesson-right" : "lesson-wrong"}`}>
      {chosen !== undefined && (
        <>
          <strong>{right ? "Right." : "Not this time."}</strong> You predicted <q>{chosen}</q>.{" "}
        </>
      )}
      The engine says: <strong>{answer}</strong>.
    </p>
  );
}

/** One open lesson: narration, the next question, and the buttons. Pure: everything comes in props. */
export function LessonView(p: LessonViewProps) {
  const { lesson, move } = p;
  const ask = move?.asks ? lesson.beats[move.beat].ask : undefined;
  let status: ReactNode = null;
  if (p.loading) status = <p className="lesson-status">Loading the lesson's scenario…</p>;
  else if (!p.synced)
    status = (
      <p className="lesson-status" role="alert">
        The engine no longer runs this lesson's scenario. Restart to load it again.
      </p>
    );
  else if (move && !move.asks && lesson.beats[move.beat].ask)
    status = (
      <p className="lesson-status">
        The scenario is part-way to the next beat, so Next catches up without asking its question.
      </p>
    );
  const live = p.synced && !p.loading;
  return (
    <div className="lesson">
      <h3>{lesson.title}</h3>
      <p className="lesson-progress">
        Beat {p.position + 1} of {lesson.beats.length} · {lesson.profile}
      </p>
      <div className="lesson-narration" aria-live="polite">
        {p.revealed && <Reveal {...p.revealed} />}
        <Narration text={lesson.beats[p.position].say} />
        {!move && live && <p className="lesson-status">End of the lesson.</p>}
      </div>
      {lesson.compare && (p.compare ? <CompareTable rows={p.compare} /> : <p>Running both kernels…</p>)}
      {status}
      <form
        className="lesson-controls"
        onSubmit={(e) => {
          e.preventDefault();
          if (move?.ready) p.onNext();
        }}
      >
        {ask && live && (
          <fieldset className="lesson-question">
            <legend>Predict: {ask.prompt}</legend>
            {ask.choices.map((c) => (
              <label key={c}>
                <input
                  type="radio"
                  name={`lesson-q-${move?.beat}`}
                  value={c}
                  checked={p.chosen === c}
                  onChange={() => p.onChoose(c)}
                />{" "}
                {c}
              </label>
            ))}
          </fieldset>
        )}
        <div className="control-row">
          {move && (
            <button type="submit" disabled={!live || !move.ready} aria-busy={p.busy}>
              {p.busy ? "Running…" : ask ? "Next: see what happens" : "Next"}
            </button>
          )}
          <button type="button" onClick={p.onRestart}>
            Restart
          </button>
          <button type="button" onClick={p.onClose}>
            Close lesson
          </button>
        </div>
      </form>
      {p.error && (
        <p className="field-error" role="alert">
          {p.error}
        </p>
      )}
    </div>
  );
}

/** What the panel draws from: the app's lesson, scenario and kernel, and the lesson's progress. */
export type LessonState = Pick<AppState, "lesson" | "scenario" | "profile">;

/** The panel for a given state (LessonPanel feeds it from the stores). */
export function LessonSection({ app, progress }: { app: LessonState; progress: Progress }) {
  const lesson = openLessonOf(app);
  let body: ReactNode;
  if (!lesson) body = <LessonPicker onOpen={(id) => void openLesson(id)} />;
  else {
    const { scenario } = app;
    const position = scenario ? beatAt(lesson, scenario.next) : 0;
    const move = nextMove(lesson, app, progress);
    const answer = progress.revealed[position];
    body = (
      <LessonView
        lesson={lesson}
        position={position}
        move={move}
        chosen={move ? progress.chosen[move.beat] : undefined}
        revealed={answer === undefined ? undefined : { chosen: progress.chosen[position], answer }}
        busy={progress.pending !== null}
        loading={progress.loading}
        synced={inSync(lesson, app)}
        error={progress.error}
        compare={progress.compared ? compareRows(progress.compared, scenario?.lines ?? []) : null}
        onChoose={(c) => move && choose(move.beat, c)}
        onNext={() => void nextBeat()}
        onRestart={() => void restartLesson()}
        onClose={closeLesson}
      />
    );
  }
  return (
    <section aria-labelledby="lesson-h" className="lessons">
      <h2 id="lesson-h">Lessons</h2>
      {body}
    </section>
  );
}

/** Open the side panel a beat names, or scroll the tree it names into view. */
function bringForward(view: StageView): void {
  if (view === "code" || view === "log" || view === "console") setPanel(view);
  else
    document
      .getElementById(`trees-${view === "stable-tree" ? "stable" : "unstable"}-title`)
      ?.closest("figure")
      ?.scrollIntoView({ block: "nearest" });
}

/**
 * Guided lessons: a picker of the eleven, and the open lesson (store `lesson`),
 * kept in step with the engine's scenario position.
 */
export function LessonPanel() {
  const lesson = useStore((s) => s.lesson);
  const scenario = useStore((s) => s.scenario);
  const profile = useStore((s) => s.profile);
  const progress = useProgress();
  useEffect(() => watchEngine(), []);
  // A beat brings the view it talks about forward when it is reached.
  const show = openLessonOf({ lesson })?.beats[progress.shown]?.show;
  useEffect(() => {
    if (show) bringForward(show);
  }, [show]);
  return <LessonSection app={{ lesson, scenario, profile }} progress={progress} />;
}
