import { select } from "d3";
import type { Renderer } from "../useRenderer";
import { NO_ACTIVITY, type SearchPath, type TreeActivity } from "./activity";
import { animate, DURATION, EMPTY_FADE, type Sel, STEP, setChanged } from "./animate";
import { CHIP_GAP, CHIP_H } from "./chipMark";
import { DUPS_BELOW } from "./dupMark";
import { drawLinks } from "./linkMark";
import type { NodeLook } from "./look";
import type { Layout, TreeName } from "./model";
import { drawNodes } from "./nodeMark";
import type { DrawState, Item, Link, Pass } from "./pass";
import { NODE_R } from "./sizes";

/*
 * D3's half of the trees view: React owns the <svg>, this owns what is
 * inside, drawn by small marks (linkMark, nodeMark, chipMark). Nodes,
 * placeholders and links are joined by key (node id, plus an epoch that
 * changes when the unstable tree is emptied), so inserts, erases, rotations
 * and promotions animate as real D3 transitions. With motion off every
 * attribute is set at once and nothing is scheduled.
 */

export const SPACING: Record<TreeName, { dx: number; dy: number }> = {
  stable: { dx: 66, dy: 92 },
  unstable: { dx: 58, dy: 66 },
};
export const MIN_VIEW_W = 260;
const MIN_SCALE = 0.7;
/**
 * Presenter mode: at least this scale, so that even the trees' smallest text
 * (8 units: sharers, "nodes") is 18 px for the back of the hall, the labels
 * (10 units) 22 px; a larger tree scrolls in its box instead of shrinking.
 */
export const PRESENTER_MIN_SCALE = 18 / 8;

export interface DrawHandlers {
  hover(id: number | null): void;
  select(id: number): void;
  expand(root: number): void;
}

export interface DrawInput {
  tree: TreeName;
  layout: Layout;
  looks: ReadonlyMap<number, NodeLook>;
  search: SearchPath | null;
  /** This update's events differ from the last drawn: light the search compare by compare. */
  fresh: boolean;
  /** The unstable tree was emptied by a scan start in this update: every old node leaves. */
  emptied: boolean;
  /** New node id → the id whose place it took. */
  promoted: ReadonlyMap<number, number>;
  motion: boolean;
  /** Presenter mode: labels keep PRESENTER_MIN_SCALE, the tree scrolls instead of shrinking. */
  presenter: boolean;
}

export function newDrawState(handlers: DrawHandlers): DrawState {
  return { epoch: 0, positions: new Map(), handlers, focusKey: null, hovered: null, lastFresh: -Infinity };
}

/** The narrowest the drawing gets (CSS px) before its panel scrolls instead. */
export function minWidth(vb: { w: number }, presenter = false): number {
  return Math.round(vb.w * (presenter ? PRESENTER_MIN_SCALE : MIN_SCALE));
}

/** The viewBox that fits a layout: fixed node size, so bigger trees just scale down. */
export function viewBox(tree: TreeName, layout: Layout): { x: number; y: number; w: number; h: number } {
  const { dx } = SPACING[tree];
  const { minX, maxX, maxY } = layout.bounds;
  // Room under the lowest nodes: a stable node's chips, or a chain's dups (taller) if the tree has one.
  const chain = layout.nodes.some((n) => n.datum.kind === "node" && n.datum.node.dups);
  const chips = NODE_R + 6 + 3 * (CHIP_H + CHIP_GAP);
  const below = tree === "stable" ? (chain ? Math.max(chips, DUPS_BELOW + 4) : chips) : NODE_R + 16;
  let x = minX - dx / 2 - 4;
  let w = maxX - minX + dx + 8;
  const minW = layout.minViewW ?? MIN_VIEW_W;
  if (w < minW) {
    x = (minX + maxX) / 2 - minW / 2;
    w = minW;
  }
  const y = -NODE_R - 12;
  return { x, y, w, h: maxY + below - y };
}

