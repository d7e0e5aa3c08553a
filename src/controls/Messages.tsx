import { dismiss, useStore } from "../store/store";
import { EngineStatus } from "./EngineStatus";

/** Errors and notices, newest last; each can be dismissed. Then the engine's progress or trouble, if any. */
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
      <EngineStatus />
    </div>
  );
}
