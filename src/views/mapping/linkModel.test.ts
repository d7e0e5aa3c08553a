import { beforeAll, describe, expect, it } from "vitest";
import { type Snapshot, ZERO_PFN } from "../../engine";
import { frameAt } from "../../store/query";
import { loadEngineForTests, mergedMachine } from "../frames/fixtures";
import { cssGrid, gridLayout } from "../frames/frameModel";
import { buttonGrid } from "../processes/pageModel";
import { zeroMachine } from "../processes/testing";
import { SPACING, viewBox } from "../trees/draw";
import { dupPoints, nodePoints } from "../trees/geometry";
import { buildHierarchy, DEFAULT_MAX_DEPTH, layoutTree } from "../trees/model";
import { placeGrid, type Rect } from "./geometry";
import { freedFrames, mappingModel, type Placed, type PlacedVma } from "./linkModel";

beforeAll(loadEngineForTests);

const EVERYWHERE: Rect = { x: -1e6, y: -1e6, w: 2e6, h: 2e6 };

/**
 * The snapshot's views placed as the app would: each VMA's page buttons in a
 * 200 px grid, one under the other; physical memory below them in 400 px;
 * the stable tree below that. Only the layout functions, no DOM.
 */
function placeViews(s: Snapshot, frameClip: Rect = EVERYWHERE): Placed {
  const vmas: PlacedVma[] = [];
  let y = 0;
  for (const p of s.processes)
    for (const v of p.vmas) {
      vmas.push({
        pid: p.pid,
        start: v.start,
        end: v.end,
        grid: placeGrid(buttonGrid(200), 0, y),
        clip: EVERYWHERE,
      });
      y += 100;
    }
  const layout = gridLayout(s.frames.count, 400, 1);
  const frames = { grid: placeGrid(cssGrid(layout), 0, y), clip: frameClip };
  const root = buildHierarchy(s.stableTree, { maxDepth: DEFAULT_MAX_DEPTH, expanded: new Set() });
  const tree = root ? layoutTree(root, SPACING.stable) : null;
  const size = { width: 400, height: 300 };
  const points = tree ? nodePoints(tree, viewBox("stable", tree), size) : new Map();
  const dups = tree ? dupPoints(tree, viewBox("stable", tree), size) : new Map();
  const ty = y + layout.height + 50;
  return {
    vmas,
    frames,
    node: (id, dup) => {
      const p = (dup === undefined ? undefined : dups.get(`${id}:${dup}`)) ?? points.get(id);
      return p ? { x: p.x, y: p.y + ty } : null;
    },
  };
}

