/**
 * bash's pathname expansion: * ? and […] (with ! or ^, ranges and [:class:]),
 * one path component at a time. A pattern is matched by the classic greedy
 * wildcard matcher (backtrack only to the last *): at most
 * (name + 1) · (pattern + 1) steps, whatever the number of stars, where a
 * regular expression of `.*.*.*…` takes exponential time to fail.
 */
import { baseName, type Fs, type Node } from "./fs";

type SetItem = { from: string; to: string } | { test: (c: string) => boolean };
export type Atom =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "char"; c: string }
  | { kind: "set"; negate: boolean; items: SetItem[] };

const code = (c: string) => c.charCodeAt(0);
const inClass = (re: RegExp) => (c: string) => re.test(c);

/** The POSIX classes bash knows inside brackets, in the C locale. */
const CLASSES = new Map<string, (c: string) => boolean>([
  ["alnum", inClass(/[A-Za-z0-9]/)],
  ["alpha", inClass(/[A-Za-z]/)],
  ["ascii", (c) => code(c) < 0x80],
  ["blank", inClass(/[ \t]/)],
  ["cntrl", (c) => code(c) < 0x20 || code(c) === 0x7f],
  ["digit", inClass(/[0-9]/)],
  ["graph", (c) => code(c) > 0x20 && code(c) < 0x7f],
  ["lower", inClass(/[a-z]/)],
  ["print", (c) => code(c) >= 0x20 && code(c) < 0x7f],
  ["punct", inClass(/[!-/:-@[-`{-~]/)],
  ["space", inClass(/[ \t\n\v\f\r]/)],
  ["upper", inClass(/[A-Z]/)],
  ["word", inClass(/\w/)],
  ["xdigit", inClass(/[0-9A-Fa-f]/)],
]);

/** Is any character of `text` marked in `mask` a glob character? */
export function hasGlob(text: string, mask: readonly boolean[]): boolean {
  for (let i = 0; i < text.length; i++) if (mask[i] && "*?[".includes(text[i])) return true;
  return false;
}

/** The bracket expression opening at text[open]: its atom and the index of its ']', or null if unclosed. */
function bracket(text: string, open: number): { atom: Atom; close: number } | null {
  let i = open + 1;
  const negate = text[i] === "!" || text[i] === "^";
  if (negate) i++;
  const items: SetItem[] = [];
  // A ']' first is a member, not the end.
  for (let first = true; i < text.length; first = false) {
    const c = text[i];
    if (c === "]" && !first) return { atom: { kind: "set", negate, items }, close: i };
    if (c === "[" && text[i + 1] === ":") {
      const end = text.indexOf(":]", i + 2);
      if (end >= 0) {
        items.push({ test: CLASSES.get(text.slice(i + 2, end)) ?? (() => false) });
        i = end + 2;
        continue;
      }
    }
    if (text[i + 1] === "-" && i + 2 < text.length && text[i + 2] !== "]") {
      items.push({ from: c, to: text[i + 2] });
      i += 3;
    } else {
      items.push({ from: c, to: c });
      i++;
    }
  }
  return null;
}

/** A pattern (one path component); only characters marked in `mask` are special. */
export function compileGlob(text: string, mask: readonly boolean[]): Atom[] {
  const atoms: Atom[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!mask[i]) atoms.push({ kind: "char", c });
    else if (c === "*") {
      // Neighbouring stars are one star.
      if (atoms[atoms.length - 1]?.kind !== "star") atoms.push({ kind: "star" });
    } else if (c === "?") atoms.push({ kind: "any" });
    else if (c === "[") {
      const b = bracket(text, i);
      if (b) {
        atoms.push(b.atom);
        i = b.close;
      } else atoms.push({ kind: "char", c });
    } else atoms.push({ kind: "char", c });
  }
  return atoms;
}

function matchOne(atom: Atom, c: string): boolean {
  if (atom.kind === "any") return true;
  if (atom.kind === "char") return atom.c === c;
  if (atom.kind === "star") return false;
  const member = atom.items.some((it) => ("test" in it ? it.test(c) : it.from <= c && c <= it.to));
  return member !== atom.negate;
}

/** Counts the matcher's steps, for tests that bound its work. */
export interface Steps {
  n: number;
}

/** Does `name` match the whole pattern? Greedy, backtracking only to the last star. */
export function matchGlob(pattern: readonly Atom[], name: string, steps: Steps = { n: 0 }): boolean {
  let p = 0;
  let s = 0;
  let star = -1; // the last star seen, and where in `name` its match ends
  let starEnd = 0;
  while (s < name.length) {
    steps.n++;
    const atom = pattern[p];
    if (atom?.kind === "star") {
      star = p++;
      starEnd = s;
    } else if (atom && matchOne(atom, name[s])) {
      p++;
      s++;
    } else if (star >= 0) {
      // The last star takes one more character; what follows it starts again.
      p = star + 1;
      s = ++starEnd;
    } else return false;
  }
  while (pattern[p]?.kind === "star") p++;
  return p === pattern.length;
}

/** More names than a command line may hold (the caller says how many bytes are left). */
export class ArgListTooLong extends Error {}

/**
 * Pathname expansion: the sorted matches, or the word itself when nothing
 * matches. `room` bounds the bytes of all candidates made on the way, so
 * that globs joined by `..` (each `*` of `/` matching its three directories
 * again) cannot multiply them without end.
 */
export function expandPathname(
  text: string,
  mask: boolean[] | null,
  fs: Fs,
  cwd: string,
  room: number,
): string[] {
  if (!mask || !hasGlob(text, mask)) return [text];
  // Each candidate keeps the node it names, so no path is resolved twice.
  let matches: { path: string; node: Node }[] = [
    { path: text.startsWith("/") ? "/" : "", node: { kind: "dir", path: text.startsWith("/") ? "/" : cwd } },
  ];
  let bytes = 0;
  let at = 0;
  for (const comp of text.split("/")) {
    const compMask = mask.slice(at, at + comp.length);
    at += comp.length + 1;
    if (comp === "") continue;
    const next: typeof matches = [];
    const add = (base: string, name: string, node: Node | string) => {
      if (typeof node === "string") return; // a literal name that is not there
      const path = base === "" ? name : base.endsWith("/") ? base + name : `${base}/${name}`;
      bytes += path.length + 1;
      if (bytes > room) throw new ArgListTooLong();
      next.push({ path, node });
    };
    if (!hasGlob(comp, compMask)) for (const m of matches) add(m.path, comp, fs.step(m.node, comp));
    else {
      const pattern = compileGlob(comp, compMask);
      const hidden = comp.startsWith(".");
      for (const m of matches) {
        if (m.node.kind !== "dir") continue;
        for (const n of fs.list(m.node.path)) {
          const name = baseName(n.path);
          if ((hidden || !name.startsWith(".")) && matchGlob(pattern, name)) add(m.path, name, n);
        }
      }
    }
    matches = next;
  }
  return matches.length ? matches.map((m) => m.path).sort() : [text];
}
