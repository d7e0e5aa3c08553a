// d3 is marked side-effect free, so its re-export of d3-transition (which adds .transition() to selections) would be dropped.
import "d3-transition";
import { type BaseType, type Selection, select } from "d3";
import type { Renderer } from "../useRenderer";
import type { Point, Rect } from "./geometry";
import type { FrameMark, Mapping, NodeLink, PageLink } from "./linkModel";
import { type Attrs, frameChipMark, ghostMark, linkPath, nodeLinkMark, pageLinkMark } from "./marks";

/** Milliseconds: a link moving to its new frame (a merge converging, a COW fault peeling off), a freed frame fading. */
export const LINK_MS = 600;

export interface LinksInput {
  mapping: Mapping;
  /** Frames links left in this update that are free now: they fade where they were. */
  freed: readonly { pfn: number; rect: Rect }[];
  motion: boolean;
}

type G = Selection<SVGGElement, unknown, null, undefined>;

/** The attributes each element was last given, so an update sets only those that changed. */
const drawn = new WeakMap<Element, Map<string, string>>();
/** Links whose ends are still gliding: left to finish while later updates keep the same ends. */
const gliding = new WeakSet<Element>();

/**
 * Sets a mark's attributes, all but `skip` (which a transition sets), each
 * only if it differs from what the element was last given: the browser lays
 * out and repaints an SVG element for any attribute set, even to the same value.
 */
function apply(el: Element, attrs: Attrs, skip: string | null = null): void {
  const last = drawn.get(el) ?? new Map<string, string>();
  drawn.set(el, last);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === skip) {
      last.delete(k);
      continue;
    }
    const s = String(v);
    if (last.get(k) === s) continue;
    last.set(k, s);
    el.setAttribute(k, s);
  }
}

const lerp = (a: Point, b: Point, t: number): Point => ({
  x: a.x + (b.x - a.x) * t,
  y: a.y + (b.y - a.y) * t,
});
const same = (a: Point, b: Point) => a.x === b.x && a.y === b.y;

/**
 * Joins links to <path>s by key, so a page keeps its path as its frame
 * changes: with motion, the path's ends glide to where they now are — two
 * links converging on one frame is a merge, one peeling off to a new frame
 * a COW fault; new links (a fork's shared ones) grow out of their page.
 * Without motion everything is set at once and nothing is scheduled.
 */
function joinLinks<L extends PageLink | NodeLink>(
  g: G,
  links: readonly L[],
  mark: (l: L) => Attrs,
  ends: Map<string, { from: Point; to: Point }>,
  motion: boolean,
): void {
  const sel = g.selectAll<SVGPathElement, L>("path").data(links, (l) => l.key);
  const exit = sel.exit<L>();
  exit.interrupt();
  if (motion)
    exit
      .transition()
      .duration(LINK_MS / 2)
      .style("stroke-opacity", 0)
      .remove();
  else exit.remove();
  const enter = sel.enter().append("path").attr("fill", "none");
  const all = enter.merge(sel);
  all.style("stroke-opacity", null);
  all.each(function (l) {
    const was = ends.get(l.key);
    const moved = !was || !same(was.from, l.from) || !same(was.to, l.to);
    if (motion && moved) {
      // Glide from where the link was going (a new link grows out of its page).
      const start = was ?? { from: l.from, to: l.from };
      apply(this, mark(l), "d");
      gliding.add(this);
      select(this)
        .interrupt()
        .transition()
        .duration(LINK_MS)
        .attrTween("d", () => (t) => linkPath(lerp(start.from, l.from, t), lerp(start.to, l.to, t)))
        .on("end", function () {
          gliding.delete(this);
        });
    } else if (motion && gliding.has(this)) {
      apply(this, mark(l), "d"); // same ends: let the glide finish
    } else {
      if (gliding.delete(this)) select(this).interrupt();
      apply(this, mark(l));
    }
  });
  ends.clear();
  for (const l of links) ends.set(l.key, { from: l.from, to: l.to });
}

function joinFrames(g: G, frames: readonly FrameMark[]): void {
  g.selectAll<SVGRectElement, FrameMark>("rect")
    .data(frames, (f) => String(f.pfn))
    .join((enter) => enter.append("rect").attr("fill", "none"))
    .each(function (f) {
      apply(this, frameChipMark(f));
    });
}

function fadeGhosts(g: G, freed: LinksInput["freed"], motion: boolean): void {
  g.selectAll("rect").interrupt().remove();
  if (!motion) return;
  for (const f of freed) {
    const r = g.append("rect");
    const el = r.node();
    if (!el) continue;
    apply(el, ghostMark(f));
    r.style("opacity", 0.9).transition().duration(LINK_MS).style("opacity", 0).remove();
  }
}

/** The mapping overlay inside `svg`: links, frame chips and fading ghosts, in layers. */
export function createLinksRenderer(svg: SVGSVGElement): Renderer<LinksInput> {
  const root = select(svg).append("g").attr("class", "mapping-root");
  const ghosts = root.append("g").attr("class", "mapping-ghosts");
  const nodeLinks = root.append("g").attr("class", "mapping-node-links");
  const pageLinks = root.append("g").attr("class", "mapping-links");
  const frames = root.append("g").attr("class", "mapping-frames");
  const pageEnds = new Map<string, { from: Point; to: Point }>();
  const nodeEnds = new Map<string, { from: Point; to: Point }>();
  return {
    update({ mapping, freed, motion }) {
      joinLinks(pageLinks, mapping.pages, pageLinkMark, pageEnds, motion);
      joinLinks(nodeLinks, mapping.nodes, nodeLinkMark, nodeEnds, motion);
      joinFrames(frames, mapping.frames);
      fadeGhosts(ghosts, freed, motion);
    },
    destroy() {
      root.selectAll<BaseType, unknown>("*").interrupt();
      root.remove();
    },
  };
}
