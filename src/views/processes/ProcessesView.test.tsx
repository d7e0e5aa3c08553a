import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProcessView, Snapshot } from "../../engine";
import { FRAME_KSM, fakeSnapshot, loadEngineForTests, mergedMachine, pte } from "../frames/fixtures";
import { gridLayout } from "../frames/frameModel";
import { ColorCache, parseColor } from "../frames/raster";
import { contentColor } from "../palette";
import { markBoxes, PAGE_COLOR, paintPages, repaintPages } from "./drawPages";
import { PageCell } from "./PageGrid";
import { cellBackground } from "./PagesLegend";
import { type ProcessesPanelProps, ProcessesView } from "./ProcessesView";
import { renderPanel } from "./testing";

beforeAll(loadEngineForTests);

const noop = () => {};
/** The panel with motion on, as the app starts without a reduced-motion preference. */
const panel = (s: Snapshot | null, over: Partial<ProcessesPanelProps> = {}) =>
  renderPanel(s, { motion: true, ...over });

const hex = (n: number) => `0x${n.toString(16)}`;

describe("ProcessesPanel", () => {
  it("says there is no machine before the first update", () => {
    const html = panel(null);
    expect(html).toMatch(/<h2[^>]*>Processes<\/h2>/);
    expect(html).toContain("No machine yet.");
  });

  it("shows each process with its VMAs, badges and pages", () => {
    const m = mergedMachine();
    const s = m.snap();
    const html = panel(s);
    expect(html).toMatch(/<h3[^>]*>A <span class="pv-pid">pid 1<\/span><\/h3>/);
    expect(html).toContain("total_vm 4 pages");
    expect(html).toContain("total_vm 2 pages");
    expect(html.match(/registered with KSM/g)).toHaveLength(2);
    expect(html).toContain(`${hex(m.a.start)}–${hex(m.a.start + 4 * 4096)}`);
    expect(html.match(/>VM_MERGEABLE</g)).toHaveLength(2);
    expect(html).toContain('<span class="pv-regions">r</span>');
    // Six page buttons, each labelled.
    expect(html.match(/<button/g)).toHaveLength(6);
    const kpfn = s.frames.state.indexOf(FRAME_KSM);
    expect(html).toContain(
      `aria-label="A page 0 of r at ${hex(m.a.start)}: KSM page ${kpfn}, write-protected; rmap_item is a stable tree node; ksmd scans it next"`,
    );
    expect(html).toContain(
      `aria-label="B page 1 of r at ${hex(m.b.start + 4096)}: anonymous frame ${m.k.pageAt(m.b.pid, m.b.start + 4096)}, writable; rmap_item in the unstable tree"`,
    );
    // rmap marks and ksmd's cursor.
    expect(html).toContain('data-rmap="stable-node"');
    expect(html).toContain('data-rmap="unstable"');
    expect(html.match(/pv-cursor"/g)).toHaveLength(1);
    expect(html).toContain("ksmd’s cursor:");
    expect(html).toContain("next page to scan: A");
    // Write-protected pages are hatched; one tab stop per VMA.
    expect(html).toContain('data-wp="true"');
    expect(html.match(/tabindex="0"/g)).toHaveLength(2);
  });

  it("lights the pages sharing a hovered page's frame", () => {
    const m = mergedMachine();
    const s = m.snap();
    const html = panel(s, { hover: { kind: "page", pid: m.b.pid, addr: m.b.start } });
    expect(html.match(/pv-lit/g)).toHaveLength(3); // A 0, A 1, B 0 share the KSM page
  });

  it("marks the selected page as pressed", () => {
    const m = mergedMachine();
    const s = m.snap();
    const sel = { kind: "page" as const, pid: m.a.pid, addr: m.a.start + 2 * 4096 };
    const html = panel(s, { selected: sel });
    expect(html.match(/aria-pressed="true"/g)).toHaveLength(1);
  });

  it("draws large VMAs on a canvas and keeps the DOM bounded", () => {
    const pages = 5000;
    const big: ProcessView = {
      pid: 3,
      name: "Big",
      totalVm: pages,
      registered: false,
      regions: [{ start: 0x7e0000000000, name: "heap" }],
      vmas: [
        {
          start: 0x7e0000000000,
          end: 0x7e0000000000 + pages * 4096,
          mergeable: false,
          pte: new Int32Array(pages),
        },
      ],
    };
    const s = fakeSnapshot({ frames: 64, processes: [big] });
    const html = panel(s);
    expect(html).not.toContain("<button");
    expect(html).toMatch(/<canvas[^>]*role="application"/);
    expect(html).toContain("Big: 5000 pages at 0x7e0000000000–0x7e0001388000, 0 present");
    expect(html.length).toBeLessThan(6000);
  });

  it("says when rmap_items were left out of the snapshot", () => {
    const s = { ...fakeSnapshot({ frames: 16 }), itemsOmitted: true };
    const html = panel(s);
    expect(html).toContain("Too many rmap_items");
  });
});

describe("PageCell", () => {
  const base = {
    pid: 1,
    addr: 0x7effffffc000,
    index: 3,
    name: "A",
    region: null,
    page: 3,
    kind: "ksm" as const,
    pte: pte(12, false),
    contentId: 1234,
    rmap: "stable" as const,
    lit: true,
    pressed: false,
    cursor: false,
    flash: true,
    tabbable: true,
    actions: { hover: noop, unhover: noop, toggle: noop },
    onFocusIndex: noop,
  };

  it("renders a hatched KSM cell with its content swatch, rmap mark and flash", () => {
    const html = renderToStaticMarkup(<PageCell {...base} />);
    expect(html).toContain('class="pv-page pv-lit pv-flash"');
    expect(html).toContain('data-wp="true"');
    expect(html).toContain(`--pv-fill:${PAGE_COLOR.ksm}`);
    expect(html).toContain(`class="pv-swatch" style="background:${contentColor(1234)}"`);
    expect(html).toContain(">s</span>");
    expect(html).toContain(
      'aria-label="A page 3 at 0x7effffffc000: KSM page 12, write-protected; rmap_item chained on a stable node"',
    );
    expect(html).toContain('aria-pressed="false"');
  });

  it("renders a not-present page as an empty outline", () => {
    const html = renderToStaticMarkup(
      <PageCell {...base} kind="absent" pte={0} contentId={0} rmap={null} lit={false} flash={false} />,
    );
    expect(html).toContain('data-kind="absent"');
    expect(html).not.toContain("pv-swatch");
    expect(html).not.toContain("data-wp");
    expect(html).toContain(": not present");
    expect(cellBackground("absent", false)).toBe("#ffffff");
    expect(cellBackground("anon", true)).toBe(PAGE_COLOR.anon);
  });
});

describe("paintPages", () => {
  it("paints pages with the same encoding as the buttons", () => {
    const m = mergedMachine();
    const s = m.snap();
    const a = s.processes[0].vmas[0];
    const l = gridLayout(a.pte.length, 200, 1, { maxPitch: 12 });
    const buf = new Int32Array(l.devWidth * l.devHeight);
    paintPages(buf, l, s.frames, a, () => undefined);
    // Page 2 is writable and anonymous: its top-left pixel is solid sky blue.
    expect(buf[2 * l.devPitch]).toBe(parseColor(PAGE_COLOR.anon));
    // Page 0 is write-protected on the KSM page: hatched, so white appears on its diagonal.
    expect(buf[0]).toBe(parseColor("#ffffff"));
    expect(buf[1]).toBe(parseColor(PAGE_COLOR.ksm));
  });
});

describe("repaintPages", () => {
  it("repaints only the pages that changed, leaving the buffer as a full paint would", () => {
    const m = mergedMachine();
    const before = m.snap();
    const vma0 = before.processes[0].vmas[0];
    const l = gridLayout(vma0.pte.length, 200, 1, { maxPitch: 12 });
    const colors = new ColorCache();
    const codes = new Uint32Array(2 * vma0.pte.length);
    const buf = new Int32Array(l.devWidth * l.devHeight);
    expect(repaintPages(buf, l, before.frames, vma0, null, codes, colors, true)).toEqual([0, 1]);
    // The same pages again: nothing to paint.
    expect(repaintPages(buf, l, before.frames, vma0, null, codes, colors, false)).toEqual([0, 0]);
    // A write breaks page 0 out of its KSM page (a COW copy); the other pages stay.
    expect(m.k.writeByte(m.a.pid, m.a.start, 7)).toBe(0);
    const after = m.snap();
    const vma = after.processes[0].vmas[0];
    const wrote = new Int32Array(buf);
    expect(repaintPages(wrote, l, after.frames, vma, null, codes, colors, false)).toEqual([0, 1]);
    expect(wrote).not.toEqual(buf);
    const full = new Int32Array(buf.length);
    paintPages(full, l, after.frames, vma, null, colors);
    expect(wrote).toEqual(full);
  });
});

describe("markBoxes", () => {
  it("covers every pixel drawPageMarks strokes around a page", () => {
    const l = gridLayout(64, 200, 2, { maxPitch: 12 });
    const [box] = markBoxes(l, { lit: [], cursor: -1, keyboard: 9, flash: [] });
    // The keyboard mark, the widest: inflated by 3 device lines, half a line of stroke outside that.
    const x = (9 % l.cols) * l.devPitch;
    const reach = 3 * 2 + 1;
    expect(box.x).toBeLessThan(x - reach);
    expect(box.x + box.w).toBeGreaterThan(x + l.devCell + reach);
  });
});

describe("ProcessesView", () => {
  it("renders from the store", () => {
    expect(renderToStaticMarkup(<ProcessesView />)).toContain("Processes");
  });
});
