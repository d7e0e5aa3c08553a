import { describe, expect, it } from "vitest";
import type { FrameMark, NodeLink, PageLink } from "./linkModel";
import { frameChipMark, ghostMark, linkPath, nodeLinkMark, pageLinkMark, svgText } from "./marks";

const page: PageLink = {
  key: "2:139637976711168",
  pid: 2,
  addr: 0x7effffffc000,
  pfn: 9,
  kind: "ksm",
  writable: false,
  ksmZero: false,
  from: { x: 10, y: 20 },
  to: { x: 110.04, y: 220 },
};

describe("marks as SVG", () => {
  it("draws a link as a vertical S curve between its ends", () => {
    expect(linkPath({ x: 0, y: 0 }, { x: 30, y: 100 })).toBe("M0,0C0,50 30,50 30,100");
    expect(linkPath(page.from, page.to)).toBe("M10,20C10,120 110,120 110,220");
  });

  it("a page link: coloured by its frame, dashed when write-protected, keyed by page and frame", () => {
    expect(svgText("path", pageLinkMark(page))).toMatchInlineSnapshot(
      `"<path class="mapping-link mapping-ksm" d="M10,20C10,120 110,120 110,220" stroke="#e69f00" stroke-width="2" stroke-dasharray="8 4" data-page="2:139637976711168" data-pfn="9" data-ksm-zero="0"/>"`,
    );
    const anon = svgText("path", pageLinkMark({ ...page, kind: "anon", writable: true }));
    expect(anon).toContain('class="mapping-link mapping-anon"');
    expect(anon).toContain('stroke="#56b4e9"');
    expect(anon).toContain('stroke-dasharray="none"');
    expect(anon).toContain('stroke-width="1.5"');
  });

  it("a page KSM merged with the zero page: its own style and data-ksm-zero, unlike a zero page from a read fault", () => {
    const zero = { ...page, pfn: 0, kind: "zero" as const };
    const merged = svgText("path", pageLinkMark({ ...zero, ksmZero: true }));
    expect(merged).toContain('class="mapping-link mapping-zero mapping-ksm-zero"');
    expect(merged).toContain('stroke="#e69f00" stroke-width="2" stroke-dasharray="1 3"');
    expect(merged).toContain('data-ksm-zero="1"');
    const faulted = svgText("path", pageLinkMark(zero));
    expect(faulted).toContain('class="mapping-link mapping-zero"');
    expect(faulted).toContain('stroke="#999999" stroke-width="1.5" stroke-dasharray="8 4"');
    expect(faulted).toContain('data-ksm-zero="0"');
  });

  it("a node link: from a KSM frame to its stable node; stale nodes dotted", () => {
    const l: NodeLink = {
      key: "n4",
      node: 4,
      pfn: 9,
      stale: false,
      from: { x: 5, y: 5 },
      to: { x: 5, y: 45 },
    };
    expect(svgText("path", nodeLinkMark(l))).toMatchInlineSnapshot(
      `"<path class="mapping-node-link" d="M5,5C5,25 5,25 5,45" stroke="#222222" stroke-width="1.5" stroke-dasharray="6 3" data-node="4" data-pfn="9"/>"`,
    );
    expect(nodeLinkMark({ ...l, stale: true })["stroke-dasharray"]).toBe("1 3");
  });

  it("a frame chip outlines the cell; a shared frame (several links) stands out", () => {
    const f: FrameMark = { pfn: 9, kind: "ksm", rect: { x: 100, y: 200, w: 20, h: 20 }, links: 1 };
    expect(svgText("rect", frameChipMark(f))).toMatchInlineSnapshot(
      `"<rect class="mapping-frame" x="98.5" y="198.5" width="23" height="23" stroke="#222222" stroke-width="1" data-pfn="9" data-links="1"/>"`,
    );
    expect(frameChipMark({ ...f, links: 8 })).toMatchObject({ stroke: "#cc79a7", "stroke-width": 2 });
  });

  it("a ghost fills the freed frame's cell", () => {
    expect(svgText("rect", ghostMark({ pfn: 3, rect: { x: 1, y: 2, w: 3, h: 4 } }))).toMatchInlineSnapshot(
      `"<rect class="mapping-ghost" x="1" y="2" width="3" height="4" fill="#56b4e9" stroke="#222222" data-pfn="3"/>"`,
    );
  });

  it("escapes attribute text", () => {
    expect(svgText("g", { "data-x": 'a"<&' })).toBe('<g data-x="a&quot;&lt;&amp;"/>');
  });
});
