import { useEffect, useRef } from "react";
import { useStore } from "../store/store";
import { ACTIONS } from "./actions";

/** Every keyboard shortcut with what it does. */
export function ShortcutList() {
  return (
    <dl className="shortcuts">
      {ACTIONS.map((a) => (
        <div key={a.id}>
          <dt>
            <kbd>{a.keyLabel}</kbd>
          </dt>
          <dd>{a.label}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The shortcuts as a modal dialog, opened with `?` and closed with Esc or its button. */
export function ShortcutsDialog() {
  const open = useStore((s) => s.showShortcuts);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="shortcuts-dialog"
      aria-labelledby="shortcuts-h"
      onClose={() => useStore.setState({ showShortcuts: false })}
    >
      <h2 id="shortcuts-h">Keyboard shortcuts</h2>
      <ShortcutList />
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
