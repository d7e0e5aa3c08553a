/**
 * A small bash for the sysfs console: parses a command line and runs it
 * against /sys/kernel/mm/ksm/ as the simulated kernel shows it. Pure: the
 * files come from `ShellSystem.files()`, writes go through `write()`, and
 * the messages are bash's and coreutils' own, word for word.
 *
 * Supported: words with '…', "…", \ and $VAR; ~; globs * ? […]; > and >> (also
 * 1> 2>); pipes; ; && ||. Commands: cat, echo, grep, ls, cd, pwd, clear, help,
 * history, true, false.
 *
 * Every lookup by a typed name (command, variable, file, errno) goes through
 * a Map: `__proto__` or `constructor` is a name like any other. Every loop
 * is bounded by the line's length or by ARG_MAX.
 *
 * Here: expansion, redirection and running. The grammar is in syntax.ts,
 * globs in glob.ts, the file tree in fs.ts, the commands in commands.ts and
 * ls.ts, grep's regular expressions in regex.ts.
 */
import { BUILTINS, PROGRAMS } from "./commands";
import { strerror } from "./errno";
import { baseName, Fs, HOME, KSM_DIR, type ShellSystem } from "./fs";
import { ArgListTooLong, expandPathname } from "./glob";
import type { Context, Io } from "./io";
import { type Pipeline, parse, type Simple, SyntaxError_, type Word } from "./syntax";

export { strerror } from "./errno";
export { HOME, KSM_DIR, type ShellSystem, type SysfsFile } from "./fs";
export { columns } from "./ls";

export interface ShellState {
  cwd: string;
  oldpwd?: string;
  /** $?: the last command's exit status. */
  status: number;
}

export interface ShellOptions {
  /** The terminal's width, for `ls` columns. */
  columns?: number;
  /** Lines typed so far, the current one last (for `history`). */
  history?: readonly string[];
  /** The time `ls -l` shows. */
  now?: Date;
}

export interface Line {
  text: string;
  /** Written to stderr. */
  error: boolean;
}

export interface ShellResult {
  lines: Line[];
  /** The last line has no newline yet (`echo -n`): the next prompt follows on it. */
  partial: boolean;
  /** `clear` ran: the screen is cleared before `lines`. */
  clear: boolean;
  state: ShellState;
}

export const INITIAL_STATE: ShellState = { cwd: KSM_DIR, status: 0 };

/** bash's PS1 here: root@ksm:\w#, with $HOME shown as ~. */
export function prompt(cwd: string): string {
  const dir = cwd === HOME || cwd.startsWith(`${HOME}/`) ? `~${cwd.slice(HOME.length)}` : cwd;
  return `root@ksm:${dir}# `;
}

// ---------------------------------------------------------------- expansion

/** The shell's variables, read from its state when a word names them. */
const VARIABLES = new Map<string, (s: ShellState) => string>([
  ["?", (s) => String(s.status)],
  ["HOME", () => HOME],
  ["PWD", (s) => s.cwd],
  ["OLDPWD", (s) => s.oldpwd ?? ""],
  ["USER", () => "root"],
  ["HOSTNAME", () => "ksm"],
  ["SHELL", () => "/bin/bash"],
]);

