/**
 * Tab completion, as bash does it for plain words: the word before the
 * cursor is a command name in first position (after ; | && || too), else a
 * path. One match completes it — a space after a file, a slash after a
 * directory; several extend it to what they all begin with, and are listed
 * when nothing more can be added. Quotes and escapes are not completed.
 */
import { BUILTINS, PROGRAMS } from "./commands";
import { baseName, Fs, type ShellSystem } from "./fs";

export interface Completion {
  /** The line and cursor after completing (unchanged when nothing fits). */
  line: string;
  cursor: number;
  /** Every name that fits, sorted; empty when none or when the word was completed. */
  matches: string[];
}

const BREAK = /[\s;|&<>]/;

/** The common beginning of names. */
function commonPrefix(names: string[]): string {
  let p = names[0] ?? "";
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Command names or directory entries that begin with the word, each with what follows it once completed. */
function candidates(word: string, first: boolean, fs: Fs, cwd: string): { name: string; tail: string }[] {
  if (first && !word.includes("/"))
    return [...BUILTINS.keys(), ...PROGRAMS.keys()]
      .filter((n) => n.startsWith(word))
      .sort()
      .map((name) => ({ name, tail: " " }));
  const slash = word.lastIndexOf("/");
  const dirPart = word.slice(0, slash + 1);
  const prefix = word.slice(slash + 1);
  const dir = dirPart === "" ? fs.lookup(".", cwd) : fs.lookup(dirPart, cwd);
  if (typeof dir === "string" || dir.kind !== "dir") return [];
  return fs
    .list(dir.path)
    .map((n) => ({ name: baseName(n.path), tail: n.kind === "dir" ? "/" : " " }))
    .filter((c) => c.name.startsWith(prefix))
    .map((c) => ({ name: dirPart + c.name, tail: c.tail }));
}

export function complete(line: string, cursor: number, sys: ShellSystem, cwd: string): Completion {
  let start = cursor;
  while (start > 0 && !BREAK.test(line[start - 1])) start--;
  const word = line.slice(start, cursor);
  const unchanged = { line, cursor, matches: [] };
  if (/['"\\$]/.test(word)) return unchanged;
  const before = line.slice(0, start).trimEnd();
  const first = before === "" || /(;|\||&&)$/.test(before);
  const found = candidates(word, first, new Fs(sys), cwd);
  if (found.length === 0) return unchanged;
  const replace = (text: string) => ({
    line: line.slice(0, start) + text + line.slice(cursor),
    cursor: start + text.length,
  });
  if (found.length === 1) return { ...replace(found[0].name + found[0].tail), matches: [] };
  const common = commonPrefix(found.map((c) => c.name));
  if (common.length > word.length) return { ...replace(common), matches: [] };
  return { ...unchanged, matches: found.map((c) => baseName(c.name) || c.name) };
}
