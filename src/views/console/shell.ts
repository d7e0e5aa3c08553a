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
 */
import { baseName, Fs, HOME, KSM_DIR, type Node, type ShellSystem } from "./fs";
import { ArgListTooLong, expandPathname } from "./glob";
import { type Budget, grepMatcher, RegexError } from "./regex";

export { HOME, KSM_DIR, type ShellSystem, type SysfsFile } from "./fs";

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

/** glibc's strerror() for the errnos a write can give. */
const STRERROR = new Map(
  Object.entries({
    EPERM: "Operation not permitted",
    ENOENT: "No such file or directory",
    ESRCH: "No such process",
    EIO: "Input/output error",
    EAGAIN: "Resource temporarily unavailable",
    ENOMEM: "Cannot allocate memory",
    EACCES: "Permission denied",
    EFAULT: "Bad address",
    EBUSY: "Device or resource busy",
    ENOTDIR: "Not a directory",
    EISDIR: "Is a directory",
    EINVAL: "Invalid argument",
    ENOSPC: "No space left on device",
    EROFS: "Read-only file system",
    ERANGE: "Numerical result out of range",
    E2BIG: "Argument list too long",
  }),
);

export function strerror(errno: string): string {
  return STRERROR.get(errno) ?? errno;
}

// ---------------------------------------------------------------- parsing

/** A piece of a word: literal text (quoted or not) or a $variable. */
type Part = { text: string; quoted: boolean } | { variable: string };
type Word = Part[];

type Token = { kind: "word"; word: Word } | { kind: "op"; op: string; fd?: number };

interface Redirect {
  fd: number;
  append: boolean;
  target: Word;
}
interface Simple {
  words: Word[];
  redirects: Redirect[];
}
/** Pipelines joined by ; && ||: `op` is how each one follows the one before. */
interface Pipeline {
  op: ";" | "&&" | "||";
  commands: Simple[];
}

/** A line bash would not run; the message is the whole error line. */
class SyntaxError_ extends Error {}
const EOF_ERROR = "bash: syntax error: unexpected end of file";

const OPERATORS = [";;", "&&", "||", ">>", ";", "|", ">", "<", "&", "(", ")", "`"];
const META = " \t;&|<>()`'\"\\";
const UNSUPPORTED = new Set(["<", "&", "(", ")", "`"]);

/** $? ${NAME} $NAME, matched where it starts (sticky): no copy of the rest of the line. */
const VARIABLE = /\$(?:(\?)|\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/y;

/** Characters with no meaning to the tokenizer inside a word. */
const PLAIN = /[^ \t;&|<>()`'"\\$]+/y;

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | null = null;
  const add = (part: Part) => {
    word ??= [];
    const last = word[word.length - 1];
    // Neighbouring characters of one kind form one part.
    if (last && "text" in last && "text" in part && last.quoted === part.quoted) last.text += part.text;
    else word.push(part);
  };
  const end = () => {
    if (word) tokens.push({ kind: "word", word });
    word = null;
  };
  /** $? $NAME ${NAME} (or a plain '$') at line[i]; returns the index after it. */
  const variable = (i: number, quoted: boolean): number => {
    VARIABLE.lastIndex = i;
    const m = VARIABLE.exec(line);
    add(m ? { variable: m[1] ?? m[2] ?? m[3] } : { text: "$", quoted });
    return i + (m ? m[0].length : 1);
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === " " || c === "\t") {
      end();
      i++;
    } else if (c === "#" && !word) {
      break;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new SyntaxError_("bash: unexpected EOF while looking for matching `''");
      add({ text: line.slice(i + 1, close), quoted: true });
      i = close + 1;
    } else if (c === '"') {
      add({ text: "", quoted: true }); // "" is a word even when empty
      i++;
      for (;;) {
        if (i >= line.length) throw new SyntaxError_("bash: unexpected EOF while looking for matching `\"'");
        const d = line[i];
        if (d === '"') break;
        if (d === "\\" && '$`"\\'.includes(line[i + 1] ?? "")) {
          add({ text: line[i + 1], quoted: true });
          i += 2;
        } else if (d === "$") {
          i = variable(i, true);
        } else {
          add({ text: d, quoted: true });
          i++;
        }
      }
      i++;
    } else if (c === "\\") {
      if (i + 1 < line.length) add({ text: line[i + 1], quoted: true });
      i += 2;
    } else if (c === "$") {
      i = variable(i, false);
    } else if (META.includes(c)) {
      const op = OPERATORS.find((o) => line.startsWith(o, i))!;
      // 2>file: a word of digits right before > is the descriptor.
      const w = word as Word | null;
      const digits = w?.length === 1 && "text" in w[0] && !w[0].quoted && /^\d+$/.test(w[0].text);
      if (op.startsWith(">") && digits) {
        tokens.push({ kind: "op", op, fd: Number((w[0] as { text: string }).text) });
        word = null;
      } else {
        end();
        tokens.push({ kind: "op", op });
      }
      i += op.length;
    } else {
      // A run of plain characters at once: a long line is not built one character at a time.
      PLAIN.lastIndex = i;
      const run = PLAIN.exec(line)![0];
      add({ text: run, quoted: false });
      i += run.length;
    }
  }
  end();
  return tokens;
}

