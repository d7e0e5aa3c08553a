import { type KeyboardEvent, type ReactNode, useId } from "react";
import { type Panel, setPanel } from "../store/stage";
import { useStore } from "../store/store";

export interface Tab {
  id: Panel;
  label: string;
  content: ReactNode;
}

/**
 * The event log, the kernel code and the sysfs console: a strip of tabs on
 * the right edge; the open one takes a column left of them (the stage narrows,
 * never covered), and clicking its tab again closes it. Closed panels stay
 * mounted so they keep their state (the console's scrollback and history).
 */
export function SidePanel({ tabs }: { tabs: Tab[] }) {
  const open = useStore((s) => s.panel);
  const base = useId();
  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === open);
    const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(Math.max(i, 0) + step + tabs.length) % tabs.length];
    setPanel(next.id);
    document.getElementById(`${base}-${next.id}-tab`)?.focus();
  };
  return (
    <div className={open ? "side-panel side-panel-open" : "side-panel"}>
      <div
        role="tablist"
        aria-label="Events, kernel code and sysfs"
        aria-orientation="vertical"
        className="side-tabs"
        onKeyDown={onKeyDown}
      >
        {tabs.map((t, i) => (
          <button
            key={t.id}
            id={`${base}-${t.id}-tab`}
            type="button"
            role="tab"
            aria-selected={t.id === open}
            aria-controls={`${base}-${t.id}`}
            tabIndex={t.id === open || (open === null && i === 0) ? 0 : -1}
            onClick={() => setPanel(t.id === open ? null : t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tabs.map((t) => (
        <div
          key={t.id}
          id={`${base}-${t.id}`}
          role="tabpanel"
          aria-labelledby={`${base}-${t.id}-tab`}
          hidden={t.id !== open}
          className="side-content"
        >
          {t.content}
        </div>
      ))}
    </div>
  );
}
