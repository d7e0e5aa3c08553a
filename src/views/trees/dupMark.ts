import { type BaseType, type Selection, select } from "d3";
import type { Attrs } from "../mapping/marks";
import { SEARCH } from "../palette";
import { type Sel, setChanged, setText } from "./animate";
import { LINK } from "./linkMark";
import type { DupLook } from "./look";
import { NODE_R, STALE_STROKE } from "./sizes";

/*
 * A 6.18 stable node chain's dups: a stack of boxes hanging under the chain's
 * node, joined to it by a line (the chain), each with its KSM page's frame and
 * sharers; a stale dup dotted. The dup a search picked gets an outline; when
 * every dup was full, the whole stack does, dashed. The marks are plain
 * attribute sets, tested as SVG text; drawDups() applies them with D3.
 */

export const DUP_H = 13;
export const DUP_GAP = 2;
/** Rows drawn: more dups than this show the first ones and a "+N dups" row. */
export const MAX_DUP_ROWS = 3;
/** One character of a dup's 10 px monospace label, in viewBox units. */
const DUP_CHAR = 6.1;
const TOP = NODE_R + 5;

/** One row under the chain: a dup, or the dups beyond the rows drawn. */
export interface DupRow {
  /** Join key: the dup's id, or "more". */
  key: string;
  label: string;
  stale: boolean;
  /** Ids of the dups this row stands for (one, or the rest). */
  ids: number[];
  y: number;
  w: number;
}

export function dupRows(dups: readonly DupLook[]): DupRow[] {
  const shown = dups.length > MAX_DUP_ROWS ? dups.slice(0, MAX_DUP_ROWS - 1) : dups;
  const rows: Omit<DupRow, "y" | "w">[] = shown.map((d) => ({
    key: String(d.id),
    label: d.label,
    stale: d.stale,
    ids: [d.id],
  }));
  if (shown.length < dups.length) {
    const rest = dups.slice(shown.length);
    rows.push({ key: "more", label: `+${rest.length} dups`, stale: false, ids: rest.map((d) => d.id) });
  }
  return rows.map((r, i) => ({
    ...r,
    y: TOP + i * (DUP_H + DUP_GAP),
    w: Math.ceil(r.label.length * DUP_CHAR + 8),
  }));
}

/** Everything the dups take below the node's centre, in viewBox units (for the viewBox). */
export const DUPS_BELOW = TOP + MAX_DUP_ROWS * (DUP_H + DUP_GAP);

/** The line from the node down through its dups: the chain itself. */
export function chainLineMark(rows: readonly DupRow[]): Attrs {
  const last = rows.at(-1);
  return {
    class: "trees-chain-line",
    x1: 0,
    y1: NODE_R,
    x2: 0,
    y2: last ? last.y + DUP_H / 2 : NODE_R,
    stroke: LINK,
    "stroke-width": 3,
  };
}

export function dupBoxMark(r: DupRow): Attrs {
  return {
    class: r.stale ? "trees-dup trees-dup-stale" : "trees-dup",
    x: -r.w / 2,
    y: r.y,
    width: r.w,
    height: DUP_H,
    rx: 3,
    fill: "#ffffff",
    stroke: r.stale ? STALE_STROKE : "#1a1a1a",
    "stroke-width": 1.2,
    "stroke-dasharray": r.stale ? "1 2" : "none",
    "data-dup": r.key,
  };
}

export function dupTextMark(r: DupRow): Attrs {
  return { class: "trees-dup-label", x: 0, y: r.y + DUP_H / 2, dy: "0.35em", "text-anchor": "middle" };
}

/**
 * The outline of what a search picked: the picked dup's row, or (every dup
 * full, `candidate` false) the whole stack, dashed. Null when the pick is of
 * no dup drawn here.
 */
export function dupPickMark(
  rows: readonly DupRow[],
  pick: { dup: number; candidate: boolean } | null,
): Attrs | null {
  if (!pick || rows.length === 0) return null;
  const pad = 2.5;
  if (!pick.candidate) {
    const w = Math.max(...rows.map((r) => r.w));
    const last = rows.at(-1)!;
    return {
      class: "trees-dup-pick trees-dup-full",
      x: -w / 2 - pad,
      y: rows[0].y - pad,
      width: w + 2 * pad,
      height: last.y + DUP_H - rows[0].y + 2 * pad,
      rx: 4,
      fill: "none",
      stroke: SEARCH,
      "stroke-width": 2.5,
      "stroke-dasharray": "4 2",
    };
  }
  const row = rows.find((r) => r.ids.includes(pick.dup));
  if (!row) return null;
  return {
    class: "trees-dup-pick",
    x: -row.w / 2 - pad,
    y: row.y - pad,
    width: row.w + 2 * pad,
    height: DUP_H + 2 * pad,
    rx: 4,
    fill: "none",
    stroke: SEARCH,
    "stroke-width": 3,
    "stroke-dasharray": "none",
    "data-dup": row.key,
  };
}

/** Set a mark's attributes on a selection, each only where it differs (setChanged). */
export function applyAttrs<E extends BaseType, D>(sel: Sel<E, D>, attrs: Attrs): void {
  const set = setChanged(sel);
  for (const [k, v] of Object.entries(attrs)) set.attr(k, v);
}

/** Draw (or clear) the dups in a node's g.trees-dups. */
export function drawDups(
  g: Selection<SVGGElement, unknown, null, undefined>,
  dups: readonly DupLook[],
): void {
  const rows = dupRows(dups);
  let line = g.select<SVGLineElement>("line.trees-chain-line");
  if (rows.length === 0) line.remove();
  else {
    if (line.empty()) line = g.insert("line", ":first-child");
    applyAttrs(line, chainLineMark(rows));
  }
  g.selectAll<SVGGElement, DupRow>("g.trees-dup-row")
    .data(rows, (r) => r.key)
    .join((enter) => {
      const row = enter.append("g").attr("class", "trees-dup-row");
      row.append("rect");
      row.append("text");
      return row;
    })
    .each(function (r) {
      const row = select(this);
      applyAttrs(row.select("rect"), dupBoxMark(r));
      applyAttrs(row.select("text"), dupTextMark(r));
      setText(row.select("text"), () => r.label);
    });
}

/** The sign inside a chain's circle (it has no page of its own): two links of a chain. */
export function chainIconMarks(): Attrs[] {
  const link = (x: number, y: number, rotate: number): Attrs => ({
    class: "trees-chain-link",
    x: x - 5.5,
    y: y - 3.5,
    width: 11,
    height: 7,
    rx: 3.5,
    fill: "none",
    stroke: "#ffffff",
    "stroke-width": 1.8,
    transform: `rotate(${rotate} ${x} ${y})`,
  });
  return [link(-3.5, 2.5, -35), link(3.5, -2.5, -35)];
}
