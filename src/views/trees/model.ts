import { tree as d3tree, hierarchy } from "d3";
import type { TreeNodeView, TreeView } from "../../engine";

/*
 * The trees view's pure half: a TreeView (flat node list) turned into a
 * hierarchy for d3's tree layout, with deep subtrees folded away (the words
 * and colours each node is drawn with: look.ts). No DOM here.
 */

export type TreeName = "stable" | "unstable";

/** A tree node as the layout sees it. */
export interface NodeDatum {
  kind: "node";
  node: TreeNodeView;
  /** None for a leaf; else exactly [left, right], a "missing" datum holding an absent child's place. */
  children?: Datum[];
}

/** The place of an absent child: laid out, never drawn, so a lone child stays on its side. */
export interface MissingDatum {
  kind: "missing";
  parent: number;
  side: "left" | "right";
}

/** A subtree folded into one "+N nodes" placeholder. */
export interface CollapsedDatum {
  kind: "collapsed";
  /** The id of the subtree's root node. */
  root: number;
  count: number;
  height: number;
}

/** Descendants the snapshot left out (too deep to send): shown as a count, nothing to unfold. */
export interface UnsentDatum {
  kind: "unsent";
  parent: number;
  count: number;
}

export type Datum = NodeDatum | MissingDatum | CollapsedDatum | UnsentDatum;

export interface HierarchyOptions {
  /** Levels shown below the root (or below an expanded node) before a subtree is folded. */
  maxDepth: number;
  /** Ids of subtree roots the user unfolded. */
  expanded: ReadonlySet<number>;
}

export const DEFAULT_MAX_DEPTH = 6;

export interface TreeStats {
  /** Nodes in the tree, those the snapshot left out included. */
  count: number;
  /** Levels from the root to the deepest node (0 for an empty tree); a lower bound if some were left out. */
  height: number;
  /** False when the snapshot left deeper levels out. */
  heightExact: boolean;
  /** Black nodes on a path from the root to a NIL leaf (null if no such path was sent). */
  blackHeight: number | null;
}

export function treeStats(t: TreeView): TreeStats {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  let height = 0;
  let count = 0;
  let heightExact = true;
  let blackHeight: number | null = null;
  const seen = new Set<number>();
  const stack: [number, number, number][] = t.root === null ? [] : [[t.root, 1, 0]];
  while (stack.length) {
    const [id, depth, blacksAbove] = stack.pop()!;
    const n = byId.get(id);
    if (!n || seen.has(id)) continue;
    seen.add(id);
    count += 1 + n.hidden;
    if (n.hidden > 0) heightExact = false;
    height = Math.max(height, depth + (n.hidden > 0 ? 1 : 0));
    const blacks = blacksAbove + (n.red ? 0 : 1);
    if (blackHeight === null && n.hidden === 0 && (n.left === null || n.right === null)) blackHeight = blacks;
    if (n.right !== null) stack.push([n.right, depth + 1, blacks]);
    if (n.left !== null) stack.push([n.left, depth + 1, blacks]);
  }
  return { count, height, heightExact, blackHeight };
}

/**
 * The layout hierarchy of a tree: null if empty. A node with one child gets a
 * "missing" datum in the other child's place. At `maxDepth` levels below the
 * root, a subtree of more than one node becomes a "collapsed" datum unless
 * its root is in `expanded`, which shows it and `maxDepth` more levels.
 * Ids that name no node (or a node already placed) count as missing.
 */
export function buildHierarchy(
  t: TreeView,
  { maxDepth, expanded }: HierarchyOptions = { maxDepth: DEFAULT_MAX_DEPTH, expanded: new Set() },
): Datum | null {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const placed = new Set<number>();
  const size = new Map<number, { count: number; height: number }>();

  const measure = (id: number, path: Set<number>): { count: number; height: number } => {
    const known = size.get(id);
    if (known) return known;
    const n = byId.get(id);
    if (!n || path.has(id)) return { count: 0, height: 0 };
    path.add(id);
    const l = n.left === null ? { count: 0, height: 0 } : measure(n.left, path);
    const r = n.right === null ? { count: 0, height: 0 } : measure(n.right, path);
    path.delete(id);
    const below = Math.max(l.height, r.height, n.hidden > 0 ? 1 : 0);
    const m = { count: 1 + n.hidden + l.count + r.count, height: 1 + below };
    size.set(id, m);
    return m;
  };

  const visit = (id: number, level: number): Datum | null => {
    const n = byId.get(id);
    if (!n || placed.has(id)) return null;
    if (level >= maxDepth && !expanded.has(id)) {
      const m = measure(id, new Set());
      if (m.count > 1) {
        markPlaced(id);
        return { kind: "collapsed", root: id, count: m.count, height: m.height };
      }
    }
    placed.add(id);
    const below = level >= maxDepth ? 1 : level + 1; // an unfolded subtree gets maxDepth more levels
    const datum: NodeDatum = { kind: "node", node: n };
    if (n.left === null && n.right === null && n.hidden > 0)
      datum.children = [{ kind: "unsent", parent: id, count: n.hidden }];
    else if (n.left !== null || n.right !== null) {
      const left = n.left === null ? null : visit(n.left, below);
      const right = n.right === null ? null : visit(n.right, below);
      if (left || right)
        datum.children = [
          left ?? { kind: "missing", parent: id, side: "left" },
          right ?? { kind: "missing", parent: id, side: "right" },
        ];
    }
    return datum;
  };

  // A folded subtree's nodes are placed too: a malformed tree linking into it must not show them twice.
  const markPlaced = (id: number): void => {
    const stack = [id];
    while (stack.length) {
      const cur = stack.pop()!;
      const n = byId.get(cur);
      if (!n || placed.has(cur)) continue;
      placed.add(cur);
      if (n.left !== null) stack.push(n.left);
      if (n.right !== null) stack.push(n.right);
    }
  };

  return t.root === null ? null : visit(t.root, 0);
}

