import { STEP_RATES, STEP_SIZES, setStepRate, setStepSize } from "../store/stage";
import { useStore } from "../store/store";
import { ActionButton } from "./ActionButton";
import { actionById } from "./actions";
import { driverOf, isPlaying } from "./player";
import { TimelineControls } from "./TimelineControls";

const DRIVER_TEXT = {
  replay: "replaying history",
  lesson: "the lesson's beats",
  scenario: "the scenario's steps",
  ksmd: "ksmd",
} as const;

/**
 * The one step bar, at the foot of the stage: back, play / pause, forward,
 * the speed in steps per second, the step size and the scrubber. It drives
 * whatever is loaded: a lesson's beats, a scenario's steps, or ksmd.
 */
export function StepBar() {
  const playing = useStore(isPlaying);
  const stepRate = useStore((s) => s.stepRate);
  const stepSize = useStore((s) => s.stepSize);
  const driver = useStore(driverOf);
  const presenter = useStore((s) => s.presenter);
  const atStart = useStore((s) => s.timeline.position <= s.timeline.first && s.compare === null);
  return (
    <fieldset className="step-bar">
      <legend className="sr-only">Step bar</legend>
      <ActionButton id="back" text="◀" disabled={atStart && stepSize !== "comparison"} />
      <button
        type="button"
        className="primary step-play"
        onClick={actionById("play").perform}
        aria-keyshortcuts="Space"
        aria-label={playing ? "Pause" : "Play"}
        title={playing ? "Pause (Space)" : "Play (Space)"}
      >
        {playing ? "❚❚" : "▶"}
      </button>
      <ActionButton id="forward" text="▶|" />
      <span className="step-drives" title="what a step forward runs">
        {DRIVER_TEXT[driver]}
      </span>
      <label className="step-rate">
        <span className="sr-only">speed</span>
        <select
          value={String(stepRate)}
          onChange={(e) => setStepRate(e.target.value === "max" ? "max" : Number(e.target.value))}
        >
          {STEP_RATES.map((r) => (
            <option key={String(r)} value={String(r)}>
              {r === "max" ? "flat out" : `${r} steps/s`}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="step-size">
        <legend className="sr-only">Step size</legend>
        {STEP_SIZES.map((z) => (
          <label key={z.id} className={z.id === stepSize ? "step-size-on" : undefined}>
            <input
              type="radio"
              name="step-size"
              value={z.id}
              checked={z.id === stepSize}
              onChange={() => setStepSize(z.id)}
            />
            {z.label}
          </label>
        ))}
      </fieldset>
      <TimelineControls />
      {/* The header is hidden in presenter mode: the way out stays here (or P). */}
      {presenter && <ActionButton id="presenter" pressed text="✕" />}
    </fieldset>
  );
}
