import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Budget, grepMatcher } from "./regex";
import { machine } from "./testing";

const ere = (pattern: string) => grepMatcher(pattern, { extended: true, fixed: false, ignoreCase: false });

/**
 * Extended patterns written the same in JavaScript, without back references.
 * A group takes only bounded repetition: JavaScript, the oracle here, takes
 * exponential time on a group starred inside a star.
 */
const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
  piece: fc.oneof(
    { maxDepth: 3 },
    fc
      .tuple(
        fc.constantFrom("a", "b", ".", "[ab]", "[^a]"),
        fc.constantFrom("", "", "*", "+", "?", "{2}", "{1,3}", "{0,}"),
      )
      .map(([a, q]) => a + q),
    fc.constantFrom("^", "$"),
    fc.tuple(tie("alt"), fc.constantFrom("", "?", "{2}")).map(([p, q]) => `(${p})${q}`),
  ),
  seq: fc.array(tie("piece"), { maxLength: 3 }).map((ps) => ps.join("")),
  alt: fc.array(tie("seq"), { minLength: 1, maxLength: 3 }).map((ss) => ss.join("|")),
})).alt as fc.Arbitrary<string>;

describe("grep's regular expressions", () => {
  it("match as JavaScript's RegExp does, for the syntax the two share", () => {
    fc.assert(
      fc.property(pattern, fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 10 }), (p, line) => {
        expect(ere(p)(line, { steps: 0 }), `${p} on ${line}`).toBe(new RegExp(p).test(line));
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it("take steps in proportion to the line, where backtracking takes exponential time", () => {
    for (const [p, n] of [
      ["(a*)*b", 1000],
      ["(a|aa)*c", 1000],
      ["(x+x+)+y", 1000],
      [`${"a?".repeat(30)}${"a".repeat(30)}b`, 30],
    ] as const) {
      const budget: Budget = { steps: 0 };
      expect(ere(p)("a".repeat(n), budget)).toBe(false);
      expect(budget.steps, p).toBeLessThanOrEqual((n + 1) * (4 * p.length + 4));
    }
  });

  it("GNU grep's basic syntax: \\( \\) \\| \\{ \\} \\+ \\?, and * and ^ first are themselves", () => {
    const bre = (p: string, line: string) =>
      grepMatcher(p, { extended: false, fixed: false, ignoreCase: false })(line, { steps: 0 });
    expect([
      bre("\\(ab\\)\\{2\\}c", "ababc"),
      bre("a\\|b", "b"),
      bre("a|b", "a|b"),
      bre("a\\+b", "aab"),
    ]).toEqual([true, true, true, true]);
    expect([
      bre("*a", "*a"),
      bre("^*", "*x"),
      bre("a$b", "a$b"),
      bre("\\<ru", "run"),
      bre("\\bun", "run"),
    ]).toEqual([true, true, true, true, false]);
    expect([bre("\\(a\\)\\1", "xaay"), bre("\\(a\\)\\1", "xay"), bre("[]a]", "]")]).toEqual([
      true,
      false,
      true,
    ]);
  });
});

describe("grep in the shell", () => {
  it("a pattern that backtracks exponentially answers at once", async () => {
    const { sh, state } = machine();
    expect(await sh(`echo ${"a".repeat(40)} | grep -E '(a*)*b'`)).toEqual([]);
    expect(state().status).toBe(1);
    expect(await sh(`echo ${"a".repeat(40)}b | grep -cE '(a|aa)*b'`)).toEqual(["1"]);
    expect(await sh(`echo ${"a".repeat(1 << 16)} | grep -E '(a*)*b'; echo $?`)).toEqual(["1"]);
  });

  it("GNU grep's errors for what it refuses, or cannot finish", async () => {
    const { sh, state } = machine();
    const errors: [string, string][] = [
      ["grep -E '(' run", "grep: Unmatched ( or \\("],
      ["grep '\\)' run", "grep: Unmatched ) or \\)"],
      ["grep '[a' run", "grep: Unmatched [, [^, [:, [., or [="],
      ["grep '[[:nope:]]' run", "grep: Invalid character class name"],
      ["grep '[z-a]' run", "grep: Invalid range end"],
      ["grep '\\(a\\)\\2' run", "grep: Invalid back reference"],
      ["grep 'a\\{99999\\}' run", "grep: Invalid content of \\{\\}"],
      ["grep -E '(a{1000}){1000}' run", "grep: Regular expression too big"],
      [`grep -E '${"(".repeat(5000)}' run`, "grep: Regular expression too big"],
      [`echo ${"a".repeat(30)} | grep '\\(a*\\)*\\1b'`, "grep: memory exhausted"],
    ];
    for (const [line, message] of errors) {
      expect(await sh(line), line).toEqual([`!${message}`]);
      expect(state().status).toBe(2);
    }
  });

  it("-i, -F, -v and back references", async () => {
    const { sh } = machine();
    expect(await sh("echo RUN | grep -i run; echo 'a.c' | grep -F .; echo abc | grep -F .")).toEqual([
      "RUN",
      "a.c",
    ]);
    expect(await sh("echo abab | grep '\\(ab\\)\\1'; echo Abab | grep -i '\\(ab\\)\\1'")).toEqual([
      "abab",
      "Abab",
    ]);
    expect(await sh("grep -v 1 run; echo $?")).toEqual(["1"]);
  });
});
