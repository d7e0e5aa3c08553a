/** What a command is given: its arguments, its streams and the shell around it; and how it reads them. */
import type { Fs } from "./fs";
import type { ShellOptions, ShellState } from "./shell";

/** coreutils' shell-escape quoting of a file name in messages; `always` as ls's quoteaf. */
export function quote(name: string, always = false): string {
  if (!always && /^[\w,.+:@%/=-]+$/.test(name)) return name;
  if (!name.includes("'")) return `'${name}'`;
  if (!/["$`\\!]/.test(name)) return `"${name}"`;
  return `'${name.replace(/'/g, "'\\''")}'`;
}

export interface Io {
  stdin: string;
  out(text: string): void;
  err(text: string): void;
}

export interface Context {
  fs: Fs;
  state: ShellState;
  options: ShellOptions;
  clear(): void;
}

export type Command = (args: string[], io: Io, ctx: Context) => number;

/** Split options (GNU order: anywhere before `--`) from operands; the first bad letter, if any. */
export function getopt(
  args: string[],
  letters: string,
): { flags: Set<string>; operands: string[]; bad?: string } {
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

export function badOption(io: Io, cmd: string, bad: string, status: number): number {
  io.err(
    bad.startsWith("--") ? `${cmd}: unrecognized option '${bad}'\n` : `${cmd}: invalid option -- '${bad}'\n`,
  );
  io.err(`Try '${cmd} --help' for more information.\n`);
  return status;
}