/** The words, redirections and operators of a line, or bash's syntax error. */
function parse(line: string): Pipeline[] {
  const tokens = tokenize(line);
  const unexpected = (t: Token | undefined) =>
    new SyntaxError_(`bash: syntax error near unexpected token \`${t?.kind === "op" ? t.op : "newline"}'`);
  const list: Pipeline[] = [];
  let i = 0;
  let op: Pipeline["op"] = ";";
  while (i < tokens.length) {
    const pipeline: Pipeline = { op, commands: [] };
    for (;;) {
      const cmd: Simple = { words: [], redirects: [] };
      for (; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === "word") cmd.words.push(t.word);
        else if (t.op === ">" || t.op === ">>") {
          const target = tokens[++i];
          if (target?.kind !== "word") throw unexpected(target);
          cmd.redirects.push({ fd: t.fd ?? 1, append: t.op === ">>", target: target.word });
        } else if (UNSUPPORTED.has(t.op))
          throw new SyntaxError_(`ksm console: '${t.op}' is not supported here`);
        else break;
      }
      if (cmd.words.length === 0 && cmd.redirects.length === 0) throw unexpected(tokens[i]);
      pipeline.commands.push(cmd);
      const t = tokens[i];
      if (t?.kind !== "op" || t.op !== "|") break;
      if (++i >= tokens.length) throw new SyntaxError_(EOF_ERROR);
    }
    list.push(pipeline);
    const t = tokens[i++];
    if (!t) break;
    if (t.kind !== "op" || (t.op !== ";" && t.op !== "&&" && t.op !== "||")) throw unexpected(t);
    op = t.op;
    if (i >= tokens.length && op !== ";") throw new SyntaxError_(EOF_ERROR);
  }
  return list;
}

// ---------------------------------------------------------------- expansion

/** A word after $ and ~ expansion: its characters and which of them may glob. */
function expandWord(word: Word, vars: ReadonlyMap<string, string>): { text: string; mask: boolean[] } | null {
  let text = "";
  const mask: boolean[] = [];
  for (const p of word) {
    const t = "text" in p ? p.text : (vars.get(p.variable) ?? "");
    const may = "text" in p && !p.quoted;
    text += t;
    for (let k = 0; k < t.length; k++) mask.push(may);
  }
  // An unquoted $VAR that is empty (or unset) vanishes.
  if (text === "" && word.every((p) => "variable" in p)) return null;
  const first = word[0];
  if ("text" in first && !first.quoted && first.text.startsWith("~") && (text === "~" || text[1] === "/")) {
    text = HOME + text.slice(1);
    mask.splice(0, 1, ...Array<boolean>(HOME.length).fill(false));
  }
  return { text, mask };
}

/** Linux's ARG_MAX with an 8 MiB stack: the bytes of arguments execve(2) takes. */
const ARG_MAX = 2 * 1024 * 1024;