/** The key a datum is joined by in the drawing (nodes by id; placeholders by their root). */
export function datumKey(d: Datum): string {
  switch (d.kind) {
    case "node":
      return `n${d.node.id}`;
    case "collapsed":
      return `c${d.root}`;
    case "missing":
      return `m${d.parent}${d.side}`;
    case "unsent":
      return `u${d.parent}`;
  }
}

/* ---------------- layout ---------------- */

export interface Spacing {
  /** Horizontal distance between neighbouring nodes. */
  dx: number;
  /** Vertical distance between levels. */
  dy: number;
}

export interface PlacedNode {
  key: string;
  datum: NodeDatum | CollapsedDatum | UnsentDatum;
  x: number;
  y: number;
  depth: number;
  /** The parent's key (null at the root). */
  parent: string | null;
  /** Which child of its parent this is. */
  side: "left" | "right" | null;
}

export interface PlacedLink {
  /** The child's key: a link is keyed by the node it leads to. */
  key: string;
  source: string;
  target: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Layout {
  /** Drawn nodes and placeholders, in order (left to right). */
  nodes: PlacedNode[];
  links: PlacedLink[];
  bounds: { minX: number; maxX: number; maxY: number };
  /** The narrowest viewBox to frame it in (a small tree gets margins); the drawing's default if unset. */
  minViewW?: number;
}

export const EMPTY_LAYOUT: Layout = { nodes: [], links: [], bounds: { minX: 0, maxX: 0, maxY: 0 } };

/**
 * How nodes are placed across:
 * - "inorder" (the default): by in-order rank, half `dx` apart. The picture
 *   reads left to right in the tree's order, as a search tree should; and
 *   since in-order neighbours are always ancestor and descendant, nodes on
 *   one level are still at least `dx` apart.
 * - "tidy": d3's tidy tree (Reingold–Tilford), narrower for lopsided trees
 *   but not in order: a node deep in a left subtree can land right of an
 *   ancestor it is less than, or straight under one.
 */
export type LayoutMode = "inorder" | "tidy";

/** A layout with a fixed node size: each level `dy` apart, neighbours on a level at least `dx` apart. */
export function layoutTree(root: Datum | null, { dx, dy }: Spacing, mode: LayoutMode = "inorder"): Layout {
  if (!root) return EMPTY_LAYOUT;
  const h = hierarchy<Datum>(root, (d) => (d.kind === "node" ? d.children : undefined));
  d3tree<Datum>()
    .nodeSize([dx, dy])
    .separation(() => 1)(h);
  type H = typeof h;
  // In order: left subtree, node, right subtree (the tree's sort order, and the tab order).
  const order: H[] = [];
  const walk = (n: H): void => {
    const kids = n.children ?? [];
    if (kids[0]) walk(kids[0]);
    if (n.data.kind !== "missing") order.push(n);
    if (kids[1]) walk(kids[1]);
  };
  walk(h);
  const xOf = new Map<H, number>();
  if (mode === "inorder") {
    const rootRank = order.indexOf(h);
    order.forEach((n, rank) => {
      xOf.set(n, ((rank - rootRank) * dx) / 2);
    });
  } else for (const n of order) xOf.set(n, n.x ?? 0);

  const nodes: PlacedNode[] = [];
  const links: PlacedLink[] = [];
  let minX = 0;
  let maxX = 0;
  let maxY = 0;
  for (const n of order) {
    const d = n.data as PlacedNode["datum"];
    const x = xOf.get(n)!;
    const y = n.depth * dy;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
    const parent = n.parent;
    const key = datumKey(d);
    nodes.push({
      key,
      datum: d,
      x,
      y,
      depth: n.depth,
      parent: parent ? datumKey(parent.data) : null,
      side: parent ? (parent.children?.[0] === n ? "left" : "right") : null,
    });
    if (parent)
      links.push({
        key,
        source: datumKey(parent.data),
        target: key,
        x1: xOf.get(parent)!,
        y1: parent.depth * dy,
        x2: x,
        y2: y,
      });
  }
  return { nodes, links, bounds: { minX, maxX, maxY } };
}
