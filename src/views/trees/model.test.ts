import { describe, expect, it } from "vitest";
import type { TreeNodeView, TreeView } from "../../engine";
import { contentColor, TREE_BLACK, TREE_RED } from "../palette";
import { fade, itemChip, MAX_CHIPS, nodeLook, STALE_REASON } from "./look";
import { buildHierarchy, type Datum, datumKey, layoutTree, treeStats } from "./model";

function node(
  id: number,
  left: number | null,
  right: number | null,
  extra: Partial<TreeNodeView> = {},
): TreeNodeView {
  return {
    id,
    red: false,
    left,
    right,
    pfn: id + 100,
    items: [{ id, pid: 1, addr: 0x7f00_0000_0000 + id * 4096 }],
    itemCount: 1,
    stale: false,
    hidden: 0,
    ...extra,
  };
}

/** A complete binary search tree of the ids lo..hi, as a TreeView. */
function complete(lo: number, hi: number): TreeView {
  const nodes: TreeNodeView[] = [];
  const build = (a: number, b: number): number | null => {
    if (a > b) return null;
    const mid = (a + b) >> 1;
    const n = node(mid, null, null);
    nodes.push(n);
    n.left = build(a, mid - 1);
    n.right = build(mid + 1, b);
    return mid;
  };
  return { root: build(lo, hi), nodes };
}

/** The datum tree as a compact string: ids, "_" for a missing child, "+N" for a fold. */
function shape(d: Datum | null): string {
  if (!d) return "∅";
  switch (d.kind) {
    case "missing":
      return "_";
    case "collapsed":
      return `+${d.count}@${d.root}`;
    case "unsent":
      return `…${d.count}`;
    case "node":
      return d.children ? `${d.node.id}(${d.children.map(shape).join(" ")})` : String(d.node.id);
  }
}

const none = { maxDepth: 6, expanded: new Set<number>() };

describe("buildHierarchy", () => {
  it("returns null for an empty tree", () => {
    expect(buildHierarchy({ root: null, nodes: [] }, none)).toBeNull();
  });

  it("keeps a lone child on its own side with a missing sibling", () => {
    const t: TreeView = {
      root: 2,
      nodes: [node(2, 1, null), node(1, null, 5), node(5, null, null)],
    };
    expect(shape(buildHierarchy(t, none))).toBe("2(1(_ 5) _)");
  });

  it("treats links to absent nodes, and cycles, as missing", () => {
    const t: TreeView = { root: 1, nodes: [node(1, 99, 2), node(2, 1, null)] };
    expect(shape(buildHierarchy(t, none))).toBe("1(_ 2)");
  });

  it("folds subtrees at maxDepth levels into one placeholder counting their nodes", () => {
    const t = complete(1, 15); // 4 levels
    expect(shape(buildHierarchy(t, { maxDepth: 2, expanded: new Set() }))).toBe(
      "8(4(+3@2 +3@6) 12(+3@10 +3@14))",
    );
    const d = buildHierarchy(t, { maxDepth: 2, expanded: new Set() });
    const fold = d?.kind === "node" ? d.children?.[0] : null;
    const inner = fold?.kind === "node" ? fold.children?.[0] : null;
    expect(inner).toEqual({ kind: "collapsed", root: 2, count: 3, height: 2 });
  });

  it("shows a single node at the fold depth rather than '+1'", () => {
    const t = complete(1, 7); // 3 levels: leaves at level 2
    expect(shape(buildHierarchy(t, { maxDepth: 2, expanded: new Set() }))).toBe("4(2(1 3) 6(5 7))");
  });

  it("unfolds an expanded subtree, giving it maxDepth more levels", () => {
    const t = complete(1, 31); // 5 levels
    const folded = shape(buildHierarchy(t, { maxDepth: 2, expanded: new Set([4]) }));
    expect(folded).toBe("16(8(4(2(1 3) 6(5 7)) +7@12) 24(+7@20 +7@28))");
    const deeper = shape(buildHierarchy(t, { maxDepth: 1, expanded: new Set([8]) }));
    expect(deeper).toBe("16(8(+7@4 +7@12) +15@24)");
  });

  it("counts nodes the snapshot left out in folds, and shows them under a cut node", () => {
    const t: TreeView = {
      root: 4,
      nodes: [node(4, 2, 6), node(2, null, null, { hidden: 5 }), node(6, null, null)],
    };
    expect(shape(buildHierarchy(t, none))).toBe("4(2(…5) 6)");
    expect(shape(buildHierarchy(t, { maxDepth: 1, expanded: new Set() }))).toBe("4(+6@2 6)");
  });
});