/** The words after expansion; past ARG_MAX bytes expansion stops, with the first word kept. */
function expandArgs(
  words: Word[],
  vars: ReadonlyMap<string, string>,
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

/** coreutils' shell-escape quoting of a file name in messages; `always` as ls's quoteaf. */
function quote(name: string, always = false): string {
  if (!always && /^[\w,.+:@%/=-]+$/.test(name)) return name;
  if (!name.includes("'")) return `'${name}'`;
  if (!/["$`\\!]/.test(name)) return `"${name}"`;
  return `'${name.replace(/'/g, "'\\''")}'`;
}

interface Io {
  stdin: string;
  out(text: string): void;
  err(text: string): void;
}

interface Context {
  fs: Fs;
  state: ShellState;
  options: ShellOptions;
  clear(): void;
}

type Command = (args: string[], io: Io, ctx: Context) => number;

/** Split options (GNU order: anywhere before `--`) from operands; the first bad letter, if any. */
function getopt(args: string[], letters: string): { flags: Set<string>; operands: string[]; bad?: string } {
  const flags = new Set<string>();
  const operands: string[] = [];
  let done = false;
  for (const a of args) {
    if (done || !a.startsWith("-") || a === "-") operands.push(a);
    else if (a === "--") done = true;
    else if (a.startsWith("--")) return { flags, operands, bad: a };
    else
      for (const c of a.slice(1)) {
        if (!letters.includes(c)) return { flags, operands, bad: c };
        flags.add(c);
      }
  }
  return { flags, operands };
}

function badOption(io: Io, cmd: string, bad: string, status: number): number {
  io.err(
    bad.startsWith("--") ? `${cmd}: unrecognized option '${bad}'\n` : `${cmd}: invalid option -- '${bad}'\n`,
  );
  io.err(`Try '${cmd} --help' for more information.\n`);
  return status;
}

/** Read a regular file for cat and grep: its text, or the utility's error printed. */
function readFile(cmd: string, name: string, io: Io, ctx: Context, quoted: boolean): string | null {
  if (name === "-") return io.stdin;
  const node = ctx.fs.lookup(name, ctx.state.cwd);
  const shown = quoted ? quote(name) : name;
  if (typeof node === "string") io.err(`${cmd}: ${shown}: ${strerror(node)}\n`);
  else if (node.kind === "dir") io.err(`${cmd}: ${shown}: Is a directory\n`);
  else return node.kind === "file" ? node.sysfs.text : "";
  return null;
}

const cat: Command = (args, io, ctx) => {
  const { operands, bad } = getopt(args, "");
  if (bad) return badOption(io, "cat", bad, 1);
  let status = 0;
  for (const name of operands.length ? operands : ["-"]) {
    const text = readFile("cat", name, io, ctx, true);
    if (text === null) status = 1;
    else io.out(text);
  }
  return status;
};

const ESCAPES = new Map(
  Object.entries({
    n: "\n",
    t: "\t",
    r: "\r",
    a: "\x07",
    b: "\b",
    f: "\f",
    v: "\v",
    "\\": "\\",
  }),
);

/** bash's echo builtin: -n, -e, -E; any other word is printed. */
const echo: Command = (args, io) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length && /^-[neE]+$/.test(args[i]); i++)
    for (const c of args[i].slice(1)) {
      if (c === "n") newline = false;
      else escapes = c === "e";
    }
  let text = args.slice(i).join(" ");
  if (escapes) {
    const stop = text.search(/\\c/);
    if (stop >= 0) {
      text = text.slice(0, stop);
      newline = false;
    }
    text = text.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (m, e: string) =>
      e[0] === "0"
        ? String.fromCharCode(parseInt(e.slice(1) || "0", 8))
        : e[0] === "x"
          ? String.fromCharCode(parseInt(e.slice(1), 16))
          : (ESCAPES.get(e) ?? m),
    );
  }
  io.out(newline ? `${text}\n` : text);
  return 0;
};

