import { useEffect, useState } from "react";
import { useStore } from "../store/store";
import { ActionButton } from "./ActionButton";
import { travel } from "./actions";

/**
 * Time travel: back and forward by full scan, and a slider over
 * the whole history since the last reset or scenario load. Dragging asks the
 * worker for one position at a time (the newest wins), since each jump
 * replays engine work.
 */
export function TimelineControls() {
  const { position, length, label } = useStore((s) => s.timeline);
  // The engine's own count, as every view shows it (a scenario step can run several scans).
  const fullScans = useStore((s) => s.snapshot?.counters.full_scans ?? 0);
  const [dragging, setDragging] = useState<number | null>(null);

  // Once the worker has caught up with the slider, follow the engine again.
  useEffect(() => {
    if (dragging === position) setDragging(null);
  }, [dragging, position]);

  const shown = dragging ?? position;
  return (
    <fieldset className="control-row timeline">
      <legend className="sr-only">Timeline</legend>
      <ActionButton id="back-scan" text="«" disabled={position === 0} />
      <input
        type="range"
        min={0}
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
        action {shown} of {length}
        {` · full_scans ${fullScans}`}
        {label && <span className="timeline-what"> — {label}</span>}
      </output>
    </fieldset>
  );
}
