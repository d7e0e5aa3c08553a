/**
 * The console's commands, with bash's and coreutils' messages word for word:
 * the builtins (cd, echo, pwd, help, history, true, false) and the programs
 * of /usr/bin (cat, grep, ls, clear).
 */
import { strerror } from "./errno";
import { HOME } from "./fs";
import { badOption, type Command, type Context, getopt, type Io, quote } from "./io";
import { ls } from "./ls";
import { type Budget, grepMatcher, RegexError } from "./regex";

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

export const BUILTINS = new Map<string, Command>([
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
export const PROGRAMS = new Map<string, Command>([
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