/** grep PATTERN [FILE...]: -E -F -i -v -c -n -h -H -s -q. */
const grep: Command = (args, io, ctx) => {
  const { flags, operands, bad } = getopt(args, "EFivcnhHsq");
  if (bad) return badOption(io, "grep", bad, 2);
  if (operands.length === 0) {
    io.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  const [pattern, ...files] = operands;
  let matches: (line: string, budget: Budget) => boolean;
  try {
    matches = grepMatcher(pattern, {
      extended: flags.has("E"),
      fixed: flags.has("F"),
      ignoreCase: flags.has("i"),
    });
  } catch (e) {
    if (!(e instanceof RegexError)) throw e;
    io.err(`grep: ${e.message}\n`);
    return 2;
  }
  const budget: Budget = { steps: 0 };
  const names = files.length ? files : ["-"];
  const label = (flags.has("H") || names.length > 1) && !flags.has("h");
  let matched = false;
  let failed = false;
  const quiet: Io = { ...io, err: flags.has("s") ? () => {} : io.err };
  for (const name of names) {
    const text = readFile("grep", name, quiet, ctx, false);
    if (text === null) {
      failed = true;
      continue;
    }
    const prefix = label ? `${name === "-" ? "(standard input)" : name}:` : "";
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    let count = 0;
    let out = "";
    for (const [n, line] of lines.entries()) {
      let hit: boolean;
      try {
        hit = matches(line, budget);
      } catch (e) {
        if (!(e instanceof RegexError)) throw e;
        // What matched so far is printed, then grep dies as GNU grep does when its stack runs out.
        io.out(out);
        io.err(`grep: ${e.message}\n`);
        return 2;
      }
      if (hit === flags.has("v")) continue;
      count++;
      if (!flags.has("c") && !flags.has("q")) out += `${prefix}${flags.has("n") ? `${n + 1}:` : ""}${line}\n`;
    }
    io.out(out);
    if (flags.has("c") && !flags.has("q")) io.out(`${prefix}${count}\n`);
    matched ||= count > 0;
  }
  if (flags.has("q") && matched) return 0;
  return failed ? 2 : matched ? 0 : 1;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ls -l's date of a recent file: "Nov 25 17:38". */
function lsDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** GNU ls's vertical columns: the most columns whose widths (2 spaces apart) stay under the line length. */
export function columns(names: string[], width: number): string[] {
  const n = names.length;
  if (n === 0) return [];
  let best = { cols: 1, widths: [0] };
  for (let cols = 1; cols <= Math.min(n, Math.max(1, Math.floor(width / 3))); cols++) {
    const rows = Math.ceil(n / cols);
    const widths = Array<number>(cols).fill(0);
    names.forEach((name, i) => {
      const c = Math.floor(i / rows);
      widths[c] = Math.max(widths[c], name.length + (c === cols - 1 ? 0 : 2));
    });
    if (widths.reduce((a, b) => a + b, 0) < width) best = { cols, widths };
  }
  const rows = Math.ceil(n / best.cols);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < best.cols; c++) {
      const i = r + c * rows;
      if (i >= n) break;
      line += i + rows < n ? names[i].padEnd(best.widths[c]) : names[i];
    }
    lines.push(line);
  }
  return lines;
}

/** ls [-l] [-a] [-A] [-d] [-1] [FILE...]. */
const ls: Command = (args, io, ctx) => {
  const { flags, operands, bad } = getopt(args, "laAd1");
  if (bad) return badOption(io, "ls", bad, 2);
  const { fs } = ctx;
  const now = ctx.options.now ?? new Date();
  const long = flags.has("l");
  const names = operands.length ? operands : ["."];

  /** One listing: entries shown by `name`, in columns or long format. */
  const show = (entries: { name: string; node: Node }[], total: boolean) => {
    if (!long) {
      const shown = entries.map((e) => e.name);
      const lines = flags.has("1") ? shown : columns(shown, ctx.options.columns ?? 80);
      if (lines.length) io.out(`${lines.join("\n")}\n`);
      return;
    }
    const rows = entries.map(({ name, node }) => {
      if (node.kind === "dir") {
        const subdirs = fs.list(node.path).filter((n) => n.kind === "dir").length;
        return ["drwxr-xr-x", String(2 + subdirs), "0", name];
      }
      if (node.kind === "null") return ["crw-rw-rw-", "1", "1, 3", name];
      return [node.sysfs.writable ? "-rw-r--r--" : "-r--r--r--", "1", "4096", name];
    });
    // Widths once, not per row, and without spreading a long list into Math.max.
    const w = (k: number) => rows.reduce((max, r) => Math.max(max, r[k].length), 0);
    const [links, size] = [w(1), w(2)];
    const date = lsDate(now);
    if (total) io.out("total 0\n");
    io.out(
      rows
        .map((r) => `${r[0]} ${r[1].padStart(links)} root root ${r[2].padStart(size)} ${date} ${r[3]}\n`)
        .join(""),
    );
  };

  let status = 0;
  const files: { name: string; node: Node }[] = [];
  const dirs: { name: string; node: Node }[] = [];
  for (const name of names) {
    const node = fs.lookup(name, ctx.state.cwd);
    if (typeof node === "string") {
      io.err(`ls: cannot access ${quote(name, true)}: ${strerror(node)}\n`);
      status = 2;
    } else (node.kind === "dir" && !flags.has("d") ? dirs : files).push({ name, node });
  }
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
  let printed = files.length > 0;
  if (files.length) show(files.sort(byName), false);
  for (const { name, node } of dirs.sort(byName)) {
    if (printed) io.out("\n");
    if (names.length > 1) io.out(`${name}:\n`);
    const entries = fs.list(node.path).map((n) => ({ name: baseName(n.path), node: n }));
    if (flags.has("a")) {
      const parent = fs.lookup("..", node.path) as Node;
      entries.unshift({ name: ".", node }, { name: "..", node: parent });
    }
    show(entries, true);
    printed = true;
  }
  return status;
};

