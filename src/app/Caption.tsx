import { useStore } from "../store/store";
import { caption } from "./caption";

/** One sentence for the step just taken, above the step bar. */
export function Caption() {
  const text = useStore(caption);
  return (
    <p className="stage-caption" aria-live="polite" data-testid="caption">
      {text}
    </p>
  );
}