describe("layoutTree", () => {
  it("places nodes level by level, left children left of their parents, in sorted order", () => {
    const t: TreeView = {
      root: 2,
      nodes: [node(2, 1, null), node(1, null, 5), node(5, null, null)],
    };
    const l = layoutTree(buildHierarchy(t, none), { dx: 50, dy: 60 });
    expect(l.nodes.map((n) => n.key)).toEqual(["n1", "n5", "n2"]);
    const at = Object.fromEntries(l.nodes.map((n) => [n.key, n]));
    expect(at.n2.y).toBe(0);
    expect(at.n1.y).toBe(60);
    expect(at.n5.y).toBe(120);
    expect(at.n1.x).toBeLessThan(at.n2.x);
    expect(at.n5.x).toBeGreaterThan(at.n1.x); // a right child stays right, even alone
    expect(at.n5.side).toBe("right");
    expect(at.n1.parent).toBe("n2");
    expect(l.links.map((k) => `${k.source}->${k.target}`).sort()).toEqual(["n1->n5", "n2->n1"]);
    expect(l.bounds.maxY).toBe(120);
  });

  it("keeps neighbours at least dx apart", () => {
    const l = layoutTree(buildHierarchy(complete(1, 31), none), { dx: 40, dy: 50 });
    const leaves = l.nodes.filter((n) => n.depth === 4).map((n) => n.x);
    for (let i = 1; i < leaves.length; i++) expect(leaves[i] - leaves[i - 1]).toBeGreaterThanOrEqual(40);
    expect(l.nodes).toHaveLength(31);
  });

  it("reads left to right in the tree's order", () => {
    // A lopsided but valid red-black shape, where a tidy layout would break the order.
    const t: TreeView = {
      root: 4,
      nodes: [
        node(4, 2, 10),
        node(2, 1, 3),
        node(1, null, null),
        node(3, null, null),
        node(10, 6, 12, { red: true }),
        node(6, 5, 8),
        node(5, null, null),
        node(8, 7, 9, { red: true }),
        node(7, null, null),
        node(9, null, null),
        node(12, 11, 13),
        node(11, null, null),
        node(13, null, null),
      ],
    };
    const l = layoutTree(buildHierarchy(t, none), { dx: 40, dy: 50 });
    const ids = l.nodes.map((n) => (n.datum.kind === "node" ? n.datum.node.id : -1));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    for (let i = 1; i < l.nodes.length; i++) expect(l.nodes[i].x).toBeGreaterThan(l.nodes[i - 1].x);
    expect(l.nodes.find((n) => n.key === "n4")?.x).toBe(0);
    const byDepth = new Map<number, number[]>();
    for (const n of l.nodes) byDepth.set(n.depth, [...(byDepth.get(n.depth) ?? []), n.x]);
    for (const xs of byDepth.values())
      for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(40);
    const tidy = layoutTree(buildHierarchy(t, none), { dx: 40, dy: 50 }, "tidy");
    expect(tidy.nodes.map((n) => n.key)).toEqual(l.nodes.map((n) => n.key));
  });

  it("lays out placeholders with their own keys", () => {
    const l = layoutTree(buildHierarchy(complete(1, 15), { maxDepth: 2, expanded: new Set() }), {
      dx: 40,
      dy: 50,
    });
    expect(l.nodes.map((n) => n.key)).toEqual(["c2", "n4", "c6", "n8", "c10", "n12", "c14"]);
    expect(datumKey({ kind: "unsent", parent: 3, count: 1 })).toBe("u3");
  });
});

describe("treeStats", () => {
  it("counts nodes, levels and black height", () => {
    expect(treeStats({ root: null, nodes: [] })).toEqual({
      count: 0,
      height: 0,
      heightExact: true,
      blackHeight: null,
    });
    const t: TreeView = {
      root: 2,
      nodes: [node(2, 1, 3), node(1, null, null, { red: true }), node(3, null, null, { red: true })],
    };
    expect(treeStats(t)).toEqual({ count: 3, height: 2, heightExact: true, blackHeight: 1 });
  });

  it("includes what the snapshot left out, with a lower bound for the height", () => {
    const t: TreeView = {
      root: 2,
      nodes: [node(2, 1, 3), node(1, null, null, { hidden: 4 }), node(3, null, null)],
    };
    expect(treeStats(t)).toEqual({ count: 7, height: 3, heightExact: false, blackHeight: 2 });
  });
});