const cd: Command = (args, io, ctx) => {
  const { state } = ctx;
  if (args.length > 1) {
    io.err("bash: cd: too many arguments\n");
    return 1;
  }
  let target = args[0] ?? HOME;
  if (target === "") return 0;
  if (target === "-") {
    if (!state.oldpwd) {
      io.err("bash: cd: OLDPWD not set\n");
      return 1;
    }
    target = state.oldpwd;
    io.out(`${target}\n`);
  }
  const node = ctx.fs.lookup(target, state.cwd);
  if (typeof node === "string" || node.kind !== "dir") {
    io.err(`bash: cd: ${target}: ${strerror(typeof node === "string" ? node : "ENOTDIR")}\n`);
    return 1;
  }
  state.oldpwd = state.cwd;
  state.cwd = node.path;
  return 0;
};

const HELP = `The commands of this console, as in bash:
  cat FILE...                    print files, e.g. cat run
  echo [-n] [-e] VALUE > FILE    write a knob, e.g. echo 1 > run
  grep PATTERN FILE...           grep . /sys/kernel/mm/ksm/*  prints file:value
  ls [-l] [-a] [-1] [DIR|FILE]   list /sys/kernel/mm/ksm
  cd DIR, pwd                    change and show the directory (cd - goes back)
  clear, history, help           Ctrl+L clears too; Up and Down recall lines
Also: quotes, $?, globs (* ? [..]), >>, 2>/dev/null, pipes, ; && ||.
Read-only files (counters) give "Permission denied"; a bad number "Invalid argument".
`;

/** bash keeps HISTSIZE lines; `history` shows those. */
const HISTSIZE = 500;

const BUILTINS = new Map<string, Command>([
  ["cd", cd],
  ["echo", echo],
  [
    "pwd",
    (_args, io, ctx) => {
      io.out(`${ctx.state.cwd}\n`);
      return 0;
    },
  ],
  [
    "help",
    (_args, io) => {
      io.out(HELP);
      return 0;
    },
  ],
  [
    "history",
    (_args, io, ctx) => {
      // Numbered from the first line typed, as bash numbers them after dropping the oldest.
      const all = ctx.options.history ?? [];
      const first = Math.max(0, all.length - HISTSIZE);
      for (let i = first; i < all.length; i++) io.out(`${String(i + 1).padStart(5)}  ${all[i]}\n`);
      return 0;
    },
  ],
  ["true", () => 0],
  ["false", () => 1],
]);

/** The programs, found in /usr/bin as on Debian. */
const PROGRAMS = new Map<string, Command>([
  ["cat", cat],
  ["grep", grep],
  ["ls", ls],
  [
    "clear",
    (_args, _io, ctx) => {
      ctx.clear();
      return 0;
    },
  ],
]);

/** Where a redirection writes: nowhere (/dev/null), a sysfs file, or bash's error for opening it. */
type Sink = { kind: "null" } | { kind: "file"; file: string } | { kind: "error"; message: string };

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
  const vars = new Map([
    ["?", String(state.status)],
    ["HOME", HOME],
    ["PWD", state.cwd],
    ["OLDPWD", state.oldpwd ?? ""],
    ["USER", "root"],
    ["HOSTNAME", "ksm"],
    ["SHELL", "/bin/bash"],
  ]);
  const toTerm = (error: boolean) => (text: string) => {
    term.chunks.push({ text, error });
  };
  const { argv, tooLong } = expandArgs(cmd.words, vars, ctx);

  // Redirections are opened first, in order; a failure means the command does not run.
  const sinks = new Map<number, Sink>();
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
