// d3 is marked side-effect free, so its re-export of d3-transition (which adds .transition() to selections) would be dropped.
import "d3-transition";
import { type BaseType, type Selection, select, type Transition } from "d3";
import { HIGHLIGHT, SEARCH } from "../palette";
import { badge, type SearchPath } from "./activity";
import {
  type CollapsedDatum,
  collapsedAria,
  collapsedLabel,
  type Layout,
  type NodeLook,
  type PlacedLink,
  type PlacedNode,
  type TreeName,
  type UnsentDatum,
  unsentLabel,
  unsentTitle,
} from "./model";

/*
 * D3's half of the trees view: React owns the <svg>, this owns what is
 * inside. Nodes, placeholders and links are joined by key (node id, plus
 * an epoch that changes when the unstable tree is emptied), so inserts,
 * erases, rotations and promotions animate as real D3 transitions. With
 * motion off every attribute is set at once and nothing is scheduled.
 */

export const NODE_R = 13;
export const SPACING: Record<TreeName, { dx: number; dy: number }> = {
  stable: { dx: 66, dy: 92 },
  unstable: { dx: 58, dy: 66 },
};
const CHIP_H = 11;
const CHIP_GAP = 2;
const CHIP_CHAR = 4.9;
const MORE_W = 50;
const MORE_H = 30;
const MIN_VIEW_W = 260;
const MIN_SCALE = 0.7;

/** Milliseconds: a layout change, one compare of a search, the fade of an emptied tree. */
export const DURATION = 450;
export const STEP = 260;
export const EMPTY_FADE = 700;

const LINK = "#9a9a9a";
const STALE_STROKE = "#777777";

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
}

/** What a drawing remembers between updates. */
export interface DrawState {
  epoch: number;
  positions: Map<string, { x: number; y: number }>;
  handlers: DrawHandlers;
  /** Focus this key's element after the next draw (a placeholder that was expanded). */
  focusKey: string | null;
  /** The node under the pointer (or focused), to clear the hover if it leaves the tree. */
  hovered: number | null;
  /** When the last update's events were drawn (performance.now()). */
  lastFresh: number;
}

export function newDrawState(handlers: DrawHandlers): DrawState {
  return { epoch: 0, positions: new Map(), handlers, focusKey: null, hovered: null, lastFresh: -Infinity };
}

interface Item extends PlacedNode {
  /** The join key: the epoch and the layout key. */
  k: string;
  look: NodeLook | null;
  /** Index of this node in the search path, or -1. */
  step: number;
  result: -1 | 0 | 1;
}

interface Link extends PlacedLink {
  k: string;
  /** The search path runs along this link: the compare index it leads to, or -1. */
  step: number;
}

type Value<D> = string | number | null | ((d: D) => string | number | null);

/** The part of a selection and a transition that both have: set now, or animate. */
interface Setter<D> {
  attr(name: string, value: Value<D>): Setter<D>;
  style(name: string, value: Value<D>): Setter<D>;
}

type Sel<E extends BaseType, D> = Selection<E, D, BaseType, unknown>;

function animate<E extends BaseType, D>(
  sel: Sel<E, D>,
  motion: boolean,
  opts: { name?: string; duration?: number; delay?: number | ((d: D) => number) } = {},
): Setter<D> {
  if (!motion) {
    sel.interrupt(opts.name ?? "layout");
    return sel as unknown as Setter<D>;
  }
  const t: Transition<E, D, BaseType, unknown> = sel
    .transition(opts.name ?? "layout")
    .duration(opts.duration ?? DURATION);
  const delay = opts.delay ?? 0;
  if (typeof delay === "number") t.delay(delay);
  else t.delay((d) => delay(d));
  return t as unknown as Setter<D>;
}

const translate = (p: { x: number; y: number }) => `translate(${p.x},${p.y})`;

function chipWidth(text: string): number {
  return Math.ceil(text.length * CHIP_CHAR + 6);
}

/** The narrowest the drawing gets (CSS px) before its panel scrolls instead. */
export function minWidth(vb: { w: number }): number {
  return Math.round(vb.w * MIN_SCALE);
}

