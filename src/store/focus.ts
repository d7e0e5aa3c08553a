import type { Snapshot } from "../engine";
import { frameAt, mappersOf } from "./query";
import type { Focus } from "./store";

/** Everything a focus touches, so each view can light up its own part of it. */
export interface Lit {
  /** Frames. */
  pfns: Set<number>;
  /** rmap_items (and, in 2.6.32, stable nodes, which are rmap_items). */
  items: Set<number>;
  /** Virtual pages, as `${pid}:${addr}`. */
  pages: Set<string>;
  /** Tree nodes, as `${tree}:${id}`. */
  nodes: Set<string>;
}

export function pageKey(pid: number, addr: number): string {
  return `${pid}:${addr}`;
}

const EMPTY: Lit = { pfns: new Set(), items: new Set(), pages: new Set(), nodes: new Set() };

/**
 * Resolve a focus against a snapshot: a page lights its frame, its rmap_item
 * and the tree node holding it; a frame lights every page mapping it; a tree
 * node lights its page and items; and so on, one step out in each direction.
 */
export function resolveFocus(s: Snapshot | null, focus: Focus | null): Lit {
  if (!s || !focus) return EMPTY;
  const lit: Lit = { pfns: new Set(), items: new Set(), pages: new Set(), nodes: new Set() };
  switch (focus.kind) {
    case "frame":
      lit.pfns.add(focus.pfn);
      break;
    case "page": {
      lit.pages.add(pageKey(focus.pid, focus.addr));
      const pfn = frameAt(s, focus.pid, focus.addr);
      if (pfn >= 0) lit.pfns.add(pfn);
      for (const slot of s.slots)
        for (const it of slot.items) if (it.pid === focus.pid && it.addr === focus.addr) lit.items.add(it.id);
      break;
    }
    case "item":
      lit.items.add(focus.id);
      break;
    case "node": {
      lit.nodes.add(`${focus.tree}:${focus.id}`);
      const tree = focus.tree === "stable" ? s.stableTree : s.unstableTree;
      const node = tree.nodes.find((n) => n.id === focus.id);
      if (node) {
        if (node.pfn >= 0) lit.pfns.add(node.pfn);
        for (const it of node.items) {
          lit.items.add(it.id);
          lit.pages.add(pageKey(it.pid, it.addr));
        }
      }
      break;
    }
  }
  // One step outwards: pages mapping the lit frames, and the items of lit pages.
  for (const pfn of lit.pfns) for (const m of mappersOf(s, pfn)) lit.pages.add(pageKey(m.pid, m.addr));
  for (const slot of s.slots)
    for (const it of slot.items) if (lit.pages.has(pageKey(it.pid, it.addr))) lit.items.add(it.id);
  for (const [tree, view] of [
    ["stable", s.stableTree],
    ["unstable", s.unstableTree],
  ] as const)
    for (const n of view.nodes)
      if (n.items.some((it) => lit.items.has(it.id)) || (tree === "stable" && lit.pfns.has(n.pfn)))
        lit.nodes.add(`${tree}:${n.id}`);
  return lit;
}
