import type { KsmEvent } from "../../engine";
import type { TreeName } from "./model";

/*
 * What the last update did to the trees, read from its events: the search
 * paths to light, whether the unstable tree was emptied, and which nodes
 * came, went or were promoted.
 */

export interface SearchStep {
  node: number;
  pfn: number;
  /** memcmp(page, node's page): -1 go left, 1 go right, 0 equal. */
  result: -1 | 0 | 1;
}

export interface SearchPath {
  tree: TreeName;
  /** The kernel function that walked the tree. */
  fn: string;
  /** The page searched for (or being inserted, for stable_tree_insert). */
  pfn: number;
  steps: SearchStep[];
  /** One line: what the walk found. */
  outcome: string;
  /** The node the walk ended by inserting, if any: it appears after the last compare. */
  inserted: number | null;
  /**
   * 6.18: the walk reached (at its last compare) a chain of equal contents: the
   * dup stable_node_dup() offered, and whether it had room (else every dup is full).
   */
  pick: { node: number; dup: number; candidate: boolean } | null;
}

export interface TreeActivity {
  search: Record<TreeName, SearchPath | null>;
  /** The last scan start in the update: the unstable tree was emptied. */
  scanStart: { seqnr: number; dropped: number } | null;
  /** 2.6.32: a removed stable node's next sharer took its place (new id → old id). */
  promoted: Map<number, number>;
  /** Per tree: short notes on what changed ("1 inserted", "2 pruned"). */
  changes: Record<TreeName, string[]>;
}

export const NO_ACTIVITY: TreeActivity = {
  search: { stable: null, unstable: null },
  scanStart: null,
  promoted: new Map(),
  changes: { stable: [], unstable: [] },
};

type SearchEvent = Extract<KsmEvent, { type: "stable-search" | "unstable-search" | "stable-insert" }>;

function isSearch(e: KsmEvent): e is SearchEvent {
  return e.type === "stable-search" || e.type === "unstable-search" || e.type === "stable-insert";
}

export function badge(result: -1 | 0 | 1): "<" | "=" | ">" {
  return result < 0 ? "<" : result > 0 ? ">" : "=";
}

export function searchPath(e: SearchEvent): SearchPath {
  const steps = e.path.map(({ node, pfn, result }) => ({ node, pfn, result }));
  const n = steps.length;
  const compares = `${n} compare${n === 1 ? "" : "s"}`;
  switch (e.type) {
    case "stable-search": {
      // Stepping by comparison cuts the path: the pick shows once the walk is at its node.
      const last = steps.at(-1);
      const p = e.pick && e.pick.dups > 0 && last?.result === 0 && last.node === e.pick.node ? e.pick : null;
      const found = p
        ? p.candidate
          ? `chain node ${p.node}: picked the dup at frame ${p.pfn} (${p.sharers} of max ${p.maxPageSharing})`
          : `chain node ${p.node}: all ${p.dups} dups full (max_page_sharing ${p.maxPageSharing})`
        : e.found === null
          ? "no equal KSM page"
          : `equal to node ${e.found}`;
      return {
        tree: "stable",
        fn: e.fn,
        pfn: e.pfn,
        steps,
        outcome: `${e.fn} for page ${e.pfn}: ${compares}, ${found}`,
        inserted: null,
        pick: p && { node: p.node, dup: p.dup, candidate: p.candidate },
      };
    }
    case "stable-insert":
      return {
        tree: "stable",
        fn: e.fn,
        pfn: e.kpfn,
        steps,
        outcome: `${e.fn} of KSM page ${e.kpfn}: ${compares}, ${e.ok ? `inserted as node ${e.node}` : "an equal page is there: not inserted"}`,
        inserted: e.ok ? e.node : null,
        pick: null,
      };
    case "unstable-search": {
      const outcome = {
        match: `equal to node ${e.match}: merge the two`,
        inserted: `no equal page: inserted as node ${e.item}`,
        "page-gone": "a node's page is gone: gave up",
        "same-page": "met its own page (shared by fork): gave up",
      }[e.outcome];
      return {
        tree: "unstable",
        fn: e.fn,
        pfn: e.pfn,
        steps,
        outcome: `${e.fn} for page ${e.pfn}: ${compares}, ${outcome}`,
        inserted: e.outcome === "inserted" ? e.item : null,
        pick: null,
      };
    }
  }
}

/**
 * The search paths to light: the last search in the update, and in the other
 * tree the last search made for the same page (no "visit" of another page in
 * between), so a step shows both trees' walks for the page it scanned.
 */
export function searchPaths(events: readonly KsmEvent[]): Record<TreeName, SearchPath | null> {
  const out: Record<TreeName, SearchPath | null> = { stable: null, unstable: null };
  let i = events.length - 1;
  while (i >= 0 && !isSearch(events[i])) i--;
  if (i < 0) return out;
  const last = searchPath(events[i] as SearchEvent);
  out[last.tree] = last;
  for (let j = i - 1; j >= 0; j--) {
    const e = events[j];
    if (e.type === "visit" || e.type === "scan-start") break;
    if (isSearch(e)) {
      const p = searchPath(e);
      if (p.tree !== last.tree) {
        out[p.tree] = p;
        break;
      }
    }
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}`;
}

export function treeActivity(events: readonly KsmEvent[]): TreeActivity {
  if (events.length === 0) return NO_ACTIVITY;
  let scanStart: TreeActivity["scanStart"] = null;
  const promoted = new Map<number, number>();
  const count = { sIns: 0, sRem: 0, sPrune: 0, sApp: 0, sProm: 0, sChain: 0, sDup: 0, uIns: 0, uErase: 0 };
  for (const e of events) {
    switch (e.type) {
      case "scan-start":
        scanStart = { seqnr: e.seqnr, dropped: e.unstableDropped };
        count.uIns = 0;
        count.uErase = 0;
        break;
      case "stable-insert":
        if (e.ok) count.sIns++;
        break;
      case "stable-append":
        count.sApp++;
        break;
      case "stable-remove":
        if (e.promoted !== null) {
          promoted.set(e.promoted, promoted.get(e.node) ?? e.node);
          count.sProm++;
        } else count.sRem++;
        break;
      case "stable-prune":
        count.sPrune++;
        break;
      case "stable-chain":
        if (e.from !== null) count.sChain++;
        else count.sDup++;
        break;
      case "unstable-search":
        if (e.outcome === "inserted") count.uIns++;
        break;
      case "unstable-remove":
        if (e.erased) count.uErase++;
        break;
    }
  }
  const stable: string[] = [];
  if (count.sIns) stable.push(plural(count.sIns, "inserted"));
  if (count.sApp) stable.push(plural(count.sApp, "sharer(s) added"));
  if (count.sRem) stable.push(plural(count.sRem, "sharer(s) removed"));
  if (count.sProm) stable.push(plural(count.sProm, "promoted to node"));
  if (count.sPrune) stable.push(plural(count.sPrune, "pruned"));
  if (count.sChain) stable.push(plural(count.sChain, "made a chain"));
  if (count.sDup) stable.push(plural(count.sDup, "dup(s) added to a chain"));
  const unstable: string[] = [];
  if (count.uIns) unstable.push(plural(count.uIns, "inserted"));
  if (count.uErase) unstable.push(plural(count.uErase, "erased"));
  return { search: searchPaths(events), scanStart, promoted, changes: { stable, unstable } };
}
