import { useStore } from "../../store/store";
import {
  columns,
  INITIAL_STATE,
  prompt,
  runLine,
  type ShellOptions,
  type ShellResult,
  type ShellState,
  type ShellSystem,
} from "./shell";

/** Lines kept on screen, and lines of history. */
export const SCROLLBACK = 500;
export const HISTORY = 500;

export interface ScreenLine {
  id: number;
  text: string;
  kind: "command" | "out" | "err";
}

/** What the console shows and remembers. */
export interface Terminal {
  lines: ScreenLine[];
  nextId: number;
  shell: ShellState;
  history: string[];
  /** Output left without a newline (`echo -n`): the prompt follows it on the same line. */
  pending: string;
}

export const NEW_TERMINAL: Terminal = {
  lines: [],
  nextId: 1,
  shell: INITIAL_STATE,
  history: [],
  pending: "",
};

/** The prompt line as the user sees it, before the command typed. */
export function promptText(t: Terminal): string {
  return t.pending + prompt(t.shell.cwd);
}

/** bash's history: no empty lines, no repeat of the line before (HISTCONTROL=ignoredups). */
export function remember(history: string[], line: string): string[] {
  if (line.trim() === "" || history[history.length - 1] === line) return history;
  return [...history, line].slice(-HISTORY);
}

/** Add lines to the screen, keeping the last SCROLLBACK. */
function show(t: Terminal, lines: Omit<ScreenLine, "id">[]): Terminal {
  let id = t.nextId;
  const added = lines.map((l) => ({ ...l, id: id++ }));
  return { ...t, lines: [...t.lines, ...added].slice(-SCROLLBACK), nextId: id };
}

/** The screen after running `line`: the prompt and command, then the output (or a cleared screen). */
export function afterRun(t: Terminal, line: string, r: ShellResult): Terminal {
  const echoed = show(t, [{ text: promptText(t) + line, kind: "command" }]);
  const base = r.clear ? { ...echoed, lines: [] } : echoed;
  const out = r.partial ? r.lines.slice(0, -1) : r.lines;
  const next = show(
    base,
    out.map((l) => ({ text: l.text, kind: l.error ? "err" : "out" })),
  );
  return { ...next, shell: r.state, pending: r.partial ? r.lines[r.lines.length - 1].text : "" };
}

/**
 * Run a line for the console. Should the shell itself fail (a bug, or a
 * system that throws), the line is reported as not run, in words, and the
 * shell's state stays as it was: the console goes on.
 */
export async function runForConsole(
  line: string,
  sys: ShellSystem,
  state: ShellState,
  options: ShellOptions,
): Promise<ShellResult> {
  try {
    return await runLine(line, sys, state, options);
  } catch {
    return {
      lines: [{ text: "ksm console: internal error: the line was not run", error: true }],
      partial: false,
      clear: false,
      state,
    };
  }
}

/** Tab with several names that fit: bash shows the line typed so far and the names, in columns. */
export function afterMatches(t: Terminal, line: string, matches: string[], width: number): Terminal {
  return {
    ...show(t, [
      { text: promptText(t) + line, kind: "command" },
      ...columns(matches, width).map((text) => ({ text, kind: "out" as const })),
    ]),
    pending: "",
  };
}

/** A line abandoned with Ctrl+C: bash shows it with ^C and starts afresh. */
export function afterInterrupt(t: Terminal, line: string): Terminal {
  return { ...show(t, [{ text: `${promptText(t)}${line}^C`, kind: "command" }]), pending: "" };
}

export function cleared(t: Terminal): Terminal {
  return { ...t, lines: [] };
}

/** Where ↑ (-1) or ↓ (+1) leads in the history; index history.length is the line being typed. */
export function historyStep(
  history: readonly string[],
  index: number,
  draft: string,
  dir: -1 | 1,
): { index: number; value: string } {
  const i = Math.min(history.length, Math.max(0, index + dir));
  return { index: i, value: i === history.length ? draft : history[i] };
}

/**
 * The shell's system on the app's store: files from the latest snapshot,
 * writes as sysfs-write commands. After a write it waits (at most `waitMs`)
 * for the snapshot that follows, so `echo 1 > run; cat run` reads the new value.
 */
export function storeSystem(waitMs = 1000): ShellSystem {
  const snapshot = () => useStore.getState().snapshot;
  return {
    files: () => snapshot()?.sysfs ?? [],
    write: async (file, value) => {
      const before = snapshot();
      let errno: string | undefined;
      try {
        errno = (await useStore.getState().send({ type: "sysfs-write", file, value })).errno;
      } catch {
        errno = "EIO"; // no engine
      }
      if (errno !== "EIO" && snapshot() === before)
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            unsubscribe();
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          const unsubscribe = useStore.subscribe((s) => {
            if (s.snapshot !== before) done();
          });
        });
      return errno ? { errno } : {};
    },
  };
}
