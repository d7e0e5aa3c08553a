/**
 * GNU grep's regular expressions (basic and extended) without JavaScript's
 * backtracking RegExp, which takes exponential time on `(a*)*b`. A pattern
 * compiles to a small program run as a Thompson NFA (Pike VM): each
 * character of a line costs at most the program's length. Only back
 * references (\1…\9) need backtracking, as in GNU's own regex; that search is
 * bounded by a step budget and ends, as grep does when its stack runs out,
 * in "memory exhausted".
 */

/** A pattern grep refuses; `message` is GNU grep's (after "grep: "). */
export class RegexError extends Error {}

type Assertion = "bol" | "eol" | "word" | "notWord" | "wordStart" | "wordEnd";
/** `h`: the height of the tree below, bounded so that compiling it cannot overflow the stack. */
type Ast = { h: number } & (
  | { t: "char"; test: (c: string) => boolean }
  | { t: "cat"; items: Ast[] }
  | { t: "alt"; items: Ast[] }
  | { t: "rep"; node: Ast; min: number; max: number } // max -1: no bound
  | { t: "group"; node: Ast; n: number }
  | { t: "assert"; kind: Assertion }
  | { t: "backref"; n: number }
);

type Op =
  | { op: "char"; test: (c: string) => boolean }
  | { op: "split"; x: number; y: number }
  | { op: "jmp"; x: number }
  | { op: "save"; n: number }
  | { op: "assert"; kind: Assertion }
  | { op: "backref"; n: number }
  | { op: "match" };

/** GNU's RE_DUP_MAX, and a program size past which grep says the pattern is too big. */
const DUP_MAX = 32767;
const MAX_PROGRAM = 100_000;
const MAX_HEIGHT = 1000;
const TOO_BIG = "Regular expression too big";

/** A node over `below`, refused past MAX_HEIGHT. */
function over<T extends object>(below: Ast[], node: T): T & { h: number } {
  const h = 1 + below.reduce((m, n) => Math.max(m, n.h), 0);
  if (h > MAX_HEIGHT) throw new RegexError(TOO_BIG);
  return { ...node, h };
}

/** `node` repeated: a * + or ? of a * + or ? is one of them, ((a*)* is a*), so long runs stay flat. */
function repeat(node: Ast, min: number, max: number): Ast {
  const simple = (lo: number, hi: number) => lo <= 1 && (hi === 1 || hi === -1);
  if (node.t === "rep" && simple(node.min, node.max) && simple(min, max))
    return { ...node, min: node.min * min, max: node.max < 0 || max < 0 ? -1 : 1 };
  if (min === 1 && max === 1) return node;
  return over([node], { t: "rep", node, min, max });
}
/** Steps one grep may take (NFA states visited, or backtracking moves): a second or so. */
export const STEP_BUDGET = 50_000_000;
/** Backtracking's stack of choices, as GNU regex's failure stack, is bounded too. */
const MAX_STACK = 1_000_000;
const EXHAUSTED = "memory exhausted";
/** A backtracking move copies more than a thread step: it costs more of the budget. */
const BACKTRACK_COST = 25;

