/**
 * bash's grammar, as much of it as the console runs: words with '…', "…", \
 * and $VAR, redirections (> >> 1> 2>), pipes, and lists joined by ; && ||.
 * One pass over the line, a run of plain characters at a time.
 */

/** A piece of a word: literal text (quoted or not) or a $variable. */
export type Part = { text: string; quoted: boolean } | { variable: string };
export type Word = Part[];

type Token = { kind: "word"; word: Word } | { kind: "op"; op: string; fd?: number };

export interface Redirect {
  fd: number;
  append: boolean;
  target: Word;
}
export interface Simple {
  words: Word[];
  redirects: Redirect[];
}
/** Pipelines joined by ; && ||: `op` is how each one follows the one before. */
export interface Pipeline {
  op: ";" | "&&" | "||";
  commands: Simple[];
}

/** A line bash would not run; the message is the whole error line. */
export class SyntaxError_ extends Error {}
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
export function parse(line: string): Pipeline[] {
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
