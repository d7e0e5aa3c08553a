import { actionById } from "./actions";

/** A button for one Action: its label (or a short symbol, with the label for screen readers) and its shortcut. */
export function ActionButton({
  id,
  pressed,
  text,
  disabled,
}: {
  id: string;
  pressed?: boolean;
  text?: string;
  disabled?: boolean;
}) {
  const a = actionById(id);
  return (
    <button
      type="button"
      onClick={a.perform}
      disabled={disabled}
      title={`${a.label} (${a.keyLabel})`}
      aria-label={text ? a.label : undefined}
      aria-pressed={pressed}
      aria-keyshortcuts={a.keyLabel}
    >
      {text ?? a.label}
    </button>
  );
}