export function drawTree(svgEl: SVGSVGElement, input: DrawInput, state: DrawState): void {
  const { tree, layout, looks, search } = input;
  if (input.emptied && input.fresh) state.epoch++;
  const prefix = `${state.epoch}:`;
  // Updates coming faster than a search can be told compare by compare: show each path at once.
  let hurried = false;
  if (input.fresh) {
    const now = typeof performance === "undefined" ? Date.now() : performance.now();
    hurried = now - state.lastFresh < 2 * STEP;
    state.lastFresh = now;
  }
  // Nor is there time for nodes to glide: at such a pace the tree is redrawn in place, which
  // spares the browser laying out and painting every SVG node on every frame in between.
  const motion = input.motion && !hurried;
  const replay = motion && input.fresh;
  const duration = DURATION;

  const stepOf = new Map<number, number>();
  search?.steps.forEach((s, i) => {
    if (!stepOf.has(s.node)) stepOf.set(s.node, i);
  });
  const items: Item[] = layout.nodes.map((p) => {
    const id = p.datum.kind === "node" ? p.datum.node.id : -1;
    const step = p.datum.kind === "node" ? (stepOf.get(id) ?? -1) : -1;
    return {
      ...p,
      k: prefix + p.key,
      look: p.datum.kind === "node" ? (looks.get(id) ?? null) : null,
      step,
      result: step >= 0 ? search!.steps[step].result : 0,
      pick: search?.pick && search.pick.node === id ? search.pick : null,
    };
  });
  const byKey = new Map(items.map((it) => [it.key, it]));
  const links: Link[] = layout.links.map((l) => {
    const s = byKey.get(l.source);
    const t = byKey.get(l.target);
    const step = s && t && s.step >= 0 && t.step === s.step + 1 ? t.step : -1;
    return { ...l, k: prefix + l.key, step };
  });

  const svg = select(svgEl);
  let root = svg.select<SVGGElement>("g.trees-root");
  if (root.empty()) {
    root = svg.append("g").attr("class", "trees-root");
    root.append("g").attr("class", "trees-links");
    root.append("g").attr("class", "trees-nodes");
  }

  // Where a newcomer starts: the place of the node it replaces, else its parent's old place.
  const previous = state.positions;
  const startOf = (it: Item): { x: number; y: number } => {
    if (it.datum.kind === "node") {
      const from = input.promoted.get(it.datum.node.id);
      const was = from === undefined ? undefined : previous.get(`${prefix}n${from}`);
      if (was) return was;
    }
    return (it.parent ? previous.get(prefix + it.parent) : undefined) ?? it;
  };
  const enterDelay = (it: Item): number => {
    if (!motion) return 0;
    let d = input.emptied && input.fresh ? EMPTY_FADE * 0.6 : 0;
    if (replay && search && it.datum.kind === "node" && it.datum.node.id === search.inserted)
      d += search.steps.length * STEP;
    return d;
  };

  const leaving = input.emptied && input.fresh;
  const fadeOut = leaving ? EMPTY_FADE : duration;
  const vb = viewBox(tree, layout);
  // An emptied tree keeps its frame while its old nodes fade, then closes in on the new ones.
  animate(svg as unknown as Sel<SVGSVGElement, unknown>, motion, {
    duration,
    delay: leaving ? EMPTY_FADE : 0,
  }).attr("viewBox", `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
  // Scale to the box, but not down past the minimum scale: a larger tree scrolls in its box.
  // Nor up past what trees.css allows for the screen: it reads the viewBox's size from --tree-w.
  const least = input.presenter ? PRESENTER_MIN_SCALE : MIN_SCALE;
  setChanged(svg)
    .style("--tree-w", String(Math.round(vb.w)))
    .style("min-width", `${minWidth(vb, input.presenter)}px`)
    .style("min-height", `${Math.round(vb.h * least)}px`);

  const pass: Pass = {
    prefix,
    motion,
    replay,
    duration,
    leaving,
    fadeOut,
    previous,
    byKey,
    startOf,
    enterDelay,
  };
  drawLinks(root, links, pass);
  const all = drawNodes(root, items, pass, state);

  state.positions = new Map(items.map((it) => [it.k, { x: it.x, y: it.y }]));
  if (state.focusKey) {
    const target = all.filter((it) => it.key === state.focusKey).node();
    state.focusKey = null;
    target?.focus();
  }
}

/** Outline the nodes that show what is hovered or selected; mark the selected one pressed. */
export function applyFocus(svgEl: SVGSVGElement, lit: ReadonlySet<number>, selected: number | null): void {
  const nodes = select(svgEl).selectAll<SVGGElement, Item>("g.trees-node");
  // (Leaving nodes are still in the document, fading: they keep their last look.)
  setChanged(nodes).attr("aria-pressed", (it) => (it.look && it.look.id === selected ? "true" : "false"));
  setChanged(nodes.select(".trees-hl")).attr("stroke-opacity", (it) =>
    it.look && lit.has(it.look.id) ? 1 : 0,
  );
}

export interface TreeRenderInput {
  /** What to draw (`fresh` is worked out from `activity`). */
  draw: Omit<DrawInput, "fresh">;
  /** The update's tree activity: a new one replays its search. */
  activity: TreeActivity;
  lit: ReadonlySet<number>;
  selected: number | null;
  handlers: DrawHandlers;
}

/**
 * The tree inside one <svg>, as a renderer: redrawn when what it shows or
 * the activity changes, only re-outlined when the focus does.
 */
export function createTreeRenderer(svg: SVGSVGElement): Renderer<TreeRenderInput> {
  let state: DrawState | null = null;
  let drawn: Omit<DrawInput, "fresh"> | null = null;
  let activity: TreeActivity = NO_ACTIVITY;
  return {
    update(input) {
      state ??= newDrawState(input.handlers);
      state.handlers = input.handlers;
      if (input.draw !== drawn || input.activity !== activity) {
        const fresh = input.activity !== activity;
        activity = input.activity;
        drawn = input.draw;
        drawTree(svg, { ...input.draw, fresh }, state);
      }
      applyFocus(svg, input.lit, input.selected);
    },
    destroy() {
      const root = select(svg).select("g.trees-root");
      root.selectAll("*").interrupt("layout").interrupt("search");
      root.remove();
      state = null;
      drawn = null;
    },
  };
}