describe("mappingModel", () => {
  it("links every present page to its frame, the merged ones to one KSM frame, and that frame to its node", () => {
    const m = mergedMachine();
    const s = m.snap();
    const map = mappingModel(s, placeViews(s), { pid: null });
    expect(map.pages).toHaveLength(6);
    for (const l of map.pages) expect(l.pfn).toBe(frameAt(s, l.pid, l.addr));
    const kpfn = frameAt(s, m.a.pid, m.a.start);
    const onK = map.pages.filter((l) => l.pfn === kpfn);
    expect(onK.map((l) => l.key).sort()).toEqual(
      [`${m.a.pid}:${m.a.start}`, `${m.a.pid}:${m.a.start + 4096}`, `${m.b.pid}:${m.b.start}`].sort(),
    );
    expect(onK.every((l) => l.kind === "ksm" && !l.writable)).toBe(true);
    // Converging: the three links end at the same point, the top of the KSM frame's cell.
    const k = map.frames.find((f) => f.pfn === kpfn)!;
    expect(k.links).toBe(3);
    for (const l of onK) expect(l.to).toEqual({ x: k.rect.x + k.rect.w / 2, y: k.rect.y });
    // A page link leaves from the bottom of its page's cell.
    const a0 = onK.find((l) => l.key === `${m.a.pid}:${m.a.start}`)!;
    expect(a0.from).toEqual({ x: 10, y: 26 });
    // Every stable node (one per KSM page) leads back to its frame.
    expect(map.nodes.map((n) => n.pfn).sort()).toEqual(s.stableTree.nodes.map((n) => n.pfn).sort());
    expect(map.nodes.find((n) => n.pfn === kpfn)?.from).toEqual({
      x: k.rect.x + k.rect.w / 2,
      y: k.rect.y + k.rect.h,
    });
  });

  it("draws the focused process's links only, and its KSM frames' nodes", () => {
    const m = mergedMachine();
    const s = m.snap();
    const map = mappingModel(s, placeViews(s), { pid: m.b.pid });
    expect(map.pid).toBe(m.b.pid);
    expect(map.pages.map((l) => l.pid)).toEqual([m.b.pid, m.b.pid]);
    expect(map.nodes.map((n) => n.pfn)).toEqual([frameAt(s, m.b.pid, m.b.start)]);
  });

  it("keeps to the budget and counts what it left out", () => {
    const m = mergedMachine();
    const s = m.snap();
    const map = mappingModel(s, placeViews(s), { pid: null, budget: 2 });
    expect(map.pages).toHaveLength(2);
    expect(map.more).toBe(true);
    expect(mappingModel(s, placeViews(s), { pid: null, budget: 6 }).more).toBe(false);
  });

  it("leaves out pages whose frame is scrolled out of sight", () => {
    const m = mergedMachine();
    const s = m.snap();
    const placed = placeViews(s, { x: 0, y: 0, w: 1, h: 1 });
    const map = mappingModel(s, placed, { pid: null });
    expect(map.pages).toEqual([]);
    expect(map.nodes).toEqual([]);
    expect(map.more).toBe(false);
  });

  it("a COW fault moves one page's link to a new frame; an exit frees frames to fade", () => {
    const m = mergedMachine();
    const s0 = m.snap();
    const before = mappingModel(s0, placeViews(s0), { pid: null });
    expect(m.k.writeByte(m.b.pid, m.b.start, 0x41)).toBe(0);
    const s1 = m.snap();
    const after = mappingModel(s1, placeViews(s1), { pid: null });
    const key = `${m.b.pid}:${m.b.start}`;
    const was = before.pages.find((l) => l.key === key)!;
    const now = after.pages.find((l) => l.key === key)!;
    expect(now.pfn).not.toBe(was.pfn);
    expect(now.from).toEqual(was.from);
    expect(now.kind).toBe("anon");
    expect(freedFrames(before, s1.frames)).toEqual([]); // the KSM page is still A's
    expect(m.k.exit(m.b.pid)).toBe(0);
    const s2 = m.snap();
    const freed = freedFrames(after, s2.frames)
      .map((f) => f.pfn)
      .sort();
    expect(freed).toEqual(
      after.pages
        .filter((l) => l.pid === m.b.pid)
        .map((l) => l.pfn)
        .sort(),
    );
  });

  it("links each KSM page of a 6.18 stable node chain to its own dup under the chain", () => {
    const m = mergedMachine();
    const s0 = m.snap();
    const kpfn = frameAt(s0, m.a.pid, m.a.start);
    const other = frameAt(s0, m.b.pid, m.b.start + 4096);
    const node = s0.stableTree.nodes.find((n) => n.pfn === kpfn)!;
    const dup = (pfn: number) => ({ id: pfn, pfn, items: [], itemCount: 0, stale: false });
    const chained: Snapshot = {
      ...s0,
      stableTree: { ...s0.stableTree, nodes: [{ ...node, dups: [dup(kpfn), dup(other)] }] },
    };
    const map = mappingModel(chained, placeViews(chained), { pid: null });
    expect(map.nodes.map((l) => [l.node, l.pfn])).toEqual([
      [node.id, kpfn],
      [node.id, other],
    ]);
    expect(new Set(map.nodes.map((l) => l.key)).size).toBe(2);
    // Each ends at its dup's box, one under the other, left of the chain's centre.
    const [first, second] = map.nodes.map((l) => l.to);
    const centre = placeViews(chained).node(node.id)!;
    expect(second.y).toBeGreaterThan(first.y);
    expect(first.y).toBeGreaterThan(centre.y);
    expect(first.x).toBeLessThan(centre.x);
  });

  it("marks a page KSM merged with the zero page (6.18 use_zero_pages), not one a read fault mapped there", async () => {
    const { s, start } = await zeroMachine("1"); // two pages of written zeros, one read (a read fault's zero page)
    expect(s.processes[0].ksmZeroPages).toEqual([start, start + 4096]);
    const map = mappingModel(s, placeViews(s), { pid: null });
    expect(map.pages.map((l) => [l.addr - start, l.pfn, l.kind, l.ksmZero])).toEqual([
      [0, ZERO_PFN, "zero", true],
      [4096, ZERO_PFN, "zero", true],
      [8192, ZERO_PFN, "zero", false],
    ]);
  });
});
