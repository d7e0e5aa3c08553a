import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { type ProfileName, SYSFS_DIR } from "../../engine";
import { useStore } from "../../store/store";
import { complete } from "./complete";
import type { ShellSystem, SysfsFile } from "./shell";
import {
  afterInterrupt,
  afterMatches,
  afterRun,
  cleared,
  historyStep,
  NEW_TERMINAL,
  promptText,
  remember,
  runForConsole,
  storeSystem,
  type Terminal,
} from "./terminal";
import "./console.css";

export interface SysfsConsoleProps {
  /** Where commands read and write; the app's store (snapshot and sysfs-write) by default. */
  system?: ShellSystem;
}

/**
 * A root shell in /sys/kernel/mm/ksm: cat, echo N > file, grep . *, ls, cd,
 * with bash's own messages. Enter runs, ↑/↓ recall, Tab completes a name
 * (on an empty line it moves on, as Tab does on a page), Ctrl+L clears,
 * Ctrl+C drops the line.
 */
export function SysfsConsole({ system }: SysfsConsoleProps) {
  const profile = useStore((s) => s.profile);
  const files = useStore((s) => s.snapshot?.sysfs);
  return <SysfsConsolePanel profile={profile} files={files} system={system} />;
}

export interface SysfsConsolePanelProps extends SysfsConsoleProps {
  profile: ProfileName;
  /** The snapshot's /sys/kernel/mm/ksm/; undefined before the first update. */
  files: SysfsFile[] | undefined;
}

/** The console without the store's selectors, for tests and server rendering. */
export function SysfsConsolePanel({ profile, files, system }: SysfsConsolePanelProps) {
  const sys = useMemo(() => system ?? storeSystem(), [system]);
  const headingId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const charRef = useRef<HTMLSpanElement>(null);

  const [term, setTerm] = useState<Terminal>(NEW_TERMINAL);
  const [input, setInput] = useState("");
  const [browse, setBrowse] = useState({ index: 0, draft: "" });
  const [busy, setBusy] = useState(false);
  /** Where the cursor goes once a completed line is in the input. */
  const cursorRef = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (cursorRef.current === null) return;
    inputRef.current?.setSelectionRange(cursorRef.current, cursorRef.current);
    cursorRef.current = null;
  });

  // Keep the newest line and the prompt in sight.
  const newest = term.lines[term.lines.length - 1]?.id ?? 0;
  useEffect(() => {
    const el = screenRef.current;
    if (el && newest >= 0) el.scrollTop = el.scrollHeight;
  }, [newest]);

  const submit = async () => {
    if (busy) return;
    const line = input;
    const history = remember(term.history, line);
    setInput("");
    setBrowse({ index: history.length, draft: "" });
    setBusy(true);
    try {
      const columns = terminalColumns(screenRef.current, charRef.current);
      const r = await runForConsole(line, sys, term.shell, { columns, history });
      setTerm((t) => ({ ...afterRun(t, line, r), history }));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const recall = (dir: -1 | 1) => {
      // Leaving the line being typed keeps it, to come back to with ↓.
      const index = Math.min(browse.index, term.history.length);
      const draft = index === term.history.length ? input : browse.draft;
      const step = historyStep(term.history, index, draft, dir);
      setBrowse({ index: step.index, draft });
      setInput(step.value);
    };
    const completeName = () => {
      const c = complete(input, e.currentTarget.selectionStart ?? input.length, sys, term.shell.cwd);
      if (c.line !== input) {
        cursorRef.current = c.cursor;
        setInput(c.line);
      } else if (c.matches.length > 0) {
        const width = terminalColumns(screenRef.current, charRef.current);
        setTerm((t) => afterMatches(t, input, c.matches, width));
      }
    };
    const ctrl = e.ctrlKey && !e.altKey && !e.metaKey;
    const plain = !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey;
    if (e.key === "Enter") void submit();
    else if (e.key === "Tab" && plain && input !== "") completeName();
    else if (e.key === "ArrowUp") recall(-1);
    else if (e.key === "ArrowDown") recall(1);
    else if (ctrl && e.key.toLowerCase() === "l") setTerm(cleared);
    else if (
      ctrl &&
      e.key.toLowerCase() === "c" &&
      e.currentTarget.selectionStart === e.currentTarget.selectionEnd
    ) {
      setTerm((t) => afterInterrupt(t, input));
      setInput("");
      setBrowse({ index: term.history.length, draft: "" });
    } else return;
    e.preventDefault();
  };

  return (
    <section className="ksm-console" aria-labelledby={headingId}>
      <h2 id={headingId}>sysfs console</h2>
      <FileList
        profile={profile}
        files={files}
        onPick={(f) => {
          setInput((v) => (v === "" || v.endsWith(" ") ? v + f : `${v} ${f}`));
          inputRef.current?.focus();
        }}
      />
      {/* Clicking anywhere on the screen types into the prompt, as in a terminal. */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the input beside it takes the keys */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a convenience for pointers only */}
      <div className="ksm-console-screen" ref={screenRef} onClick={() => inputRef.current?.focus()}>
        <span className="ksm-console-measure" ref={charRef} aria-hidden="true">
          0000000000
        </span>
        <div role="log" aria-live="polite" aria-label="Console output">
          {term.lines.map((l) => (
            <div key={l.id} className={`ksm-console-line ksm-console-${l.kind}`}>
              {l.text}
            </div>
          ))}
        </div>
        <div className="ksm-console-prompt">
          <span aria-hidden="true">{promptText(term)}</span>
          <input
            ref={inputRef}
            aria-label="shell command"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={onKeyDown}
            aria-busy={busy}
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
          />
        </div>
      </div>
      <p className="ksm-note">
        Try <code>grep . *</code>, <code>echo 0 &gt; run</code>, <code>echo abc &gt; run</code>,{" "}
        <code>echo 1 &gt; pages_shared</code>. Tab completes names; <code>help</code> lists the commands.
      </p>
    </section>
  );
}

interface FileListProps {
  profile: ProfileName;
  files: SysfsFile[] | undefined;
  onPick: (file: string) => void;
}

/** The profile's files, knobs (rw) apart from counters (ro); a click types the name. */
function FileList({ profile, files, onPick }: FileListProps) {
  if (!files) return <p className="ksm-note">No update from the engine yet.</p>;
  return (
    <div className="ksm-console-files">
      <span>
        <code>{SYSFS_DIR}</code> on <strong>{profile}</strong>:
      </span>
      <ul aria-label={`Files in ${SYSFS_DIR} on ${profile}`}>
        {files.map((f) => (
          <li key={f.file}>
            <button
              type="button"
              className={f.writable ? "ksm-console-knob" : "ksm-console-counter"}
              title={f.writable ? "a knob: echo N > file writes it" : "a counter: read-only"}
              onClick={() => onPick(f.file)}
            >
              {f.file}
            </button>
            <span className="ksm-console-mode">{f.writable ? "rw" : "ro"}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * How many characters fit across the screen, for ls. Measured when a line
 * runs, not while rendering: reading layout then would force the browser to
 * lay out the page on every engine update.
 */
function terminalColumns(screen: HTMLElement | null, measure: HTMLElement | null): number {
  const charWidth = measure ? measure.getBoundingClientRect().width / 10 : 0;
  const style = screen ? getComputedStyle(screen) : null;
  const width =
    screen && style ? screen.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) : 0;
  return width > 0 && charWidth > 0 ? Math.max(20, Math.floor(width / charWidth)) : 80;
}
