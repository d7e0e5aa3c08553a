import { describe, expect, it } from "vitest";
import type { KsmEvent } from "../../engine";
import { badge, NO_ACTIVITY, searchPaths, treeActivity } from "./activity";

const visit = (item: number): KsmEvent => ({
  type: "visit",
  fn: "scan_get_next_rmap_item",
  pid: 1,
  addr: 0x1000 * item,
  pfn: item,
  item,
  isNew: false,
});

const stableSearch = (item: number, nodes: number[], found: number | null = null): KsmEvent => ({
  type: "stable-search",
  fn: "stable_tree_search",
  item,
  pfn: 50 + item,
  path: nodes.map((node, i) => ({
    node,
    pfn: node,
    result: i === nodes.length - 1 && found !== null ? 0 : -1,
  })),
  found,
});

const unstableSearch = (
  item: number,
  nodes: number[],
  outcome: "match" | "inserted" | "page-gone" | "same-page" = "inserted",
): KsmEvent => ({
  type: "unstable-search",
  fn: "unstable_tree_search_insert",
  item,
  pfn: 50 + item,
  path: nodes.map((node, i) => ({ node, pfn: node, result: i % 2 ? 1 : -1 })),
  outcome,
  match: outcome === "match" ? nodes[nodes.length - 1] : null,
});

describe("searchPaths", () => {
  it("finds nothing without searches", () => {
    expect(searchPaths([])).toEqual({ stable: null, unstable: null });
    expect(searchPaths([visit(1)])).toEqual({ stable: null, unstable: null });
  });

  it("takes the last search, with node ids and memcmp signs", () => {
    const p = searchPaths([visit(1), unstableSearch(1, [3]), visit(2), unstableSearch(2, [3, 7, 9])]);
    expect(p.stable).toBeNull();
    expect(p.unstable?.steps).toEqual([
      { node: 3, pfn: 3, result: -1 },
      { node: 7, pfn: 7, result: 1 },
      { node: 9, pfn: 9, result: -1 },
    ]);
    expect(p.unstable?.inserted).toBe(2);
    expect(p.unstable?.outcome).toBe(
      "unstable_tree_search_insert for page 52: 3 compares, no equal page: inserted as node 2",
    );
  });

  it("pairs the last search with the other tree's search for the same page only", () => {
    const same = searchPaths([visit(1), stableSearch(1, [5, 6]), unstableSearch(1, [3])]);
    expect(same.stable?.steps.map((s) => s.node)).toEqual([5, 6]);
    expect(same.unstable?.steps.map((s) => s.node)).toEqual([3]);
    const other = searchPaths([visit(1), stableSearch(1, [5, 6]), visit(2), unstableSearch(2, [3])]);
    expect(other.stable).toBeNull();
  });

  it("shows the stable insert that follows an unstable match", () => {
    const events: KsmEvent[] = [
      visit(4),
      stableSearch(4, [5]),
      unstableSearch(4, [3, 8], "match"),
      { type: "merge-two", fn: "try_to_merge_two_pages", items: [4, 8], kpfn: 90, ok: true },
      { type: "unstable-remove", fn: "remove_rmap_item_from_tree", item: 8, erased: true },
      {
        type: "stable-insert",
        fn: "stable_tree_insert",
        node: 8,
        kpfn: 90,
        ok: true,
        path: [{ node: 5, pfn: 60, result: 1 }],
      },
      { type: "stable-append", fn: "stable_tree_append", node: 8, item: 4 },
    ];
    const p = searchPaths(events);
    expect(p.stable?.fn).toBe("stable_tree_insert");
    expect(p.stable?.inserted).toBe(8);
    expect(p.stable?.steps).toEqual([{ node: 5, pfn: 60, result: 1 }]);
    expect(p.unstable?.outcome).toContain("equal to node 8: merge the two");
    expect(treeActivity(events).changes).toEqual({
      stable: ["1 inserted", "1 sharer(s) added"],
      unstable: ["1 erased"],
    });
  });

  it("does not reach back across a scan start", () => {
    const p = searchPaths([
      stableSearch(1, [5]),
      { type: "scan-start", fn: "scan_get_next_rmap_item", seqnr: 3, unstableDropped: 2 },
      unstableSearch(1, []),
    ]);
    expect(p.stable).toBeNull();
    expect(p.unstable?.steps).toEqual([]);
    expect(p.unstable?.outcome).toContain("0 compares");
  });
});

