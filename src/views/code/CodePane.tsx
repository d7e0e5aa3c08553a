import { useState } from "react";
import type { ProfileName } from "../../engine";
import { type LoggedEvent, useStore } from "../../store/store";
import { useThrottled } from "../../store/throttle";
import { describeEvent } from "../log/describe";
import { codeStep } from "./pseudocode";
import "./code.css";

/** At full speed the log changes every frame: follow it at most this often. */
const REFRESH_MS = 250;

/** The kernel function the current step models, its pseudo-code, and the line it is at. */
export function CodePane() {
  const log = useThrottled(
    useStore((s) => s.log),
    REFRESH_MS,
  );
  const profile = useStore((s) => s.profile);
  return <CodePanePanel log={log} profile={profile} />;
}

export interface CodePanePanelProps {
  log: readonly LoggedEvent[];
  profile: ProfileName;
  /** Show this event (by seq) instead of following the newest. */
  initialPinned?: number | null;
}

/**
 * The index of the step shown by default: the newest event, passing over
 * the end-of-batch mark (ksm_do_scan), which closes nearly every update and
 * would otherwise hide what the batch did. -1 for an empty log.
 */
export function newestStep(log: readonly LoggedEvent[]): number {
  for (let i = log.length - 1; i >= 0; i--) if (log[i].event.type !== "ksmd-batch") return i;
  return log.length - 1;
}

/** The view without the store, for tests and server rendering. */
export function CodePanePanel({ log, profile, initialPinned = null }: CodePanePanelProps) {
  const [pinned, setPinned] = useState<number | null>(initialPinned);
  const pinnedIndex = pinned === null ? -1 : log.findIndex((l) => l.seq === pinned);
  const following = pinnedIndex < 0; // also when the pinned event has left the log
  const index = following ? newestStep(log) : pinnedIndex;
  const entry = log[index];

  if (!entry)
    return (
      <section className="ksm-code" aria-label="Kernel code">
        <h2>Kernel code</h2>
        <p className="ksm-code-empty">No step yet: the function each event models shows here.</p>
      </section>
    );

  const { code, line } = codeStep(entry.event, profile);
  const pin = (i: number) => setPinned(log[i].seq);
  return (
    <section className="ksm-code" aria-label="Kernel code">
      <h2>
        <code>{`${code.name}()`}</code> <span className="ksm-code-file">{`in ${code.file}`}</span>
      </h2>
      <p className="ksm-code-step">
        <span className="ksm-code-seq">
          {entry.seq}
          <span className="sr-only">:</span>
        </span>{" "}
        {describeEvent(entry.event).text} <span className="ksm-code-profile">{`(${profile})`}</span>
      </p>
      <fieldset className="ksm-code-nav">
        <legend className="sr-only">Step through the event log</legend>
        <button type="button" disabled={index <= 0} onClick={() => pin(index - 1)}>
          ◀ earlier
        </button>
        <button type="button" disabled={index >= log.length - 1} onClick={() => pin(index + 1)}>
          later ▶
        </button>
        <button
          type="button"
          aria-pressed={following}
          onClick={() => setPinned(null)}
          title="Show each new step as ksmd takes it"
        >
          newest
        </button>
      </fieldset>
      <pre className="ksm-code-lines">
        <code>
          {Array.from(code.lines.entries(), ([i, text]) => (
            <CodeLine key={i} number={i + 1} text={text} current={i === line} />
          ))}
        </code>
      </pre>
    </section>
  );
}

function CodeLine({ number, text, current }: { number: number; text: string; current: boolean }) {
  const at = text.indexOf("/*");
  const [stmt, comment] = at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at)];
  return (
    <span className="ksm-code-line" aria-current={current ? "step" : undefined}>
      <span className="ksm-code-mark" aria-hidden="true">
        {current ? "▶" : " "}
      </span>
      <span className="ksm-code-ln" aria-hidden="true">
        {number}
      </span>
      {current && <span className="sr-only">current line: </span>}
      {stmt}
      {comment && <span className="ksm-code-comment">{comment}</span>}
    </span>
  );
}
