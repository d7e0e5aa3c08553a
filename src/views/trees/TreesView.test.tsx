import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Checksummer,
  ContentIds,
  Kernel,
  type KsmEvent,
  loadChecksummer,
  MADV_MERGEABLE,
  type Snapshot,
  sysfsWrite,
  type TreeNodeView,
  type TreeView,
  takeSnapshot,
  waitScans,
} from "../../engine";
import { treeActivity } from "./activity";
import { minWidth, PRESENTER_MIN_SCALE, SPACING, viewBox } from "./draw";
import { buildHierarchy, layoutTree } from "./model";
import { buildModel } from "./panelModel";
import { statsLine, TreePanel, TreesView } from "./TreesView";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

/**
 * Two processes: A with 40 pages of distinct contents, B with A's first 20.
 * After a few scans: 20 KSM pages in the stable tree, A's other 20 pages in
 * the unstable tree. Returns the snapshot and the events of one more full scan.
 */
function machine(profile: "linux-2.6.32" | "linux-6.18"): { snap: Snapshot; events: KsmEvent[] } {
  const k = new Kernel({ frames: 512, profile, checksummer });
  // 6.18's smart scan would skip these unique pages on the fifth scan, emptying the unstable tree.
  if (profile === "linux-6.18") expect(sysfsWrite(k, "smart_scan", "0")).toBe(0);
  for (const [name, pages] of [
    ["A", 40],
    ["B", 20],
  ] as const) {
    const pid = k.spawn(name).pid;
    const start = k.mmap(pid, pages) as number;
    for (let i = 0; i < pages; i++) k.fill(pid, start + i * 4096, 1, 0x100 + i * 7);
    expect(k.madvise(pid, start, pages * 4096, MADV_MERGEABLE)).toBe(0);
  }
  expect(sysfsWrite(k, "run", "1")).toBe(0);
  expect(waitScans(k, 4)).toBeNull();
  const events: KsmEvent[] = [];
  k.tracer = (e) => events.push(e);
  expect(waitScans(k, 1)).toBeNull();
  return { snap: takeSnapshot(k, new ContentIds()), events };
}

function childOf(t: TreeView, id: number, result: -1 | 0 | 1): number | null {
  const n = t.nodes.find((m) => m.id === id);
  return n ? (result < 0 ? n.left : n.right) : null;
}

describe.each(["linux-2.6.32", "linux-6.18"] as const)("the trees of a real machine on %s", (profile) => {
  it("lays out every node of both trees once", () => {
    const { snap } = machine(profile);
    expect(snap.stableTree.nodes).toHaveLength(20);
    expect(snap.unstableTree.nodes).toHaveLength(20);
    for (const t of [snap.stableTree, snap.unstableTree]) {
      const l = layoutTree(buildHierarchy(t, { maxDepth: 64, expanded: new Set() }), { dx: 10, dy: 10 });
      expect(l.nodes.map((n) => n.key).sort()).toEqual(t.nodes.map((n) => `n${n.id}`).sort());
      for (let i = 1; i < l.nodes.length; i++) expect(l.nodes[i].x).toBeGreaterThan(l.nodes[i - 1].x);
    }
  });

  it("names tree nodes in search paths by their TreeNodeView ids, root first, down the links", () => {
    const { snap, events } = machine(profile);
    const searches = events.filter((e) => e.type === "stable-search");
    expect(searches.length).toBeGreaterThan(0);
    for (const e of searches) {
      expect(e.path[0]?.node).toBe(snap.stableTree.root);
      for (let i = 1; i < e.path.length; i++)
        expect(e.path[i].node).toBe(childOf(snap.stableTree, e.path[i - 1].node, e.path[i - 1].result));
    }
  });
});