describe("nodeLook", () => {
  const ids = new Uint32Array(300);
  ids[117] = 4242;

  it("labels a stable node with its KSM page and sharers", () => {
    const n = node(17, null, null, {
      pfn: 117,
      items: [
        { id: 17, pid: 1, addr: 0x1000 },
        { id: 30, pid: 2, addr: 0x2000 },
      ],
      itemCount: 2,
    });
    const look = nodeLook("stable", n, ids);
    expect(look.aria).toBe("stable node 17: KSM page 117 shared by 2");
    expect(look.chips).toEqual(["1@0x1000", "2@0x2000"]);
    expect(look.title).toContain("sharers: 1@0x1000, 2@0x2000");
    expect(itemChip({ pid: 3, addr: 0x7f00_0001_2000 })).toBe("3@…12000");
    expect(look.swatch).toBe(contentColor(4242));
    expect(look.fill).toBe(TREE_BLACK);
    expect(look.label).toBe("117");
  });

  it("shows a count instead of chips when many share the page", () => {
    const items = Array.from({ length: 32 }, (_, i) => ({ id: i, pid: i, addr: 0x1000 }));
    const look = nodeLook("stable", node(3, null, null, { items, itemCount: 40, red: true }), ids);
    expect(look.chips).toEqual(["×40"]);
    expect(look.aria).toContain("shared by 40");
    expect(look.title).toContain("… 28 more");
    expect(look.fill).toBe(TREE_RED);
    expect(MAX_CHIPS).toBeLessThan(40);
  });

  it("explains stale nodes, and hides a gone KSM page's colour", () => {
    const s = nodeLook("stable", node(3, null, null, { pfn: 117, stale: true }), ids);
    expect(s.aria).toContain(STALE_REASON.stable);
    expect(s.title).toContain("its KSM page is gone: pruned when a search meets it");
    expect(s.swatch).toBe("transparent");
    expect(s.fill).toBe(fade(TREE_BLACK));
    expect(fade(TREE_BLACK)).not.toBe(TREE_BLACK);
    const u = nodeLook("unstable", node(4, null, null, { pfn: -1, stale: true }), ids);
    expect(u.aria).toBe(
      "unstable node 4: page gone of pid 1 at 0x7f0000004000; stale: freed or moved: the kernel leaves it until the tree is emptied at the next scan start",
    );
    expect(u.label).toBe("–");
    expect(u.sublabel).toBe("pid 1");
    expect(u.chips).toEqual([]);
  });

  it("draws a 6.18 stable node chain as its dups: no page of its own, each dup's frame and sharers", () => {
    const dup = (id: number, pfn: number, itemCount: number, stale = false) => ({
      id,
      pfn,
      items: Array.from({ length: itemCount }, (_, i) => ({ id: id * 10 + i, pid: i + 1, addr: 0x1000 })),
      itemCount,
      stale,
    });
    const dups = [dup(21, 117, 5), dup(22, 118, 2), dup(23, 119, 0, true)];
    const look = nodeLook("stable", node(9, null, null, { pfn: 117, dups }), ids);
    expect(look.aria).toBe(
      "stable node chain 9, 3 dups: frame 117 shared by 5; frame 118 shared by 2; frame 119 (stale: its KSM page is gone)",
    );
    expect(look.dups).toEqual([
      { id: 21, label: "117 ×5", stale: false },
      { id: 22, label: "118 ×2", stale: false },
      { id: 23, label: "119 ×0", stale: true },
    ]);
    expect(look.chips).toEqual([]); // the dups take the chips' place
    expect(look.label).toBe(""); // the circle shows the chain's sign instead
    expect(look.swatch).toBe(contentColor(4242));
    expect(look.stale).toBe(false);
    expect(look.title).toContain("frame 117: 1@0x1000, 2@0x1000, 3@0x1000, 4@0x1000, 5@0x1000");
    // A plain node has no dups; a chain whose every dup is gone is stale.
    expect(nodeLook("stable", node(3, null, null), ids).dups).toEqual([]);
    const gone = nodeLook(
      "stable",
      node(9, null, null, { dups: [dup(21, 117, 0, true), dup(22, 118, 0, true)] }),
      ids,
    );
    expect([gone.stale, gone.swatch]).toEqual([true, "transparent"]);
  });
});
