import { createElement } from "react";
import type { Attrs } from "../mapping/marks";
import { TREE_BLACK } from "../palette";
import { chainIconMarks, DUP_H, dupBoxMark, dupPickMark, dupRows, dupTextMark } from "./dupMark";

/*
 * The key to a 6.18 stable node chain, shown under the stable tree's title
 * while the tree holds one: the chain's sign, a dup, a stale dup, a picked
 * dup — drawn with the very marks the tree draws.
 */

const [ROW, STALE] = dupRows([
  { id: 1, label: "12 ×5", stale: false },
  { id: 2, label: "14 ×0", stale: true },
]);

/** A mark's attribute set as React props (stroke-width → strokeWidth, class → className; data-* kept). */
function mark(tag: string, attrs: Attrs, key: string, text?: string) {
  const props: Record<string, string | number> = { key };
  for (const [k, v] of Object.entries(attrs)) {
    const name = k.startsWith("data-") ? k : k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    props[name === "class" ? "className" : name] = v;
  }
  return createElement(tag, props, text);
}

function DupSample({ stale = false, picked = false }: { stale?: boolean; picked?: boolean }) {
  const r = stale ? { ...STALE, y: ROW.y } : ROW;
  const pick = picked ? dupPickMark([r], { dup: 1, candidate: true }) : null;
  const w = r.w + 8;
  return (
    <svg
      className="trees-legend-sample"
      width={w}
      height={DUP_H + 7}
      viewBox={`${-w / 2} ${r.y - 3.5} ${w} ${DUP_H + 7}`}
      aria-hidden="true"
    >
      {mark("rect", dupBoxMark(r), "box")}
      {mark("text", dupTextMark(r), "label", r.label)}
      {pick ? mark("rect", pick, "pick") : null}
    </svg>
  );
}

export function ChainLegend() {
  return (
    <p className="trees-legend">
      <span>
        <svg
          className="trees-legend-sample"
          width={20}
          height={20}
          viewBox="-14 -14 28 28"
          aria-hidden="true"
        >
          <circle r={13} fill={TREE_BLACK} />
          {chainIconMarks().map((m, i) => mark("rect", m, String(i)))}
        </svg>{" "}
        chain of dups (max_page_sharing)
      </span>
      <span>
        <DupSample /> dup: frame ×sharers
      </span>
      <span>
        <DupSample stale /> stale
      </span>
      <span>
        <DupSample picked /> picked by the search
      </span>
    </p>
  );
}
