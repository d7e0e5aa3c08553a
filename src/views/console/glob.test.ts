import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sysfsFiles } from "../../engine";
import { compileGlob, matchGlob, type Steps } from "./glob";
import { machine } from "./testing";

/** A pattern with every character special. */
const pattern = (text: string) => compileGlob(text, Array<boolean>(text.length).fill(true));

/** The textbook dynamic programme for * and ? (no brackets): does name[j..] match pat[i..]? */
function reference(pat: string, name: string): boolean {
  const memo = new Map<string, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === pat.length) r = j === name.length;
    else if (pat[i] === "*") r = at(i + 1, j) || (j < name.length && at(i, j + 1));
    else r = j < name.length && (pat[i] === "?" || pat[i] === name[j]) && at(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return at(0, 0);
}

describe("the glob matcher", () => {
  it("agrees with the textbook matcher, in at most (name+1)·(pattern+1) steps", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 24 }),
        fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 24 }),
        (pat, name) => {
          const steps: Steps = { n: 0 };
          expect(matchGlob(pattern(pat), name, steps)).toBe(reference(pat, name));
          expect(steps.n).toBeLessThanOrEqual((name.length + 1) * (pat.length + 1));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("matches 40 stars in bounded steps, where a regular expression takes exponential time to fail", () => {
    const stars = "*a".repeat(40);
    const count = (pat: string, name: string) => {
      const steps: Steps = { n: 0 };
      return { match: matchGlob(pattern(pat), name, steps), steps: steps.n };
    };
    const fail = count(`${stars}b`, "a".repeat(60));
    expect(fail.match).toBe(false);
    expect(fail.steps).toBeLessThanOrEqual(61 * 82);
    expect(count(stars, "a".repeat(40)).match).toBe(true);
    expect(count(stars, "a".repeat(39)).match).toBe(false);
    expect(count(`${"*".repeat(40)}x`, "pages_to_scan").match).toBe(false);
    expect(count(`${"*".repeat(40)}x`, "pages_to_scan").steps).toBeLessThanOrEqual(14 * 2);
  });

  it("reads brackets as bash does: ! and ^, a leading ], ranges, classes; unclosed is literal", () => {
    const m = (pat: string, name: string) => matchGlob(pattern(pat), name);
    expect([m("[!]]", "]"), m("[!]]", "a"), m("[]a]", "]"), m("[]a]", "a")]).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect([m("[^a]", "a"), m("[a-c]x", "bx"), m("[a-c]x", "dx")]).toEqual([false, true, false]);
    // A range out of order matches nothing (a RegExp of it would throw).
    expect([m("[z-a]", "m"), m("[z-a]", "z")]).toEqual([false, false]);
    expect([m("[[:digit:]]*", "7up"), m("[[:upper:]]", "a"), m("[[:nope:]]", "a")]).toEqual([
      true,
      false,
      false,
    ]);
    expect([m("[ab", "[ab"), m("[", "["), m("a[", "a[")]).toEqual([true, true, true]);
    // Quoted characters are literal.
    expect(matchGlob(compileGlob("*?", [false, true]), "*x")).toBe(true);
    expect(matchGlob(compileGlob("*?", [false, true]), "ax")).toBe(false);
  });
});

describe("pathname expansion in the shell", () => {
  it("ls with 16, 17 and 40 stars answers as bash does", async () => {
    const { sh } = machine();
    for (const n of [16, 17, 40]) {
      const stars = "*".repeat(n);
      expect(await sh(`ls ${stars}x`)).toEqual([`!ls: cannot access '${stars}x': No such file or directory`]);
      expect(await sh(`ls -1 ${stars}`)).toEqual(sysfsFiles("linux-2.6.32"));
      expect(await sh(`echo ${stars}u${stars}n`)).toEqual(["run"]);
    }
  });

  it("brackets and classes in a command line", async () => {
    const { sh } = machine();
    expect(await sh("echo [r]u? [[:lower:]]un [!p]un [z-a]*")).toEqual(["run run run [z-a]*"]);
    expect(await sh("echo '*'u? \\*")).toEqual(["*u? *"]);
  });
});