describe("TreesView markup", () => {
  it("titles both trees, with their captions, and says when they are empty", () => {
    const html = renderToStaticMarkup(<TreesView />);
    expect(html).toContain(">Stable tree</h2>");
    expect(html).toContain("KSM pages, ordered by content; write-protected, so always in order");
    expect(html).toContain(">Unstable tree</h2>");
    expect(html).toContain(
      "candidates seen unchanged for a scan; emptied at every scan start, possibly out of order",
    );
    expect(html.match(/>empty</g)).toHaveLength(2);
  });

  it("counts nodes and height, and notes the scan start that emptied the unstable tree", async () => {
    const { snap, events } = machine("linux-2.6.32");
    const activity = treeActivity(events);
    const panel = (tree: "stable" | "unstable") =>
      renderToStaticMarkup(
        <TreePanel
          tree={tree}
          view={tree === "stable" ? snap.stableTree : snap.unstableTree}
          contentId={snap.frames.contentId}
          activity={activity}
          motion={false}
          lit={new Set()}
          selected={null}
        />,
      );
    const stable = panel("stable");
    expect(stable).toMatch(/20 nodes, height \d, black height \d/);
    expect(stable).not.toContain(">empty<");
    expect(stable).not.toContain("emptied at scan start");
    const unstable = panel("unstable");
    const start = events.find((e) => e.type === "scan-start");
    expect(start && "seqnr" in start).toBe(true);
    expect(unstable).toContain(`emptied at scan start #${(start as { seqnr: number }).seqnr}`);
    expect(unstable).toContain("unstable_tree_search_insert for page");
  });
});

describe("a 6.18 stable node chain", () => {
  it("gets the chain's key beside the tree, and only while a chain is there", () => {
    const k = new Kernel({ frames: 64, profile: "linux-6.18", checksummer });
    expect(sysfsWrite(k, "max_page_sharing", "2")).toBe(0);
    const pid = k.spawn("A").pid;
    const start = k.mmap(pid, 6) as number;
    for (let i = 0; i < 6; i++) k.fill(pid, start + i * 4096, 1, 5);
    expect(k.madvise(pid, start, 6 * 4096, MADV_MERGEABLE)).toBe(0);
    expect(sysfsWrite(k, "run", "1")).toBe(0);
    const panel = () => {
      const snap = takeSnapshot(k, new ContentIds());
      return renderToStaticMarkup(
        <TreePanel
          tree="stable"
          view={snap.stableTree}
          contentId={snap.frames.contentId}
          activity={treeActivity([])}
          motion={false}
          lit={new Set()}
          selected={null}
        />,
      );
    };
    expect(waitScans(k, 1)).toBeNull();
    expect(panel()).not.toContain("chain of dups");
    expect(waitScans(k, 2)).toBeNull();
    const html = panel();
    expect(html).toContain("chain of dups (max_page_sharing)");
    // Its samples are the tree's own marks: a dup, a stale (dotted) one, a picked one.
    expect(html).toMatch(/<rect class="trees-dup"[^>]*data-dup="1"/);
    expect(html).toContain('class="trees-dup trees-dup-stale"');
    expect(html).toContain('class="trees-dup-pick"');
  });

  it("keeps tree text 18 px in presenter mode: a big tree is drawn no smaller than 18/8", () => {
    const nodes = Array.from({ length: 31 }, (_, i) => node(i + 1));
    const vb = viewBox(
      "stable",
      layoutTree(buildHierarchy({ root: 16, nodes: balanced(nodes) }), SPACING.stable),
    );
    expect(minWidth(vb, true) / vb.w).toBeCloseTo(PRESENTER_MIN_SCALE, 2);
    expect(PRESENTER_MIN_SCALE * 8).toBeGreaterThanOrEqual(18);
    expect(minWidth(vb)).toBeLessThan(minWidth(vb, true));
    // Presenter mode folds deep levels until the tree fits its panel at that scale.
    const tree = { root: 16, nodes: balanced(Array.from({ length: 31 }, (_, i) => node(i + 1))) };
    const fitted = buildModel("stable", tree, null, new Set(), { width: 800, height: 0 });
    expect(minWidth(viewBox("stable", fitted.layout), true)).toBeLessThanOrEqual(800);
    expect(fitted.layout.nodes.some((n) => n.datum.kind === "collapsed")).toBe(true);
    expect(fitted.count).toBe(31);
    // A small tree's margins shrink to the panel too: nothing to scroll for an empty or one-node tree.
    for (const small of [
      { root: null, nodes: [] },
      { root: 1, nodes: [node(1)] },
    ]) {
      const m = buildModel("unstable", small, null, new Set(), { width: 400, height: 0 });
      expect(minWidth(viewBox("unstable", m.layout), true)).toBeLessThanOrEqual(400);
    }
    const normal = buildModel("stable", tree, null, new Set(), null);
    expect(normal.layout.nodes.every((n) => n.datum.kind === "node")).toBe(true);
    // And until it fits the box's height: wide enough for all five levels, tall enough for three and the folds under them.
    const wide = { width: 1e5, height: 0 };
    expect(
      buildModel("stable", tree, null, new Set(), wide).layout.nodes.every((n) => n.datum.kind === "node"),
    ).toBe(true);
    const room = Math.round(viewBox("stable", plainTree(tree, 3)).h * PRESENTER_MIN_SCALE);
    const short = buildModel("stable", tree, null, new Set(), { width: 1e5, height: room });
    expect(Math.round(viewBox("stable", short.layout).h * PRESENTER_MIN_SCALE)).toBeLessThanOrEqual(room);
    expect(short.layout.nodes.some((n) => n.datum.kind === "collapsed")).toBe(true);
    expect(Math.max(...short.layout.nodes.map((n) => n.y))).toBe(3 * SPACING.stable.dy);
  });
});

