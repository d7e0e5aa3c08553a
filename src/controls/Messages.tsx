import { dismiss, useStore } from "../store/store";

/** Errors and notices, newest last; each can be dismissed. */
export function Messages() {
  const messages = useStore((s) => s.messages);
  return (
    <div className="messages" role="log" aria-live="assertive" aria-label="Messages">
      {messages.map((m) => (
        <div key={m.id} className={`message ${m.kind}`}>
          <span>{m.text}</span>
          <button type="button" onClick={() => dismiss(m.id)} aria-label="dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
