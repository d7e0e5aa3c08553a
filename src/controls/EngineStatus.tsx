import type { CSSProperties } from "react";
import { useStore } from "../store/store";

/** Text buttons inside a message (whose own × button is bare); kept here so the component stands alone. */
const BUTTON: CSSProperties = {
  border: "1px solid currentColor",
  borderRadius: 4,
  fontSize: "0.85rem",
  padding: "0.15rem 0.5rem",
  whiteSpace: "nowrap",
};

/**
 * The engine's state when it is not simply ready: a long command's progress
 * (with Cancel), or a stopped engine and the offer to restart it.
 */
export function EngineStatus() {
  const job = useStore((s) => s.job);
  const down = useStore((s) => s.engineDown);
  if (down)
    return (
      <div className="message error" role="alert" style={{ flexWrap: "wrap" }}>
        <span style={{ flexBasis: "100%" }}>
          The engine stopped: {down}. Your work up to its last saved state can be brought back.
        </span>
        <button type="button" style={BUTTON} onClick={() => useStore.getState().restart("last")}>
          Restart from the last state
        </button>
        <button type="button" style={BUTTON} onClick={() => useStore.getState().restart("new")}>
          Restart with a new machine
        </button>
      </div>
    );
  if (!job) return null;
  return (
    <div className="message info" role="status">
      <span id="engine-job">{job.what}…</span>
      <progress
        aria-labelledby="engine-job"
        value={job.total > 0 ? job.done : undefined}
        max={job.total > 0 ? job.total : undefined}
      />
      <button type="button" style={BUTTON} onClick={() => void useStore.getState().send({ type: "cancel" })}>
        Cancel
      </button>
    </div>
  );
}
