import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runLine, type ShellState } from "./shell";
import { machine, PROTOTYPE_NAMES } from "./testing";

/** The shell's own grammar, a token at a time. */
const COMMANDS = [
  "cat",
  "echo",
  "echo -n",
  "echo -e",
  "grep",
  "grep -c",
  "grep -v",
  "grep -E",
  "ls",
  "ls -l",
];
const BUILTINS = ["cd", "cd -", "pwd", "history", "help", "true", "false", "clear"];
const WORDS = ["run", "pages_to_scan", "sleep_millisecs", "pages_shared", "max_kernel_pages", "nope"];
const VALUES = ["0", "1", "2", "100", "abc", "-1", "+5", "", "''", '""', "-z", "--", "-"];
const PATHS = [".", "..", "/", "/sys/kernel/mm/ksm", "/dev/null", "~", "~/x", "/root", "run/x"];
const GLOBS = ["*", "?", "[a-z]*", "[!r]*", "[", "]", "r*", "*s", "/sys/*/*", "../*", "[[:digit:]]", "*/.."];
const VARIABLES = [
  "$?",
  "$HOME",
  "$PWD",
  "$OLDPWD",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${NAME}
  "${USER}",
  "$",
  "${",
  ...PROTOTYPE_NAMES.map((n) => `$${n}`),
];
const OPERATORS = ["|", ";", "&&", "||", ">", ">>", "2>", "1>", "2>/dev/null", "<", "&", "(", ")", "`"];
const REGEXES = [
  "-E",
  "-i",
  "'(a*)*b'",
  "'\\(a\\)\\1'",
  "'[[:digit:]]'",
  "'a{2}'",
  "'x\\{1,2\\}'",
  "'[z-a]'",
  ".",
];
const QUOTING = ["'", '"', "\\", "#", "'a b'", '"$HOME x"', "\\*", "\\$"];

const token = fc.oneof(
  fc.constantFrom(...COMMANDS, ...BUILTINS),
  fc.constantFrom(...WORDS, ...VALUES, ...PATHS),
  fc.constantFrom(...GLOBS),
  fc.constantFrom(...VARIABLES),
  fc.constantFrom(...OPERATORS),
  fc.constantFrom(...QUOTING),
  fc.constantFrom(...REGEXES),
  fc.constantFrom(...PROTOTYPE_NAMES),
);
const generated = fc
  .array(fc.tuple(token, fc.constantFrom(" ", " ", "")), { maxLength: 14 })
  .map((parts) => parts.map(([t, sep]) => t + sep).join(""));

/** Lines that work, to be broken a character at a time. */
const SEEDS = [
  "echo 1 > run",
  "echo 0 >> /sys/kernel/mm/ksm/run && cat run",
  "grep . * | grep -v ':0$' | grep -c .",
  "cd ..; ls -l ksm/r*",
  "echo \"$HOME\" '$PWD' $? ~/x",
  "echo -n 100 > pages_to_scan || echo failed",
  "cat run sleep_millisecs 2>/dev/null | grep 2",
  "cd /; cd sys/kernel/mm/ksm; ls -a [ps]*",
];
const ALPHABET = [..."*?[]!$|;&><'\"\\#~/.-_ {}()`0129arnspe", "$constructor", "__proto__"];
const mutation = fc.tuple(
  fc.nat(),
  fc.constantFrom("insert", "delete", "replace"),
  fc.constantFrom(...ALPHABET),
);
const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([seed, edits]) =>
    edits.reduce((line, [at, kind, c]) => {
      const i = at % (line.length + 1);
      return line.slice(0, i) + (kind === "delete" ? "" : c) + line.slice(kind === "insert" ? i : i + 1);
    }, seed),
  );

/** What JavaScript prints for its own objects; no line here contains these words. */
const LEAKS = ["function", "native code", "[object", "undefined", "NaN"];

/** Does bash refuse `line` before running anything? */
const refusedWhole = (text: string) =>
  /^bash: (syntax error|unexpected EOF)/.test(text) || text.startsWith("ksm console:");

/**
 * Run lines one after another on one shell and check after each: no
 * exception, no JavaScript text, a refusal changes nothing.
 */
async function check(lines: string[]): Promise<void> {
  const m = machine();
  const refusedWrites: string[] = [];
  const sys = {
    files: m.sys.files,
    write: async (file: string, value: string) => {
      const before = m.values();
      const r = await m.sys.write(file, value);
      // The kernel said no: its files read as before.
      if (r.errno && m.values().join() !== before.join()) refusedWrites.push(file);
      return r;
    },
  };
  let state: ShellState = { cwd: "/sys/kernel/mm/ksm", status: 0 };
  for (const line of lines) {
    const writes = m.writes.length;
    const values = m.values();
    const r = await runLine(line, sys, state, { history: lines, columns: 80 });
    const texts = r.lines.map((l) => l.text);
    for (const leak of LEAKS) if (!line.includes(leak)) expect(texts.join("\n"), line).not.toContain(leak);
    expect(Number.isInteger(r.state.status) && r.state.status >= 0 && r.state.status < 256).toBe(true);
    expect(refusedWrites, line).toEqual([]);
    const errors = r.lines.filter((l) => l.error).map((l) => l.text);
    const nothingChanged = () => {
      expect(m.writes.length, line).toBe(writes);
      expect(m.values(), line).toEqual(values);
      expect([r.state.cwd, r.state.oldpwd], line).toEqual([state.cwd, state.oldpwd]);
    };
    if (errors.length === 1 && r.lines.length === 1 && refusedWhole(errors[0])) nothingChanged();
    // One simple command that bash itself refused (not a write the kernel refused).
    else if (!/[|;&`]/.test(line) && errors.some((e) => e.startsWith("bash: ") && !e.includes("write error")))
      nothingChanged();
    state = r.state;
  }
}

describe("the shell, fuzzed", () => {
  it("lines from its own grammar: no exception, no JavaScript text, refusals change nothing", async () => {
    await fc.assert(fc.asyncProperty(fc.array(generated, { minLength: 1, maxLength: 3 }), check), {
      numRuns: 400,
    });
  }, 120_000);

  it("working lines with characters inserted, deleted or replaced: the same", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(mutated, fc.constantFrom(...SEEDS)), { minLength: 1, maxLength: 3 }),
        check,
      ),
      { numRuns: 400 },
    );
  }, 120_000);
});