const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
const CLASSES = new Map<string, RegExp>([
  ["alnum", /[A-Za-z0-9]/],
  ["alpha", /[A-Za-z]/],
  ["blank", /[ \t]/],
  ["cntrl", /\p{Cc}/u],
  ["digit", /[0-9]/],
  ["graph", /[!-~]/],
  ["lower", /[a-z]/],
  ["print", /[ -~]/],
  ["punct", /[!-/:-@[-`{-~]/],
  ["space", /\s/],
  ["upper", /[A-Z]/],
  ["xdigit", /[0-9A-Fa-f]/],
]);
const ESCAPED_CLASSES = new Map<string, (c: string) => boolean>([
  ["w", (c) => isWord(c)],
  ["W", (c) => !isWord(c)],
  ["s", (c) => /\s/.test(c)],
  ["S", (c) => !/\s/.test(c)],
]);
const ESCAPED_ASSERTIONS = new Map<string, Assertion>([
  ["b", "word"],
  ["B", "notWord"],
  ["<", "wordStart"],
  [">", "wordEnd"],
  ["`", "bol"],
  ["'", "eol"],
]);

const UNMATCHED_OPEN = "Unmatched ( or \\(";
const UNMATCHED_CLOSE = "Unmatched ) or \\)";

/** The bracket expression opening at p[i]: a test, and the index after its ']'. */
function bracket(p: string, i: number, fold: (t: (c: string) => boolean) => (c: string) => boolean) {
  let j = i + 1;
  const negate = p[j] === "^";
  if (negate) j++;
  const tests: ((c: string) => boolean)[] = [];
  /** One element at p[j]: a character (its code), or a class test. */
  const element = (): string | ((c: string) => boolean) => {
    if (p[j] === "[" && (p[j + 1] === ":" || p[j + 1] === "=" || p[j + 1] === ".")) {
      const kind = p[j + 1];
      const end = p.indexOf(`${kind}]`, j + 2);
      if (end < 0) throw new RegexError("Unmatched [, [^, [:, [., or [=");
      const name = p.slice(j + 2, end);
      j = end + 2;
      if (kind !== ":") return name; // [=a=] and [.a.]: the character itself
      const re = CLASSES.get(name);
      if (!re) throw new RegexError("Invalid character class name");
      return (c) => re.test(c);
    }
    return p[j++];
  };
  for (let first = true; ; first = false) {
    if (j >= p.length) throw new RegexError("Unmatched [, [^, [:, [., or [=");
    if (p[j] === "]" && !first) break;
    const from = element();
    if (typeof from !== "string") tests.push(from);
    else if (p[j] === "-" && p[j + 1] !== "]" && j + 1 < p.length) {
      j++;
      const to = element();
      if (typeof to !== "string" || to < from) throw new RegexError("Invalid range end");
      tests.push((c) => from <= c && c <= to);
    } else tests.push((c) => c === from);
  }
  const test = fold((c) => tests.some((t) => t(c)));
  return { test: (c: string) => test(c) !== negate, next: j + 1 };
}

/** Parse a basic (GNU BRE) or extended (ERE) pattern. */
function parse(p: string, extended: boolean, ignoreCase: boolean): { ast: Ast; groups: number } {
  const fold =
    (t: (c: string) => boolean) =>
    (c: string): boolean =>
      t(c) || (ignoreCase && (t(c.toLowerCase()) || t(c.toUpperCase())));
  let i = 0;
  let groups = 0;
  const closed = new Set<number>();
  /** The next token is an operator: in BRE spelled with \, in ERE without. */
  const at = (op: string) =>
    extended ? p[i] === op : p[i] === "\\" && p[i + 1] === op && "(){}|+?".includes(op);
  const take = (op: string) => {
    if (!at(op)) return false;
    i += extended ? 1 : 2;
    return true;
  };

  const alternation = (depth: number): Ast => {
    const items = [sequence(depth)];
    while (take("|")) items.push(sequence(depth));
    return items.length === 1 ? items[0] : over(items, { t: "alt", items });
  };

  const sequence = (depth: number): Ast => {
    const items: Ast[] = [];
    const start = i;
    while (i < p.length && !at("|") && !(at(")") && depth > 0)) {
      if (at(")")) throw new RegexError(UNMATCHED_CLOSE);
      let atom = atomAt(i === start, depth);
      for (;;) {
        let min: number;
        let max: number;
        // BRE reads a * right after a leading ^ as itself.
        if (p[i] === "*" && (extended || atom.t !== "assert")) [min, max, i] = [0, -1, i + 1];
        else if (take("+")) [min, max] = [1, -1];
        else if (take("?")) [min, max] = [0, 1];
        else if (at("{")) {
          const open = i;
          take("{");
          const m = /^(\d*)(,(\d*))?/.exec(p.slice(i, i + 20))!;
          i += m[0].length;
          if (!take("}")) {
            if (extended) {
              // Not an interval: GNU grep -E reads the { as itself.
              i = open;
              break;
            }
            throw new RegexError("Unmatched \\{");
          }
          min = m[1] === "" ? 0 : Number(m[1]);
          max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
          if (min > DUP_MAX || max > DUP_MAX || (max >= 0 && max < min))
            throw new RegexError("Invalid content of \\{\\}");
        } else break;
        atom = repeat(atom, min, max);
      }
      items.push(atom);
    }
    return over(items, { t: "cat", items });
  };

  /** One atom; `first` says it opens its branch (where BRE reads * and ^ as anchors or text). */
  const atomAt = (first: boolean, depth: number): Ast => {
    const c = p[i];
    if (take("(")) {
      // Nesting is refused before it is parsed: the parser recurses once a level.
      if (depth >= MAX_HEIGHT) throw new RegexError(TOO_BIG);
      const n = ++groups;
      const node = alternation(depth + 1);
      if (!take(")")) throw new RegexError(UNMATCHED_OPEN);
      closed.add(n);
      return over([node], { t: "group", node, n });
    }
    i++;
    if (c === "*" && first) return { h: 1, t: "char", test: (d) => d === "*" };
    if (c === "^" && (extended || first)) return { h: 1, t: "assert", kind: "bol" };
    if (c === "$" && (extended || i === p.length || at(")") || at("|")))
      return { h: 1, t: "assert", kind: "eol" };
    if (c === ".") return { h: 1, t: "char", test: () => true };
    if (c === "[") {
      const b = bracket(p, i - 1, fold);
      i = b.next;
      return { h: 1, t: "char", test: b.test };
    }
    if (c === "\\") {
      if (i >= p.length) throw new RegexError("Trailing backslash");
      const d = p[i++];
      const assertion = ESCAPED_ASSERTIONS.get(d);
      if (assertion) return { h: 1, t: "assert", kind: assertion };
      const cls = ESCAPED_CLASSES.get(d);
      if (cls) return { h: 1, t: "char", test: cls };
      if (d >= "1" && d <= "9") {
        if (!closed.has(Number(d))) throw new RegexError("Invalid back reference");
        return { h: 1, t: "backref", n: Number(d) };
      }
      return { h: 1, t: "char", test: fold((e) => e === d) };
    }
    return { h: 1, t: "char", test: fold((e) => e === c) };
  };

  const ast = alternation(0);
  if (i < p.length) throw new RegexError(UNMATCHED_CLOSE);
  return { ast, groups };
}

/** The program of an AST; throws when it grows past MAX_PROGRAM (counted repetitions copy their operand). */
function compile(ast: Ast): Op[] {
  const prog: Op[] = [];
  const emit = (op: Op) => {
    if (prog.length >= MAX_PROGRAM) throw new RegexError(TOO_BIG);
    prog.push(op);
    return prog.length - 1;
  };
  const gen = (n: Ast): void => {
    if (n.t === "char") emit({ op: "char", test: n.test });
    else if (n.t === "assert") emit({ op: "assert", kind: n.kind });
    else if (n.t === "backref") emit({ op: "backref", n: n.n });
    else if (n.t === "cat") for (const item of n.items) gen(item);
    else if (n.t === "group") {
      emit({ op: "save", n: 2 * n.n });
      gen(n.node);
      emit({ op: "save", n: 2 * n.n + 1 });
    } else if (n.t === "alt") {
      const jumps: number[] = [];
      for (const item of n.items.slice(0, -1)) {
        const split = emit({ op: "split", x: 0, y: 0 });
        gen(item);
        jumps.push(emit({ op: "jmp", x: 0 }));
        prog[split] = { op: "split", x: split + 1, y: prog.length };
      }
      gen(n.items[n.items.length - 1]);
      for (const j of jumps) prog[j] = { op: "jmp", x: prog.length };
    } else {
      for (let k = 0; k < n.min; k++) gen(n.node);
      if (n.max < 0) {
        const split = emit({ op: "split", x: 0, y: 0 });
        gen(n.node);
        emit({ op: "jmp", x: split });
        prog[split] = { op: "split", x: split + 1, y: prog.length };
      } else
        for (let k = n.min; k < n.max; k++) {
          const split = emit({ op: "split", x: 0, y: 0 });
          gen(n.node);
          prog[split] = { op: "split", x: split + 1, y: prog.length };
        }
    }
  };
  gen(ast);
  emit({ op: "match" });
  return prog;
}

function holds(kind: Assertion, s: string, i: number): boolean {
  const before = isWord(s[i - 1]);
  const after = isWord(s[i]);
  switch (kind) {
    case "bol":
      return i === 0;
    case "eol":
      return i === s.length;
    case "word":
      return before !== after;
    case "notWord":
      return before === after;
    case "wordStart":
      return !before && after;
    case "wordEnd":
      return before && !after;
  }
}

/** Work done so far by one grep; past STEP_BUDGET it stops. */
export interface Budget {
  steps: number;
}

function spend(budget: Budget, n: number): void {
  budget.steps += n;
  if (budget.steps > STEP_BUDGET) throw new RegexError(EXHAUSTED);
}

/** Does the program match anywhere in `s`? Threads in lockstep: O(|s| · |program|). */
function pike(prog: Op[], s: string, budget: Budget): boolean {
  const mark = new Int32Array(prog.length).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];
  /** Add the thread at pc and every thread it reaches without reading, at position i. */
  const add = (list: number[], start: number, i: number, gen: number): boolean => {
    stack.push(start);
    let visited = 0;
    while (stack.length) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      visited++;
      const op = prog[pc];
      if (op.op === "match") {
        stack.length = 0;
        return true;
      }
      if (op.op === "jmp") stack.push(op.x);
      else if (op.op === "split") stack.push(op.y, op.x);
      else if (op.op === "save") stack.push(pc + 1);
      else if (op.op === "assert") {
        if (holds(op.kind, s, i)) stack.push(pc + 1);
      } else list.push(pc);
    }
    spend(budget, visited);
    return false;
  };
  for (let i = 0; i <= s.length; i++) {
    // A new thread at every position: the match may start anywhere.
    if (add(current, 0, i, i)) return true;
    if (i === s.length) break;
    next = [];
    spend(budget, current.length);
    for (const pc of current) {
      const op = prog[pc] as { op: "char"; test: (c: string) => boolean };
      if (op.test(s[i]) && add(next, pc + 1, i + 1, i + 1)) return true;
    }
    [current, next] = [next, current];
  }
  return false;
}

/** Backtracking with captures, for back references; every move is paid from the budget. */
function backtrack(prog: Op[], s: string, groups: number, budget: Budget, ignoreCase: boolean): boolean {
  const same = (a: string, b: string) => (ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
  for (let start = 0; start <= s.length; start++) {
    const stack: { pc: number; i: number; caps: number[] }[] = [
      { pc: 0, i: start, caps: Array<number>(2 * groups + 2).fill(-1) },
    ];
    while (stack.length) {
      spend(budget, BACKTRACK_COST);
      if (stack.length > MAX_STACK) throw new RegexError(EXHAUSTED);
      const { pc, i, caps } = stack.pop()!;
      const op = prog[pc];
      if (op.op === "match") return true;
      if (op.op === "char") {
        if (i < s.length && op.test(s[i])) stack.push({ pc: pc + 1, i: i + 1, caps });
      } else if (op.op === "jmp") stack.push({ pc: op.x, i, caps });
      else if (op.op === "split") stack.push({ pc: op.y, i, caps }, { pc: op.x, i, caps });
      else if (op.op === "assert") {
        if (holds(op.kind, s, i)) stack.push({ pc: pc + 1, i, caps });
      } else if (op.op === "save") {
        const copy = caps.slice();
        copy[op.n] = i;
        stack.push({ pc: pc + 1, i, caps: copy });
      } else {
        const [from, to] = [caps[2 * op.n], caps[2 * op.n + 1]];
        if (from < 0 || to < 0) continue;
        const text = s.slice(from, to);
        if (same(s.slice(i, i + text.length), text)) stack.push({ pc: pc + 1, i: i + text.length, caps });
      }
    }
  }
  return false;
}

export interface GrepOptions {
  extended: boolean;
  fixed: boolean;
  ignoreCase: boolean;
}

/** A line matcher for grep's PATTERN, sharing one budget over all the lines it tests. */
export function grepMatcher(pattern: string, o: GrepOptions): (line: string, budget: Budget) => boolean {
  if (o.fixed) {
    const want = o.ignoreCase ? pattern.toLowerCase() : pattern;
    return (line) => (o.ignoreCase ? line.toLowerCase() : line).includes(want);
  }
  const { ast, groups } = parse(pattern, o.extended, o.ignoreCase);
  const prog = compile(ast);
  const backrefs = prog.some((op) => op.op === "backref");
  return (line, budget) =>
    backrefs ? backtrack(prog, line, groups, budget, o.ignoreCase) : pike(prog, line, budget);
}
