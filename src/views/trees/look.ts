import { interpolateRgb } from "d3";
import type { DupView, TreeNodeView } from "../../engine";
import { hexAddr } from "../frames/frameModel";
import { contentColor, TREE_BLACK, TREE_RED } from "../palette";
import type { CollapsedDatum, TreeName, UnsentDatum } from "./model";

/* The words and colours each tree node and placeholder is drawn with. Pure. */

export const STALE_REASON: Record<TreeName, string> = {
  unstable: "freed or moved: the kernel leaves it until the tree is emptied at the next scan start",
  stable: "its KSM page is gone: pruned when a search meets it",
};

/** Sharers a stable node's tooltip names (the snapshot sends as many: MAX_NODE_ITEMS). */
const MAX_SHARERS = 12;

/** Chips under a stable node: one per sharer, or a count when there are more than this. */
export const MAX_CHIPS = 3;

/** "pid@addr" for a chip: the address's last five hex digits (enough within a region); full in the tooltip. */
export function itemChip(it: { pid: number; addr: number }): string {
  const hex = it.addr.toString(16);
  return `${it.pid}@${hex.length > 5 ? `…${hex.slice(-5)}` : `0x${hex}`}`;
}

/** "pid@addr" in full. */
export function itemRef(it: { pid: number; addr: number }): string {
  return `${it.pid}@${hexAddr(it.addr)}`;
}

/** One dup of a 6.18 stable node chain as drawn: its KSM page's frame and sharers. */
export interface DupLook {
  id: number;
  /** "12 ×5": the frame, then how many map it. */
  label: string;
  stale: boolean;
}

/** How one node is drawn: all strings and colours, so a redraw can tell whether anything changed. */
export interface NodeLook {
  id: number;
  /** TREE_RED or TREE_BLACK; faded towards white for a stale node. */
  fill: string;
  stale: boolean;
  /** The content swatch colour ("transparent" when there is no page to show). */
  swatch: string;
  /** Inside the circle: the page frame number. */
  label: string;
  /** Under the circle (unstable nodes): the owner. */
  sublabel: string;
  /** Under the circle (stable nodes): the sharers. */
  chips: string[];
  /** A 6.18 stable node chain: its dups, newest first, drawn under it instead of chips; else empty. */
  dups: DupLook[];
  aria: string;
  title: string;
}

export function nodeLook(tree: TreeName, n: TreeNodeView, contentId: ArrayLike<number> | null): NodeLook {
  if (tree === "stable" && n.dups) return chainLook(n, n.dups, contentId);
  const hasPage = n.pfn >= 0;
  const content = hasPage && contentId ? (contentId[n.pfn] ?? 0) : 0;
  const first = n.items[0];
  let aria: string;
  let chips: string[] = [];
  let sublabel = "";
  if (tree === "stable") {
    aria = `stable node ${n.id}: KSM page ${hasPage ? n.pfn : "gone"} shared by ${n.itemCount}`;
    chips =
      n.itemCount > MAX_CHIPS || n.items.length < n.itemCount ? [`×${n.itemCount}`] : n.items.map(itemChip);
  } else {
    const where = first ? ` of pid ${first.pid} at ${hexAddr(first.addr)}` : "";
    aria = `unstable node ${n.id}: ${hasPage ? `page ${n.pfn}` : "page gone"}${where}`;
    sublabel = first ? `pid ${first.pid}` : "";
  }
  if (n.stale) aria += `; stale: ${STALE_REASON[tree]}`;
  const lines = [aria];
  if (tree === "stable" && n.itemCount > 0) {
    const shown = n.items.slice(0, MAX_SHARERS).map(itemRef);
    if (n.itemCount > shown.length) shown.push(`… ${n.itemCount - shown.length} more`);
    lines.push(`sharers: ${shown.join(", ")}`);
  }
  if (n.hidden > 0) lines.push(`${n.hidden} nodes below it are not in this snapshot (too deep to send)`);
  return {
    id: n.id,
    fill: n.stale ? fade(n.red ? TREE_RED : TREE_BLACK) : n.red ? TREE_RED : TREE_BLACK,
    stale: n.stale,
    // A stale stable node's frame may hold another page by now: its colour would mislead.
    swatch: tree === "stable" && n.stale ? "transparent" : contentColor(content),
    label: hasPage ? String(n.pfn) : "–",
    sublabel,
    chips,
    dups: [],
    aria,
    title: lines.join("\n"),
  };
}

/** "frame 12 shared by 5", "frame 14 (stale)" */
function dupWords(d: DupView): string {
  return d.stale
    ? `frame ${d.pfn < 0 ? "gone" : d.pfn} (stale: its KSM page is gone)`
    : `frame ${d.pfn} shared by ${d.itemCount}`;
}

/**
 * A stable node chain: no page of its own (the circle shows a chain), its dups
 * drawn under it; words name each dup's KSM page and sharers.
 */
function chainLook(n: TreeNodeView, dups: readonly DupView[], contentId: ArrayLike<number> | null): NodeLook {
  const live = dups.find((d) => !d.stale);
  const content = live && contentId ? (contentId[live.pfn] ?? 0) : 0;
  const stale = !live;
  const aria = `stable node chain ${n.id}, ${dups.length} dup${dups.length === 1 ? "" : "s"}: ${dups.map(dupWords).join("; ")}`;
  const lines = [
    aria,
    "max_page_sharing reached: equal contents, several KSM pages (dups); a search takes the dup with room and the most sharers",
  ];
  for (const d of dups)
    if (d.itemCount > 0) {
      const shown = d.items.slice(0, MAX_SHARERS).map(itemRef);
      if (d.itemCount > shown.length) shown.push(`… ${d.itemCount - shown.length} more`);
      lines.push(`frame ${d.pfn}: ${shown.join(", ")}`);
    }
  if (n.hidden > 0) lines.push(`${n.hidden} nodes below it are not in this snapshot (too deep to send)`);
  return {
    id: n.id,
    fill: stale ? fade(n.red ? TREE_RED : TREE_BLACK) : n.red ? TREE_RED : TREE_BLACK,
    stale,
    swatch: stale ? "transparent" : contentColor(content),
    label: "",
    sublabel: "",
    chips: [],
    dups: dupLooks(dups),
    aria,
    title: lines.join("\n"),
  };
}

/** How a chain's dups are labelled: "frame ×sharers". */
export function dupLooks(dups: readonly DupView[]): DupLook[] {
  return dups.map((d) => ({ id: d.id, label: `${d.pfn < 0 ? "–" : d.pfn} ×${d.itemCount}`, stale: d.stale }));
}

/** A colour faded most of the way to white: a stale node stays opaque, so links do not show through it. */
export function fade(color: string): string {
  return interpolateRgb(color, "#ffffff")(0.6);
}

/** A placeholder's two lines ("+N" over "nodes"), narrow enough for the closest spacing. */
export function collapsedLabel(c: CollapsedDatum): [string, string] {
  return [`+${c.count}`, "nodes"];
}

export function collapsedAria(c: CollapsedDatum): string {
  return `${c.count} more nodes, ${c.height} levels, from node ${c.root} down: press Enter to show them`;
}

export function unsentLabel(u: UnsentDatum): [string, string] {
  return [`+${u.count}`, "not sent"];
}

export function unsentTitle(u: UnsentDatum): string {
  return `${u.count} nodes below node ${u.parent} are too deep to be sent in each update: not shown`;
}
