import { useEffect, useState } from "react";
import { useStore } from "../store/store";
import type { TimelineState } from "../worker/protocol";
import { ActionButton } from "./ActionButton";
import { travel } from "./actions";

/**
 * Time travel: back and forward one action, by full scan, and a slider over
 * the history since the last reset or scenario load (since `first` once the
 * oldest was dropped to save memory, which the label says). Dragging asks
 * the worker for one position at a time (the newest wins), since each jump
 * replays engine work.
 */
export function TimelineControls() {
  return <Timeline {...useStore((s) => s.timeline)} />;
}

/** The controls for this state of the timeline. */
export function Timeline({ position, first, length, label, scanMarks }: TimelineState) {
  const [dragging, setDragging] = useState<number | null>(null);

  // Once the worker has caught up with the slider, follow the engine again.
  useEffect(() => {
    if (dragging === position) setDragging(null);
  }, [dragging, position]);

  const shown = dragging ?? position;
  const scansBefore = scanMarks.filter((p) => p <= shown).length;
  return (
    <fieldset className="control-row timeline">
      <legend className="sr-only">Timeline</legend>
      <ActionButton id="back-scan" text="«" disabled={position <= first} />
      <ActionButton id="back" text="◀" disabled={position <= first} />
      <input
        type="range"
        min={first}
        max={length}
        value={shown}
        aria-label="Timeline"
        aria-valuetext={`action ${shown} of ${length}${label ? `: ${label}` : ""}`}
        onChange={(e) => {
          const to = Number(e.target.value);
          setDragging(to);
          travel(to);
        }}
      />
      <ActionButton id="forward" text="▶" />
      <ActionButton id="forward-scan" text="»" disabled={position === length} />
      <output className="timeline-label" aria-live="polite">
        action {shown} of {length}
        {scanMarks.length > 0 && ` · scan ${scansBefore} of ${scanMarks.length}`}
        {label && <span className="timeline-what"> — {label}</span>}
        {first > 0 && (
          <span className="timeline-dropped"> · actions before {first} dropped to save memory</span>
        )}
      </output>
    </fieldset>
  );
}
