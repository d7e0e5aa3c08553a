import { select } from "d3";
import { SEARCH } from "../palette";
import { animate, type Setter, STEP, setChanged } from "./animate";
import type { Link, Pass } from "./pass";

export const LINK = "#9a9a9a";

/**
 * The tree's edges, joined by key: they stretch with their nodes, fade out
 * when gone, and the search path runs down them one compare after another.
 */
export function drawLinks(
  root: import("d3").Selection<SVGGElement, unknown, null, undefined>,
  links: Link[],
  pass: Pass,
): void {
  const { prefix, previous, byKey, startOf, enterDelay, motion, replay, duration, fadeOut } = pass;
  const linkSel = root
    .select<SVGGElement>("g.trees-links")
    .selectAll<SVGLineElement, Link>("line")
    .data(links, (l) => l.k);
  const linkExit = linkSel.exit<Link>();
  if (motion) linkExit.transition("layout").duration(fadeOut).style("stroke-opacity", 0).remove();
  else linkExit.interrupt("layout").remove();
  const linkEnter = linkSel
    .enter()
    .append("line")
    .attr("stroke", LINK)
    .attr("stroke-width", 1.5)
    .style("stroke-opacity", 0)
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
      .style("stroke-opacity", 1);
  stretch(animate(linkSel, motion, { duration }));
  stretch(animate(linkEnter, motion, { duration, delay: (l) => enterDelay(byKey.get(l.target)!) }));
  // The search runs down its links one compare after another.
  setChanged(allLinks.interrupt("search")).attr("stroke", LINK).attr("stroke-width", 1.5);
  const litLinks = allLinks.filter((l) => l.step >= 0);
  animate(litLinks, replay, { name: "search", duration: 120, delay: (l) => (l.step - 0.5) * STEP })
    .attr("stroke", SEARCH)
    .attr("stroke-width", 3.5);
}
