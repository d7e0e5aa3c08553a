import { type Selection, select } from "d3";
import type { Attrs } from "../mapping/marks";
import { HIGHLIGHT, SEARCH } from "../palette";
import { badge } from "./activity";
import { animate, type Setter, STEP, setChanged, setText, translate } from "./animate";
import { drawChips } from "./chipMark";
import { applyAttrs, chainIconMarks, drawDups, dupPickMark, dupRows } from "./dupMark";
import { LINK } from "./linkMark";
import { collapsedAria, collapsedLabel, unsentLabel, unsentTitle } from "./look";
import type { CollapsedDatum, UnsentDatum } from "./model";
import type { DrawState, Item, Pass } from "./pass";
import { MORE_H, MORE_W, NODE_R, STALE_STROKE } from "./sizes";

/** What each drawn node or placeholder last showed (its look as JSON), so unchanged ones are left alone. */
const drawnLooks = new WeakMap<Element, string>();

/**
 * The nodes and the "more" placeholders, joined by key: they glide to their
 * places, newcomers start where the node they replace was, leavers fade.
 * Returns every drawn item, for the caller to focus one.
 */
export function drawNodes(
  root: Selection<SVGGElement, unknown, null, undefined>,
  items: Item[],
  pass: Pass,
  state: DrawState,
): Selection<SVGGElement, Item, SVGGElement, unknown> {
  const { startOf, enterDelay, motion, replay, duration, fadeOut, leaving } = pass;
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
      // Hidden marks are see-through by stroke-/fill-opacity, never by opacity: each element with an
      // opacity is a compositing effect of its own, and the browser re-layerizes them all on every paint.
      g.append("circle")
        .attr("class", "trees-hl")
        .attr("r", NODE_R + 5)
        .attr("fill", "none")
        .attr("stroke", HIGHLIGHT)
        .attr("stroke-width", 3)
        .attr("stroke-opacity", 0);
      g.append("circle")
        .attr("class", "trees-ring")
        .attr("r", NODE_R + 2.5)
        .attr("fill", "none")
        .attr("stroke", SEARCH)
        .attr("stroke-width", 3)
        .attr("stroke-opacity", 0);
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
      g.append("g").attr("class", "trees-dups");
      const icon = g.append("g").attr("class", "trees-chain-icon").attr("display", "none");
      for (const m of chainIconMarks()) applyAttrs(icon.append("rect"), m);
      // Placed by coordinates, not a transform (each transform is a paint property node of its own).
      const [bx, by] = [-NODE_R - 3, -NODE_R + 1];
      const b = g.append("g").attr("class", "trees-badge").attr("fill-opacity", 0);
      b.append("circle").attr("cx", bx).attr("cy", by).attr("r", 7).attr("fill", SEARCH);
      b.append("text")
        .attr("x", bx)
        .attr("y", by)
        .attr("text-anchor", "middle")
        .attr("dy", "0.35em")
        .attr("fill", "#ffffff");
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
  setChanged(all)
    .attr("tabindex", (it) => (it.datum.kind === "unsent" ? null : 0))
    .attr("aria-hidden", null);
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
  setChanged(restyled).attr("aria-label", (it) => it.look!.aria);
  restyled.each(function (it) {
    this.classList.toggle("trees-stale", it.look!.stale); // a no-op when already so
  });
  setText(restyled.select("title"), (it) => it.look!.title);
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
  setText(restyled.select("text.trees-label"), (it) => it.look!.label);
  setText(restyled.select("text.trees-sub"), (it) => it.look!.sublabel);
  restyled.each(function (it) {
    drawChips(select(this).select<SVGGElement>("g.trees-chips"), it.look!.chips);
    drawDups(select(this).select<SVGGElement>("g.trees-dups"), it.look!.dups);
  });
  restyled
    .classed("trees-chain", (it) => it.look!.dups.length > 0)
    .select("g.trees-chain-icon")
    .attr("display", (it) => (it.look!.dups.length > 0 ? null : "none"));

  // The search path: a ring and a "<", ">" or "=" badge on each node compared, in order.
  setChanged(all.select(".trees-ring").interrupt("search")).attr("stroke-opacity", 0);
  setChanged(all.select(".trees-badge").interrupt("search")).attr("fill-opacity", 0);
  const onPath = nodes.filter((it) => it.step >= 0);
  setText(onPath.select(".trees-badge text"), (it) => badge(it.result));
  animate(onPath.select<SVGCircleElement>(".trees-ring"), replay, {
    name: "search",
    duration: 120,
    delay: (it) => it.step * STEP,
  }).attr("stroke-opacity", 1);
  animate(onPath.select<SVGGElement>(".trees-badge"), replay, {
    name: "search",
    duration: 120,
    delay: (it) => it.step * STEP,
  }).attr("fill-opacity", 1);

  // 6.18: the dup the search picked at the chain it ended on, lit with that compare.
  all.selectAll(".trees-dup-pick").interrupt("search").remove();
  const marks = new Map<Item, Attrs>();
  nodes.each((it) => {
    const mark = it.pick ? dupPickMark(dupRows(it.look!.dups), it.pick) : null;
    if (mark) marks.set(it, mark);
  });
  const picked = nodes.filter((it) => marks.has(it));
  picked.each(function (it) {
    applyAttrs(select(this).select("g.trees-dups").append("rect"), marks.get(it)!);
  });
  animate(picked.select<SVGRectElement>(".trees-dup-pick").attr("stroke-opacity", replay ? 0 : 1), replay, {
    name: "search",
    duration: 120,
    delay: (it) => it.step * STEP,
  }).attr("stroke-opacity", 1);

  return all;
}
