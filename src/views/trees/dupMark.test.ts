import { describe, expect, it } from "vitest";
import { svgText } from "../mapping/marks";
import {
  chainIconMarks,
  chainLineMark,
  DUPS_BELOW,
  dupBoxMark,
  dupPickMark,
  dupRows,
  dupTextMark,
} from "./dupMark";
import type { DupLook } from "./look";

const dup = (id: number, label: string, stale = false): DupLook => ({ id, label, stale });
const THREE = [dup(7, "12 ×5"), dup(8, "14 ×256"), dup(9, "20 ×0", true)];

describe("a chain's dups", () => {
  it("stack under the node, one row each, as wide as the label", () => {
    const rows = dupRows(THREE);
    expect(rows.map((r) => [r.key, r.y, r.w])).toEqual([
      ["7", 18, 39],
      ["8", 33, 51],
      ["9", 48, 39],
    ]);
    expect(rows.at(-1)!.y + 13).toBeLessThanOrEqual(DUPS_BELOW);
  });

  it("fold the rest into one row past three", () => {
    const rows = dupRows([...THREE, dup(10, "30 ×1"), dup(11, "31 ×1")]);
    expect(rows.map((r) => r.label)).toEqual(["12 ×5", "14 ×256", "+3 dups"]);
    expect(rows[2].ids).toEqual([9, 10, 11]);
  });

  it("draws a dup as a box with its frame and sharers, a stale one dotted", () => {
    const [live, , stale] = dupRows(THREE);
    expect(svgText("rect", dupBoxMark(live))).toMatchInlineSnapshot(
      `"<rect class="trees-dup" x="-19.5" y="18" width="39" height="13" rx="3" fill="#ffffff" stroke="#1a1a1a" stroke-width="1.2" stroke-dasharray="none" data-dup="7"/>"`,
    );
    expect(svgText("rect", dupBoxMark(stale))).toMatchInlineSnapshot(
      `"<rect class="trees-dup trees-dup-stale" x="-19.5" y="48" width="39" height="13" rx="3" fill="#ffffff" stroke="#777777" stroke-width="1.2" stroke-dasharray="1 2" data-dup="9"/>"`,
    );
    expect(svgText("text", dupTextMark(live))).toMatchInlineSnapshot(
      `"<text class="trees-dup-label" x="0" y="24.5" dy="0.35em" text-anchor="middle"/>"`,
    );
  });

  it("joins them to the node with a line: the chain", () => {
    expect(svgText("line", chainLineMark(dupRows(THREE)))).toMatchInlineSnapshot(
      `"<line class="trees-chain-line" x1="0" y1="13" x2="0" y2="54.5" stroke="#9a9a9a" stroke-width="3"/>"`,
    );
  });

  it("outlines the dup a search picked, or the whole stack when every dup was full", () => {
    const rows = dupRows(THREE);
    expect(svgText("rect", dupPickMark(rows, { dup: 8, candidate: true })!)).toMatchInlineSnapshot(
      `"<rect class="trees-dup-pick" x="-28" y="30.5" width="56" height="18" rx="4" fill="none" stroke="#009e73" stroke-width="3" stroke-dasharray="none" data-dup="8"/>"`,
    );
    expect(svgText("rect", dupPickMark(rows, { dup: 8, candidate: false })!)).toMatchInlineSnapshot(
      `"<rect class="trees-dup-pick trees-dup-full" x="-28" y="15.5" width="56" height="48" rx="4" fill="none" stroke="#009e73" stroke-width="2.5" stroke-dasharray="4 2"/>"`,
    );
    // A dup folded into "+N dups": that row is outlined; no pick, or no such dup: nothing.
    const many = dupRows([...THREE, dup(10, "30 ×1")]);
    expect(dupPickMark(many, { dup: 10, candidate: true })).toMatchObject({ "data-dup": "more" });
    expect(dupPickMark(rows, null)).toBeNull();
    expect(dupPickMark(rows, { dup: 99, candidate: true })).toBeNull();
    expect(dupPickMark([], { dup: 8, candidate: false })).toBeNull();
  });

  it("signs the chain's circle with two links", () => {
    expect(chainIconMarks().map((m) => svgText("rect", m))).toMatchInlineSnapshot(`
      [
        "<rect class="trees-chain-link" x="-9" y="-1" width="11" height="7" rx="3.5" fill="none" stroke="#ffffff" stroke-width="1.8" transform="rotate(-35 -3.5 2.5)"/>",
        "<rect class="trees-chain-link" x="-2" y="-6" width="11" height="7" rx="3.5" fill="none" stroke="#ffffff" stroke-width="1.8" transform="rotate(-35 3.5 -2.5)"/>",
      ]
    `);
  });
});