/** The viewBox that fits a layout: fixed node size, so bigger trees just scale down. */
export function viewBox(tree: TreeName, layout: Layout): { x: number; y: number; w: number; h: number } {
  const { dx } = SPACING[tree];
  const { minX, maxX, maxY } = layout.bounds;
  const below = tree === "stable" ? NODE_R + 6 + 3 * (CHIP_H + CHIP_GAP) : NODE_R + 16;
  let x = minX - dx / 2 - 4;
  let w = maxX - minX + dx + 8;
  if (w < MIN_VIEW_W) {
    x = (minX + maxX) / 2 - MIN_VIEW_W / 2;
    w = MIN_VIEW_W;
  }
  const y = -NODE_R - 12;
  return { x, y, w, h: maxY + below - y };
}

/** What each drawn node or placeholder last showed (its look as JSON), so unchanged ones are left alone. */
const drawnLooks = new WeakMap<Element, string>();

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
  // Scale to the panel, but not up past 125 % nor down past MIN_SCALE: a wider tree scrolls.
  svg.style("max-width", `${Math.round(vb.w * 1.25)}px`).style("min-width", `${minWidth(vb)}px`);

  /* ---- links ---- */
  const linkSel = root
    .select<SVGGElement>("g.trees-links")
    .selectAll<SVGLineElement, Link>("line")
    .data(links, (l) => l.k);
  const linkExit = linkSel.exit<Link>();
  if (motion) linkExit.transition("layout").duration(fadeOut).style("opacity", 0).remove();
  else linkExit.interrupt("layout").remove();
  const linkEnter = linkSel
    .enter()
    .append("line")
    .attr("stroke", LINK)
    .attr("stroke-width", 1.5)
    .style("opacity", 0)
    .each(function (l) {
      const from = startOf(byKey.get(l.target)!);
      const parent = l.source ? (previous.get(prefix + l.source) ?? from) : from;
      select(this).attr("x1", parent.x).attr("y1", parent.y).attr("x2", from.x).attr("y2", from.y);
    });
  const allLinks = linkEnter.merge(linkSel);
  const stretch = (s: Setter<Link>) =>
    s
      .attr("x1", (l) => l.x1)
      .attr("y1", (l) => l.y1)
      .attr("x2", (l) => l.x2)
      .attr("y2", (l) => l.y2)
      .style("opacity", 1);
  stretch(animate(linkSel, motion, { duration }));
  stretch(animate(linkEnter, motion, { duration, delay: (l) => enterDelay(byKey.get(l.target)!) }));
  // The search runs down its links one compare after another.
  allLinks.interrupt("search").attr("stroke", LINK).attr("stroke-width", 1.5);
  const litLinks = allLinks.filter((l) => l.step >= 0);
  animate(litLinks, replay, { name: "search", duration: 120, delay: (l) => (l.step - 0.5) * STEP })
    .attr("stroke", SEARCH)
    .attr("stroke-width", 3.5);

  /* ---- nodes and placeholders ---- */
  const nodeSel = root
    .select<SVGGElement>("g.trees-nodes")
    .selectAll<SVGGElement, Item>("g.trees-item")
    .data(items, (it) => it.k);
  const nodeExit = nodeSel.exit<Item>().attr("tabindex", null).attr("aria-hidden", "true");
  if (state.hovered !== null && nodeExit.filter((it) => it.look?.id === state.hovered).size() > 0) {
    state.hovered = null;
    state.handlers.hover(null);
  }
  if (motion)
    nodeExit
      .transition("layout")
      .duration(fadeOut)
      .style("opacity", 0)
      .attr("transform", function () {
        const t = this.getAttribute("transform") ?? "";
        return leaving ? `${t} translate(0,8)` : t;
      })
      .remove();
  else nodeExit.interrupt("layout").remove();

  const nodeEnter = nodeSel
    .enter()
    .append("g")
    .attr("class", (it) => `trees-item trees-${it.datum.kind}`)
    .attr("tabindex", (it) => (it.datum.kind === "unsent" ? null : 0))
    .attr("role", (it) => (it.datum.kind === "unsent" ? "img" : "button"))
    .attr("transform", (it) => translate(startOf(it)))
    .style("opacity", 0)
    .each(function (it) {
      const g = select(this);
      g.append("title");
      if (it.datum.kind !== "node") {
        g.append("rect")
          .attr("class", "trees-focus")
          .attr("x", -MORE_W / 2 - 4)
          .attr("y", -MORE_H / 2 - 4)
          .attr("width", MORE_W + 8)
          .attr("height", MORE_H + 8)
          .attr("rx", 8)
          .attr("fill", "none");
        g.append("rect")
          .attr("x", -MORE_W / 2)
          .attr("y", -MORE_H / 2)
          .attr("width", MORE_W)
          .attr("height", MORE_H)
          .attr("rx", 6)
          .attr("fill", it.datum.kind === "unsent" ? "#ffffff" : "#f4f4f4")
          .attr("stroke", LINK)
          .attr("stroke-dasharray", it.datum.kind === "unsent" ? "1 2" : "4 2");
        const label = g.append("text").attr("class", "trees-more-label").attr("text-anchor", "middle");
        label.append("tspan").attr("x", 0).attr("y", -2);
        label.append("tspan").attr("class", "trees-more-unit").attr("x", 0).attr("y", 9);
        return;
      }
      g.append("circle")
        .attr("class", "trees-focus")
        .attr("r", NODE_R + 8)
        .attr("fill", "none");
      g.append("circle")
        .attr("class", "trees-hl")
        .attr("r", NODE_R + 5)
        .attr("fill", "none")
        .attr("stroke", HIGHLIGHT)
        .attr("stroke-width", 3)
        .attr("opacity", 0);
      g.append("circle")
        .attr("class", "trees-ring")
        .attr("r", NODE_R + 2.5)
        .attr("fill", "none")
        .attr("stroke", SEARCH)
        .attr("stroke-width", 3)
        .attr("opacity", 0);
      g.append("circle").attr("class", "trees-body").attr("r", NODE_R);
      g.append("rect")
        .attr("class", "trees-swatch")
        .attr("x", NODE_R - 5)
        .attr("y", -NODE_R - 3)
        .attr("width", 9)
        .attr("height", 9)
        .attr("rx", 1.5)
        .attr("stroke", "#ffffff")
        .attr("stroke-width", 1);
      g.append("text")
        .attr("class", "trees-label")
        .attr("text-anchor", "middle")
        .attr("dy", "0.35em")
        .attr("fill", "#ffffff");
      g.append("text")
        .attr("class", "trees-sub")
        .attr("text-anchor", "middle")
        .attr("y", NODE_R + 12);
      g.append("g").attr("class", "trees-chips");
      const b = g
        .append("g")
        .attr("class", "trees-badge")
        .attr("transform", `translate(${-NODE_R - 3},${-NODE_R + 1})`)
        .attr("opacity", 0);
      b.append("circle").attr("r", 7).attr("fill", SEARCH);
      b.append("text").attr("text-anchor", "middle").attr("dy", "0.35em").attr("fill", "#ffffff");
    });

  // Handlers read the datum at event time, and the latest callbacks through the state.
  const idOf = (it: Item): number | null => (it.datum.kind === "node" ? it.datum.node.id : null);
  nodeEnter
    .on("pointerenter focus", (_e, it) => {
      const id = idOf(it);
      if (id === null) return;
      state.hovered = id;
      state.handlers.hover(id);
    })
    .on("pointerleave blur", (_e, it) => {
      if (idOf(it) === null) return;
      state.hovered = null;
      state.handlers.hover(null);
    })
    .on("click", (_e, it) => activate(it))
    .on("keydown", (e: KeyboardEvent, it) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        activate(it);
      }
    });
  const activate = (it: Item): void => {
    if (it.datum.kind === "collapsed") {
      state.focusKey = `n${it.datum.root}`;
      state.handlers.expand(it.datum.root);
    } else if (it.datum.kind === "node") state.handlers.select(it.datum.node.id);
  };

  const all = nodeEnter.merge(nodeSel).order();
  // (A node that was leaving and came back before it was gone is whole again.)
  all.attr("tabindex", (it) => (it.datum.kind === "unsent" ? null : 0)).attr("aria-hidden", null);
  const place = (s: Setter<Item>) => s.attr("transform", translate).style("opacity", 1);
  place(animate(nodeSel, motion, { duration }));
  place(animate(nodeEnter, motion, { duration, delay: enterDelay }));

  // Words and colours change on few nodes per update: only those are touched (new text nodes, even
  // with the same words, would make the browser lay out and shape every SVG text again).
  const placeholders = all.filter(function (it) {
    if (it.datum.kind === "node") return false;
    const look = JSON.stringify(it.datum);
    if (drawnLooks.get(this) === look) return false;
    drawnLooks.set(this, look);
    return true;
  });
  const unsent = placeholders.filter((it) => it.datum.kind === "unsent");
  unsent.attr("aria-label", (it) => unsentTitle(it.datum as UnsentDatum));
  unsent.select("title").text((it) => unsentTitle(it.datum as UnsentDatum));
  unsent.each(function (it) {
    const [count, unit] = unsentLabel(it.datum as UnsentDatum);
    const t = select(this).selectAll("text.trees-more-label tspan");
    t.filter((_d, i) => i === 0).text(count);
    t.filter((_d, i) => i === 1).text(unit);
  });

  const more = placeholders.filter((it) => it.datum.kind === "collapsed");
  more.attr("aria-label", (it) => collapsedAria(it.datum as CollapsedDatum));
  more.select("title").text((it) => `${collapsedAria(it.datum as CollapsedDatum)} (click to show)`);
  more.each(function (it) {
    const [count, unit] = collapsedLabel(it.datum as CollapsedDatum);
    const t = select(this).selectAll("text.trees-more-label tspan");
    t.filter((_d, i) => i === 0).text(count);
    t.filter((_d, i) => i === 1).text(unit);
  });

  const nodes = all.filter((it) => it.look !== null);
  const restyled = nodes.filter(function (it) {
    const look = JSON.stringify(it.look);
    if (drawnLooks.get(this) === look) return false;
    drawnLooks.set(this, look);
    return true;
  });
  restyled.attr("aria-label", (it) => it.look!.aria).classed("trees-stale", (it) => it.look!.stale);
  restyled.select("title").text((it) => it.look!.title);
  restyled
    .select("circle.trees-body")
    .attr("fill", (it) => it.look!.fill)
    .attr("stroke", (it) => (it.look!.stale ? STALE_STROKE : "#ffffff"))
    .attr("stroke-width", (it) => (it.look!.stale ? 2 : 1.5))
    .attr("stroke-dasharray", (it) => (it.look!.stale ? "4 3" : null));
  restyled
    .select("rect.trees-swatch")
    .attr("fill", (it) => it.look!.swatch)
    .attr("stroke", (it) => (it.look!.swatch === "transparent" ? STALE_STROKE : "#ffffff"))
    .attr("stroke-dasharray", (it) => (it.look!.swatch === "transparent" ? "2 1" : null));
  restyled.select("text.trees-label").text((it) => it.look!.label);
  restyled.select("text.trees-sub").text((it) => it.look!.sublabel);
  restyled.each(function (it) {
    const chips = it.look!.chips;
    const sel = select(this)
      .select<SVGGElement>("g.trees-chips")
      .selectAll<SVGGElement, string>("g")
      .data(chips)
      .join((enter) => {
        const c = enter.append("g");
        c.append("rect").attr("height", CHIP_H).attr("rx", 3).attr("fill", "#ffffff").attr("stroke", LINK);
        c.append("text")
          .attr("text-anchor", "middle")
          .attr("y", CHIP_H / 2)
          .attr("dy", "0.35em");
        return c;
      });
    sel.attr("transform", (_c, i) => `translate(0,${NODE_R + 5 + i * (CHIP_H + CHIP_GAP)})`);
    sel
      .select("rect")
      .attr("x", (c) => -chipWidth(c) / 2)
      .attr("width", chipWidth);
    sel.select("text").text((c) => c);
  });

  // The search path: a ring and a "<", ">" or "=" badge on each node compared, in order.
  all.select(".trees-ring").interrupt("search").attr("opacity", 0);
  all.select(".trees-badge").interrupt("search").attr("opacity", 0);
  const onPath = nodes.filter((it) => it.step >= 0);
  onPath.select(".trees-badge text").text((it) => badge(it.result));
  animate(onPath.select<SVGCircleElement>(".trees-ring"), replay, {
    name: "search",
    duration: 120,
    delay: (it) => it.step * STEP,
  }).attr("opacity", 1);
  animate(onPath.select<SVGGElement>(".trees-badge"), replay, {
    name: "search",
    duration: 120,
    delay: (it) => it.step * STEP,
  }).attr("opacity", 1);

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
  nodes.attr("aria-pressed", (it) => (it.look && it.look.id === selected ? "true" : "false"));
  nodes.select(".trees-hl").attr("opacity", (it) => (it.look && lit.has(it.look.id) ? 1 : 0));
}
