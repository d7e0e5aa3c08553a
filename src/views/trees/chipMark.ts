import type { Selection } from "d3";
import { setChanged, setText } from "./animate";
import { LINK } from "./linkMark";
import { NODE_R } from "./sizes";

/** A chip: a small label under a stable node naming a page that shares it. */
export const CHIP_H = 11;
export const CHIP_GAP = 2;
const CHIP_CHAR = 4.9;

export function chipWidth(text: string): number {
  return Math.ceil(text.length * CHIP_CHAR + 6);
}

/** The chips under one node, stacked, each as wide as its text. */
export function drawChips(
  g: Selection<SVGGElement, unknown, null, undefined>,
  chips: readonly string[],
): void {
  const sel = g
    .selectAll<SVGGElement, string>("g")
    .data(chips)
    .join((enter) => {
      const c = enter.append("g");
      c.append("rect").attr("height", CHIP_H).attr("rx", 3).attr("fill", "#ffffff").attr("stroke", LINK);
      c.append("text").attr("text-anchor", "middle").attr("dy", "0.35em");
      return c;
    });
  // Placed by coordinates, not a transform per chip (each is a paint property node the browser
  // layerizes on every paint). Only what differs is set: a node's chips mostly stay the same.
  const top = (i: number) => NODE_R + 5 + i * (CHIP_H + CHIP_GAP);
  setChanged(sel.select("rect"))
    .attr("x", (c) => -chipWidth(c) / 2)
    .attr("y", (_c, i) => top(i))
    .attr("width", chipWidth);
  setChanged(sel.select("text")).attr("y", (_c, i) => top(i) + CHIP_H / 2);
  setText(sel.select("text"), (c) => c);
}
