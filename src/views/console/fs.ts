/**
 * The console's file tree: the path down to /sys/kernel/mm/ksm (each parent
 * shows only the next directory), /root (home) and /dev/null. Files can be
 * created nowhere: sysfs refuses (EACCES), the rest is read-only (EROFS).
 *
 * Names are looked up in Maps only, so a file called `__proto__` or
 * `constructor` is just a name that is not there.
 */

import type { Snapshot } from "../../engine";

/** One file of /sys/kernel/mm/ksm/, as the snapshot has it (text ends in a newline). */
export type SysfsFile = Snapshot["sysfs"][number];

export interface ShellSystem {
  files(): SysfsFile[];
  /** write(2) of `value` to /sys/kernel/mm/ksm/`file`; errno on failure. */
  write(file: string, value: string): Promise<{ errno?: string }>;
}

export const KSM_DIR = "/sys/kernel/mm/ksm";
export const HOME = "/root";

export type Node =
  | { kind: "dir"; path: string }
  | { kind: "file"; path: string; sysfs: SysfsFile }
  | { kind: "null"; path: string };

const DIRS = new Map<string, string[]>([
  ["/", ["dev", "root", "sys"]],
  ["/dev", []],
  ["/root", []],
  ["/sys", ["kernel"]],
  ["/sys/kernel", ["mm"]],
  ["/sys/kernel/mm", ["ksm"]],
]);

export const childPath = (dir: string, name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`);
export const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1) || "/";

interface Listing {
  /** Sorted as ls and globs sort them (C locale). */
  nodes: Node[];
  byName: Map<string, Node>;
}

export class Fs {
  /** Listings read since the last write: a line's many lookups read the snapshot once. */
  private readonly cache = new Map<string, Listing>();

  constructor(private readonly sys: ShellSystem) {}

  /** Forget what was read: after a write, sysfs shows new values. */
  invalidate(): void {
    this.cache.clear();
  }

  private listing(dir: string): Listing {
    const cached = this.cache.get(dir);
    if (cached) return cached;
    let nodes: Node[];
    if (dir === KSM_DIR)
      nodes = this.sys
        .files()
        .map((f): Node => ({ kind: "file", path: childPath(dir, f.file), sysfs: f }))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
    else {
      nodes = (DIRS.get(dir) ?? []).map((name) => ({ kind: "dir", path: childPath(dir, name) }));
      if (dir === "/dev") nodes.push({ kind: "null", path: "/dev/null" });
    }
    const listing = { nodes, byName: new Map(nodes.map((n) => [baseName(n.path), n])) };
    this.cache.set(dir, listing);
    return listing;
  }

  /** A directory's entries, sorted as ls and globs sort them (C locale). */
  list(dir: string): Node[] {
    return this.listing(dir).nodes;
  }

  /** One step down (or up) from `node`: the entry `name`, or the errno of trying. */
  step(node: Node, name: string): Node | "ENOENT" | "ENOTDIR" {
    if (node.kind !== "dir") return "ENOTDIR";
    if (name === "" || name === ".") return node;
    if (name === "..") return { kind: "dir", path: node.path.slice(0, node.path.lastIndexOf("/")) || "/" };
    return this.listing(node.path).byName.get(name) ?? "ENOENT";
  }

  /** Resolve a path component by component, as the kernel does. */
  lookup(path: string, cwd: string): Node | "ENOENT" | "ENOTDIR" {
    if (path === "") return "ENOENT";
    let node: Node | "ENOENT" | "ENOTDIR" = { kind: "dir", path: path.startsWith("/") ? "/" : cwd };
    for (const name of path.split("/")) {
      node = this.step(node, name);
      if (typeof node === "string") return node;
    }
    return node;
  }
}