const GLOB_CHARS = /[*?[]/;

/**
 * A word after $ and ~ expansion: its characters and which of them may glob
 * (`mask`; null when none may, as for most words, which saves a flag per character).
 */
function expandWord(
  word: Word,
  vars: (name: string) => string | undefined,
): { text: string; mask: boolean[] | null } | null {
  let text = "";
  for (const p of word) text += "text" in p ? p.text : (vars(p.variable) ?? "");
  // An unquoted $VAR that is empty (or unset) vanishes.
  if (text === "" && word.every((p) => "variable" in p)) return null;
  let mask: boolean[] | null = null;
  if (word.some((p) => "text" in p && !p.quoted && GLOB_CHARS.test(p.text))) {
    mask = [];
    for (const p of word) {
      const length = "text" in p ? p.text.length : (vars(p.variable) ?? "").length;
      for (let k = 0; k < length; k++) mask.push("text" in p && !p.quoted);
    }
  }
  const first = word[0];
  if ("text" in first && !first.quoted && first.text.startsWith("~") && (text === "~" || text[1] === "/")) {
    text = HOME + text.slice(1);
    mask?.splice(0, 1, ...Array<boolean>(HOME.length).fill(false));
  }
  return { text, mask };
}

/** Linux's ARG_MAX with an 8 MiB stack: the bytes of arguments execve(2) takes. */
const ARG_MAX = 2 * 1024 * 1024;

/** The words after expansion; past ARG_MAX bytes expansion stops, with the first word kept. */
function expandArgs(
  words: Word[],
  vars: (name: string) => string | undefined,
  ctx: Context,
): { argv: string[]; tooLong: boolean } {
  const argv: string[] = [];
  let bytes = 0;
  for (const w of words) {
    const e = expandWord(w, vars);
    if (!e) continue;
    try {
      for (const arg of expandPathname(e.text, e.mask, ctx.fs, ctx.state.cwd, ARG_MAX - bytes)) {
        bytes += arg.length + 1;
        if (bytes > ARG_MAX) throw new ArgListTooLong();
        argv.push(arg);
      }
    } catch (err) {
      if (!(err instanceof ArgListTooLong)) throw err;
      if (argv.length === 0) argv.push(e.text);
      return { argv, tooLong: true };
    }
  }
  return { argv, tooLong: false };
}

// ---------------------------------------------------------------- running
/** Where a redirection writes: nowhere (/dev/null), a sysfs file, or bash's error for opening it. */
type Sink = { kind: "null" } | { kind: "file"; file: string } | { kind: "error"; message: string };
const NO_SINKS: Map<number, Sink> = new Map();

function openForWrite(name: string, ctx: Context): Sink {
  const fail = (errno: string): Sink => ({ kind: "error", message: `bash: ${name}: ${strerror(errno)}\n` });
  const node = ctx.fs.lookup(name, ctx.state.cwd);
  if (node === "ENOTDIR") return fail("ENOTDIR");
  if (node === "ENOENT") {
    // The file would be created: only if its directory exists, and nowhere here can it be.
    const dir = ctx.fs.lookup(name.slice(0, name.lastIndexOf("/") + 1) || ".", ctx.state.cwd);
    if (typeof dir === "string") return fail(dir);
    return fail(dir.path.startsWith("/sys") ? "EACCES" : "EROFS");
  }
  if (node.kind === "dir") return fail("EISDIR");
  if (node.kind === "null") return { kind: "null" };
  // sysfs opens a file without a store method (mode 0444) for reading only, even for root.
  if (!node.sysfs.writable) return fail("EACCES");
  return { kind: "file", file: baseName(node.path) };
}

interface Terminal {
  chunks: Line[];
  cleared: boolean;
}

async function runSimple(
  cmd: Simple,
  stdin: string,
  last: boolean,
  sys: ShellSystem,
  ctx: Context,
  term: Terminal,
): Promise<{ status: number; stdout: string }> {
  const { state } = ctx;
  const vars = (name: string) => VARIABLES.get(name)?.(state);
  const toTerm = (error: boolean) => (text: string) => {
    term.chunks.push({ text, error });
  };
  const { argv, tooLong } = expandArgs(cmd.words, vars, ctx);

  // Redirections are opened first, in order; a failure means the command does not run.
  const sinks = cmd.redirects.length ? new Map<number, Sink>() : NO_SINKS;
  for (const r of cmd.redirects) {
    const e = expandWord(r.target, vars);
    let targets: string[];
    try {
      targets = e ? expandPathname(e.text, e.mask, ctx.fs, state.cwd, ARG_MAX) : [];
    } catch (err) {
      if (!(err instanceof ArgListTooLong)) throw err;
      targets = []; // as many names as that are ambiguous too
    }
    const word = e?.text ?? "";
    const sink: Sink =
      targets.length !== 1 || targets[0] === ""
        ? { kind: "error", message: `bash: ${word}: ambiguous redirect\n` }
        : openForWrite(targets[0], ctx);
    if (sink.kind === "error") {
      toTerm(true)(sink.message);
      return { status: 1, stdout: "" };
    }
    sinks.set(r.fd, sink);
  }

  const buffers = ["", "", ""];
  const stream = (fd: 1 | 2) => {
    if (fd === 1 && !sinks.has(1) && last) return toTerm(false);
    if (fd === 2 && !sinks.has(2)) return toTerm(true);
    return (text: string) => {
      buffers[fd] += text;
    };
  };
  const io: Io = { stdin, out: stream(1), err: stream(2) };

  let status: number;
  const [name, ...args] = argv;
  const builtin = BUILTINS.get(name);
  const program = PROGRAMS.get(name);
  if (name === undefined) status = 0;
  else if (tooLong && (builtin || program)) {
    // execve(2) refuses; bash names the program by its path. (A builtin has no such limit in
    // bash, only memory; here the same bound holds.)
    io.err(`bash: ${program ? `/usr/bin/${name}` : name}: ${strerror("E2BIG")}\n`);
    status = 126;
  } else if (builtin) status = builtin(args, io, ctx);
  else if (program) status = program(args, io, ctx);
  else if (name.includes("/")) {
    const node = ctx.fs.lookup(name, state.cwd);
    const errno = typeof node === "string" ? node : node.kind === "dir" ? "EISDIR" : "EACCES";
    io.err(`bash: ${name}: ${strerror(errno)}\n`);
    status = errno === "ENOENT" ? 127 : 126;
  } else {
    io.err(`bash: ${name}: command not found\n`);
    status = 127;
  }

  // What went to a file is written now, in one write(2).
  for (const fd of [1, 2]) {
    const sink = sinks.get(fd);
    if (sink?.kind !== "file" || buffers[fd] === "") continue;
    const { errno } = await sys.write(sink.file, buffers[fd]);
    buffers[fd] = "";
    ctx.fs.invalidate();
    if (errno && fd === 1) {
      io.err(`${builtin ? "bash: " : ""}${name}: write error: ${strerror(errno)}\n`);
      status = 1;
    }
  }
  return { status, stdout: sinks.has(1) ? "" : buffers[1] };
}

/** Split what was written to the terminal into lines; a line is an error line if stderr wrote to it. */
function toLines(chunks: Line[]): { lines: Line[]; partial: boolean } {
  const lines: Line[] = [];
  let open = false;
  for (const { text, error } of chunks) {
    const parts = text.split("\n");
    parts.forEach((part, k) => {
      if (k === parts.length - 1 && part === "") return;
      if (open && k === 0) {
        const l = lines[lines.length - 1];
        l.text += part;
        l.error ||= error;
      } else lines.push({ text: part, error });
    });
    open = text !== "" ? !text.endsWith("\n") : open;
  }
  return { lines, partial: open };
}

/** Run one command line: its output lines and the shell's state after it. */
export async function runLine(
  line: string,
  sys: ShellSystem,
  state: ShellState,
  options: ShellOptions = {},
): Promise<ShellResult> {
  const next: ShellState = { ...state };
  const term: Terminal = { chunks: [], cleared: false };
  const ctx: Context = {
    fs: new Fs(sys),
    state: next,
    options,
    clear: () => {
      term.chunks = [];
      term.cleared = true;
    },
  };
  let list: Pipeline[];
  try {
    list = parse(line);
  } catch (e) {
    if (!(e instanceof SyntaxError_)) throw e;
    next.status = 2;
    return { lines: [{ text: e.message, error: true }], partial: false, clear: false, state: next };
  }
  for (const pipeline of list) {
    if ((pipeline.op === "&&" && next.status !== 0) || (pipeline.op === "||" && next.status === 0)) continue;
    let stdin = "";
    for (const [k, cmd] of pipeline.commands.entries()) {
      const r = await runSimple(cmd, stdin, k === pipeline.commands.length - 1, sys, ctx, term);
      stdin = r.stdout;
      next.status = r.status;
    }
  }
  return { ...toLines(term.chunks), clear: term.cleared, state: next };
}