/** A tree laid out with its levels below `depth` folded. */
function plainTree(t: { root: number; nodes: TreeNodeView[] }, depth: number) {
  return layoutTree(buildHierarchy(t, { maxDepth: depth, expanded: new Set() })!, SPACING.stable);
}

/** Link nodes 1..n (ids in order) into a balanced search tree; returns the nodes. */
function balanced(nodes: TreeNodeView[]): TreeNodeView[] {
  const build = (lo: number, hi: number): number | null => {
    if (lo > hi) return null;
    const mid = (lo + hi) >> 1;
    nodes[mid - 1].left = build(lo, mid - 1);
    nodes[mid - 1].right = build(mid + 1, hi);
    return mid;
  };
  build(1, nodes.length);
  return nodes;
}

describe("captions and frame", () => {
  it("gives the node count and height, with a lower bound when levels were not sent", () => {
    expect(statsLine({ count: 0, height: 0, heightExact: true, blackHeight: null })).toBe("0 nodes");
    expect(statsLine({ count: 1, height: 1, heightExact: true, blackHeight: 1 })).toBe(
      "1 node, height 1, black height 1",
    );
    expect(statsLine({ count: 900, height: 11, heightExact: false, blackHeight: 5 })).toBe(
      "900 nodes, height ≥ 11, black height 5",
    );
  });

  it("frames a small tree at a minimum width, and a big one at its own size", () => {
    const one = layoutTree(buildHierarchy({ root: 1, nodes: [node(1)] }), SPACING.unstable);
    const small = viewBox("unstable", one);
    expect(small.w).toBe(260);
    expect(small.x + small.w / 2).toBe(0);
    const nodes = Array.from({ length: 15 }, (_, i) => node(i + 1));
    const wide: TreeView = { root: 8, nodes };
    const link = (id: number, l: number | null, r: number | null) => {
      nodes[id - 1].left = l;
      nodes[id - 1].right = r;
    };
    link(8, 4, 12);
    link(4, 2, 6);
    link(12, 10, 14);
    for (const p of [2, 6, 10, 14]) link(p, p - 1, p + 1);
    const big = viewBox("stable", layoutTree(buildHierarchy(wide), SPACING.stable));
    expect(big.w).toBeCloseTo(14 * (SPACING.stable.dx / 2) + SPACING.stable.dx + 8);
    expect(big.h).toBeGreaterThan(3 * SPACING.stable.dy);
  });
});

function node(id: number): TreeNodeView {
  return {
    id,
    red: false,
    left: null,
    right: null,
    pfn: id,
    items: [],
    itemCount: 0,
    stale: false,
    hidden: 0,
  };
}
