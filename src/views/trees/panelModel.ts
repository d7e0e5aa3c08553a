import type { TreeView } from "../../engine";
import { MIN_VIEW_W, minWidth, PRESENTER_MIN_SCALE, SPACING, viewBox } from "./draw";
import { type NodeLook, nodeLook } from "./look";
import {
  buildHierarchy,
  DEFAULT_MAX_DEPTH,
  EMPTY_LAYOUT,
  type Layout,
  layoutTree,
  type TreeName,
  type TreeStats,
  treeStats,
} from "./model";

/* What one tree panel draws: the layout, each node's look, the counts. Pure. */

export interface Model extends TreeStats {
  layout: Layout;
  looks: Map<number, NodeLook>;
  /** 6.18 stable node chains drawn. */
  chains: number;
  /**
   * Height (viewBox units) the tree needs unfolded to its usual depth, and
   * folded to its root's level: the stage shares its height between the two
   * trees by the first and never gives one less than the second (trees.css).
   * Both come from the tree, not from the room given to it, so the share
   * never depends on the folding it leads to.
   */
  need: number;
  least: number;
}

/** The room of a tree's box (CSS px), for presenter mode's folding. */
export interface Room {
  width: number;
  height: number;
}

export function buildModel(
  tree: TreeName,
  view: TreeView,
  contentId: ArrayLike<number> | null,
  expanded: ReadonlySet<number>,
  /** Presenter mode: the tree's box, to fold levels until the tree fits it at full size. */
  presenterRoom: Room | null,
): Model {
  const stats = treeStats(view);
  const full = plainLayout(tree, view, expanded, DEFAULT_MAX_DEPTH);
  const need = viewBox(tree, full).h;
  // Presenter mode: the tree folded to its root's level, for the least height and as fitting's last resort.
  const root = presenterRoom ? plainLayout(tree, view, expanded, 1) : null;
  const least = root ? viewBox(tree, root).h : need;
  const layout =
    presenterRoom && root
      ? fittedLayout(
          tree,
          view,
          expanded,
          presenterRoom,
          new Map([
            [DEFAULT_MAX_DEPTH, full],
            [1, root],
          ]),
        )
      : full;
  const looks = new Map<number, NodeLook>();
  for (const p of layout.nodes)
    if (p.datum.kind === "node") looks.set(p.datum.node.id, nodeLook(tree, p.datum.node, contentId));
  let chains = 0;
  for (const look of looks.values()) if (look.dups.length > 0) chains++;
  return { layout, looks, chains, need, least, ...stats };
}

function plainLayout(
  tree: TreeName,
  view: TreeView,
  expanded: ReadonlySet<number>,
  maxDepth: number,
): Layout {
  const root = buildHierarchy(view, { maxDepth, expanded });
  return root ? layoutTree(root, SPACING[tree]) : EMPTY_LAYOUT;
}

/**
 * Presenter mode draws a tree no smaller than its minimum scale (readable at
 * the back): the deepest unfolding, up to the usual, that fits the box's
 * width and height at that scale; deeper levels fold into "+N nodes" (a
 * click shows them). A box not measured yet (height 0) folds by width only.
 */
function fittedLayout(
  tree: TreeName,
  view: TreeView,
  expanded: ReadonlySet<number>,
  room: Room,
  /** Layouts by depth the caller has already built. */
  built: ReadonlyMap<number, Layout>,
): Layout {
  // A small tree's margins shrink too, or they alone would make it wider than the panel.
  const minViewW = Math.min(MIN_VIEW_W, room.width / PRESENTER_MIN_SCALE);
  let layout = EMPTY_LAYOUT;
  for (let depth = DEFAULT_MAX_DEPTH; depth >= 1; depth--) {
    layout = { ...(built.get(depth) ?? plainLayout(tree, view, expanded, depth)), minViewW };
    const vb = viewBox(tree, layout);
    const tall = room.height > 0 && Math.round(vb.h * PRESENTER_MIN_SCALE) > room.height;
    if (minWidth(vb, true) <= room.width && !tall) break;
  }
  return layout;
}

/** What a model draws as, so an update that changes nothing visible keeps the same model. */
export function modelKey(m: Model): string {
  const parts: string[] = [statsLine(m), `w${m.layout.minViewW ?? ""}`, `h${m.need},${m.least}`];
  for (const p of m.layout.nodes) {
    const look = p.datum.kind === "node" ? m.looks.get(p.datum.node.id) : null;
    parts.push(`${p.key}@${p.x},${p.y}`, look ? JSON.stringify(look) : JSON.stringify(p.datum));
  }
  return parts.join("|");
}

export function statsLine(s: TreeStats): string {
  if (s.count === 0) return "0 nodes";
  const parts = [
    `${s.count} node${s.count === 1 ? "" : "s"}`,
    `height ${s.heightExact ? "" : "≥ "}${s.height}`,
  ];
  if (s.blackHeight !== null) parts.push(`black height ${s.blackHeight}`);
  return parts.join(", ");
}