describe("treeActivity", () => {
  it("is the shared empty activity for no events", () => {
    expect(treeActivity([])).toBe(NO_ACTIVITY);
  });

  it("notes the last scan start, and what changed after it", () => {
    const a = treeActivity([
      unstableSearch(1, []),
      { type: "scan-start", fn: "scan_get_next_rmap_item", seqnr: 7, unstableDropped: 4 },
      visit(2),
      unstableSearch(2, []),
    ]);
    expect(a.scanStart).toEqual({ seqnr: 7, dropped: 4 });
    expect(a.changes.unstable).toEqual(["1 inserted"]);
  });

  it("follows promotions back to the node drawn before", () => {
    const a = treeActivity([
      {
        type: "stable-remove",
        fn: "remove_rmap_item_from_tree",
        item: 3,
        node: 3,
        wasNode: true,
        promoted: 9,
      },
      {
        type: "stable-remove",
        fn: "remove_rmap_item_from_tree",
        item: 9,
        node: 9,
        wasNode: true,
        promoted: 12,
      },
      { type: "stable-prune", fn: "stable_tree_search", node: 3, item: 3 },
    ]);
    expect([...a.promoted]).toEqual([
      [9, 3],
      [12, 3],
    ]);
    expect(a.changes.stable).toEqual(["2 promoted to node", "1 pruned"]);
  });

  it("draws memcmp results as badges", () => {
    expect([badge(-1), badge(0), badge(1)]).toEqual(["<", "=", ">"]);
  });
});

describe("6.18: the dup a chain search picked", () => {
  const pick = { node: 7, dups: 3, dup: 12, pfn: 40, sharers: 5, maxPageSharing: 256, candidate: true };
  const search = (path: [number, -1 | 0 | 1][], p = pick): KsmEvent => ({
    type: "stable-search",
    fn: "stable_tree_search",
    item: 3,
    pfn: 9,
    path: path.map(([node, result]) => ({ node, pfn: node, result })),
    found: p.candidate ? p.dup : null,
    pick: p,
  });

  it("is shown once the walk reached the chain, and told in the outcome", () => {
    const s = searchPaths([
      search([
        [2, 1],
        [7, 0],
      ]),
    ]).stable!;
    expect(s.pick).toEqual({ node: 7, dup: 12, candidate: true });
    expect(s.outcome).toBe(
      "stable_tree_search for page 9: 2 compares, chain node 7: picked the dup at frame 40 (5 of max 256)",
    );
  });

  it("is not shown while stepping by comparison has not reached it", () => {
    expect(searchPaths([search([[2, 1]])]).stable!.pick).toBeNull();
  });

  it("says when every dup was full", () => {
    const s = searchPaths([search([[7, 0]], { ...pick, sharers: 256, candidate: false })]).stable!;
    expect(s.pick).toEqual({ node: 7, dup: 12, candidate: false });
    expect(s.outcome).toMatch(/chain node 7: all 3 dups full \(max_page_sharing 256\)$/);
  });

  it("leaves a plain node's pick out: it has no dups to mark", () => {
    expect(searchPaths([search([[7, 0]], { ...pick, dups: 0 })]).stable!.pick).toBeNull();
  });

  it("counts chains made and dups added among the step's changes", () => {
    const chain = (from: number | null): KsmEvent => ({
      type: "stable-chain",
      fn: "stable_tree_insert",
      chain: 30,
      dup: 31,
      kpfn: 44,
      dups: 2,
      from,
    });
    expect(treeActivity([chain(12), chain(null)]).changes.stable).toEqual([
      "1 made a chain",
      "1 dup(s) added to a chain",
    ]);
  });
});
