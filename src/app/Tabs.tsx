import { type KeyboardEvent, type ReactNode, useId, useState } from "react";

export interface Tab {
  id: string;
  label: string;
  content: ReactNode;
}

/**
 * Panels sharing one place on screen, as an ARIA tab list (arrow keys move
 * between tabs). Hidden panels stay mounted so they keep their state (the
 * console's scrollback and history).
 */
export function Tabs({ tabs, label }: { tabs: Tab[]; label: string }) {
  const [current, setCurrent] = useState(tabs[0].id);
  const base = useId();
  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === current);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(i + step + tabs.length) % tabs.length];
    setCurrent(next.id);
    document.getElementById(`${base}-${next.id}-tab`)?.focus();
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tab-list" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={`${base}-${t.id}-tab`}
            type="button"
            role="tab"
            aria-selected={t.id === current}
            aria-controls={`${base}-${t.id}`}
            tabIndex={t.id === current ? 0 : -1}
            onClick={() => setCurrent(t.id)}
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
          hidden={t.id !== current}
          className="tab-panel"
        >
          {t.content}
        </div>
      ))}
    </div>
  );
}
