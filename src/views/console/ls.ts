/** GNU ls: columns as on a terminal, -l, -a, -A, -d, -1. */

import { strerror } from "./errno";
import { baseName, type Node } from "./fs";
import { badOption, type Command, getopt, quote } from "./io";

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
export const ls: Command = (args, io, ctx) => {
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
