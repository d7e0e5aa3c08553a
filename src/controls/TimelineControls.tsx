import { useEffect, useState } from "react";
import { useStore } from "../store/store";
import type { TimelineState } from "../worker/protocol";
import { ActionButton } from "./ActionButton";
import { travel } from "./actions";

/**
 * Time travel in the step bar: back and forward by full scan, and a slider
 * over the history since the last reset or scenario load (since `first` once
 * the oldest was dropped to save memory, which the label says). Dragging asks
 * the worker for one position at a time (the newest wins), since each jump
 * replays engine work. (Back and forward one step are the step bar's own.)
 */
export function TimelineControls() {
  const timeline = useStore((s) => s.timeline);
  // The engine's own count, as every view shows it (a scenario step can run several scans).
  const fullScans = useStore((s) => s.snapshot?.counters.full_scans ?? 0);
  return <Timeline {...timeline} fullScans={fullScans} />;
}

/** The controls for this state of the timeline. */
export function Timeline({
  position,
  first,
  length,
  label,
  fullScans,
}: TimelineState & { fullScans: number }) {
  const [dragging, setDragging] = useState<number | null>(null);

  // Once the worker has caught up with the slider, follow the engine again.
  useEffect(() => {
    if (dragging === position) setDragging(null);
  }, [dragging, position]);

  const shown = dragging ?? position;
  return (
    <fieldset className="control-row timeline">
      <legend className="sr-only">Timeline</legend>
      <ActionButton id="back-scan" text="«" disabled={position <= first} />
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
      <ActionButton id="forward-scan" text="»" disabled={position === length} />
      <output className="timeline-label" aria-live="polite">
        action {shown} of {length} · full_scans {fullScans}
        {label && <span className="timeline-what"> — {label}</span>}
        {first > 0 && (
          <span className="timeline-dropped"> · actions before {first} dropped to save memory</span>
        )}
      </output>
    </fieldset>
  );
}
