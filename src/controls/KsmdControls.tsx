import { type FormEvent, type KeyboardEvent, useId, useState } from "react";
import type { ProfileName } from "../engine";
import { useStore } from "../store/store";
import { ActionButton } from "./ActionButton";
import { type Knob, knobGroups, refusalHint, type SysfsFile, wordChoices, writeKnob } from "./knobs";
import "./knobs.css";

/** ksmd's run modes and every writable file of /sys/kernel/mm/ksm/, written through sysfs with the kernel's checks. */
export function KsmdControls() {
  const files = useStore((s) => s.snapshot?.sysfs);
  const profile = useStore((s) => s.profile);
  const run = useStore((s) => s.snapshot?.knobs.run);
  return <KsmdControlsPanel files={files ?? []} profile={profile} run={run} />;
}

/** The view without the store, for tests and server rendering. */
export function KsmdControlsPanel({
  files,
  profile,
  run,
}: {
  files: readonly SysfsFile[];
  profile: ProfileName;
  run?: number;
}) {
  const { groups, readOnly } = knobGroups(files, profile);
  return (
    <section aria-labelledby="ksmd-h" className="ksmd-controls">
      <h2 id="ksmd-h">ksmd</h2>
      <fieldset className="control-row">
        <legend className="sr-only">run</legend>
        {["0", "1", "2"].map((v) => (
          <ActionButton key={v} id={`run-${v}`} pressed={run === Number(v)} />
        ))}
      </fieldset>
      {groups.map((g) => (
        <details key={g.title} className="knob-group" open={!g.folded}>
          <summary>{g.title}</summary>
          {g.note && <p className="knob-note">{g.note}</p>}
          {g.knobs.map((k) => (
            // Keyed by profile too: a new machine starts every field afresh.
            <KnobForm key={`${profile}-${k.file}`} knob={k} files={files} />
          ))}
        </details>
      ))}
      {readOnly.length > 0 && (
        <details className="knob-group">
          <summary>{`Read-only (${readOnly.length})`}</summary>
          <dl className="knob-ro">
            {readOnly.map((f) => (
              <div key={f.file}>
                <dt>{breakable(f.file)}</dt>
                <dd>{f.value}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </section>
  );
}

/** A file name that may wrap after its underscores in a narrow drawer. */
function breakable(file: string) {
  return file.split("_").map((part, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed name
    <span key={i}>
      {i > 0 && "_"}
      {i > 0 && <wbr />}
      {part}
    </span>
  ));
}

/**
 * One file: a field holding its value (a checkbox for a boolean, a choice of
 * the words it lists) and "echo" to write it. The kernel judges every write;
 * a refusal shows the shell's error and changes nothing. Escape puts the
 * field back to the file's value.
 */
function KnobForm({ knob, files }: { knob: Knob; files: readonly SysfsFile[] }) {
  const id = useId();
  const [text, setText] = useState<string | null>(null); // null: show the file's value
  const [error, setError] = useState<string | null>(null);
  const shown = text ?? (knob.input === "word" ? currentWord(knob) : knob.value);
  const write = (value: string) =>
    void writeKnob(useStore.getState().send, knob.file, value).then((err) => {
      setError(err);
      if (!err) setText(null);
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    write(shown);
  };
  const reset = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || text === null) return;
    e.stopPropagation();
    setText(null);
    setError(null);
  };
  const why = error && refusalHint(knob.file, error, files);
  // The field keeps what was typed, to mend; the file kept its value: say which.
  const still = error && text !== null && `${knob.file} still reads ${knob.value}; Esc puts that back.`;
  const hint = [why, still].filter(Boolean).join(" ");
  const messages = error && (
    <>
      <p className="field-error" role="alert" id={`${id}-error`}>
        {error}
      </p>
      {hint && <p className="knob-hint">{hint}</p>}
    </>
  );

  if (knob.input === "bool")
    return (
      <div className="knob knob-bool">
        <label>
          <input
            type="checkbox"
            checked={knob.value === "1"}
            onChange={(e) => write(e.target.checked ? "1" : "0")}
            aria-invalid={!!error}
            aria-describedby={error ? `${id}-error` : undefined}
          />{" "}
          {breakable(knob.file)}
        </label>
        {messages}
      </div>
    );

  return (
    <form className="knob" onSubmit={submit}>
      <label htmlFor={id}>{breakable(knob.file)}</label>
      {knob.input === "word" ? (
        <select id={id} value={shown} onChange={(e) => setText(e.target.value)} onKeyDown={reset}>
          {knob.choices.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          value={shown}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={reset}
          inputMode="numeric"
          size={8}
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      )}
      <button type="submit">echo</button>
      {messages}
    </form>
  );
}

function currentWord(knob: Knob): string {
  return wordChoices(knob.value).current ?? knob.choices[0] ?? "";
}
