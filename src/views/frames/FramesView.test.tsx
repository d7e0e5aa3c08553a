import { renderToStaticMarkup, renderToString } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { sameFocus, toggled } from "../../store/linking";
import { useStore } from "../../store/store";
import { FramesPanel, type FramesPanelProps, FramesView } from "./FramesView";
import { FrameTooltip } from "./FrameTooltip";
import {
  FRAME_ANON,
  FRAME_KSM,
  FRAME_ZERO,
  fakeSnapshot,
  loadEngineForTests,
  mergedMachine,
} from "./fixtures";

beforeAll(loadEngineForTests);

const noop = () => {};

function props(over: Partial<FramesPanelProps>): FramesPanelProps {
  return {
    snapshot: null,
    hover: null,
    selected: null,
    recent: [],
    motion: false,
    onHover: noop,
    onUnhover: noop,
    onToggleSelect: noop,
    onClearSelect: noop,
    ...over,
  };
}

describe("FramesPanel", () => {
  it("says there is no machine before the first update", () => {
    const html = renderToString(<FramesPanel {...props({})} />);
    expect(html).toContain("Physical memory");
    expect(html).toContain("No machine yet.");
    expect(html).not.toContain("<canvas");
  });

  it("renders the heading, legend counts, and a labelled focusable canvas", () => {
    const s = fakeSnapshot({
      frames: [
        { state: FRAME_ZERO },
        { state: FRAME_ANON },
        { state: FRAME_ANON, mapcount: 2 },
        { state: FRAME_KSM, mapcount: 3 },
        ...Array.from({ length: 12 }, () => ({ state: 0 })),
      ],
    });
    const html = renderToString(<FramesPanel {...props({ snapshot: s })} />);
    expect(html).toMatch(/<h2[^>]*>Physical memory<\/h2>/);
    expect(html).toContain("16 frames, 12 free");
    for (const [kind, n] of [
      ["free", 12],
      ["anon", 1],
      ["fork", 1],
      ["ksm", 1],
      ["zero", 1],
    ] as const)
      expect(html).toMatch(new RegExp(`data-kind="${kind}".*?<span class="frames-count">${n}</span>`));
    expect(html).toContain("shared by fork");
    expect(html).toMatch(/<canvas[^>]*tabindex="0"/);
    expect(html).toMatch(/<canvas[^>]*role="application"/);
    expect(html).toContain(
      'aria-label="Physical memory: 16 frames, 12 free; 1 anonymous page, 1 page shared by fork, 1 KSM page, 1 zero page."',
    );
    // The hidden fallback table.
    expect(html).toMatch(/<div class="frames-sr-only"><table>/);
  });

  it("keeps the markup small at 65,536 frames", () => {
    const s = fakeSnapshot({ frames: 65536 });
    const html = renderToString(<FramesPanel {...props({ snapshot: s, initialWidth: 900 })} />);
    expect(html).toContain("65536 frames, 65535 free");
    expect(html.length).toBeLessThan(8000);
    expect(html.match(/<(td|li|tr)\b/g)?.length ?? 0).toBeLessThan(40);
  });

  it("sizes the canvas from the layout", () => {
    const s = fakeSnapshot({ frames: 16 });
    const html = renderToString(<FramesPanel {...props({ snapshot: s, initialWidth: 600 })} />);
    const m = /<canvas[^>]*width="(\d+)"[^>]*height="(\d+)"/.exec(html);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(600);
    expect(Number(m![2])).toBeGreaterThan(0);
  });

  it("describes the selected frame in the fallback", () => {
    const m = mergedMachine();
    const s = m.snap();
    const kpfn = s.frames.state.indexOf(FRAME_KSM);
    const html = renderToString(
      <FramesPanel {...props({ snapshot: s, selected: { kind: "frame", pfn: kpfn } })} />,
    );
    expect(html).toContain(`Selected: Frame ${kpfn}: KSM page, mapcount 3; mapped by A`);
  });
});

describe("FrameTooltip", () => {
  it("lists the frame's state, mapcount and the pages mapping it", () => {
    const m = mergedMachine();
    const s = m.snap();
    const kpfn = s.frames.state.indexOf(FRAME_KSM);
    const html = renderToStaticMarkup(
      <FrameTooltip
        snapshot={s}
        tip={{ pfn: kpfn, x: 10, y: 10, left: 0 }}
        process={{ pid: m.a.pid, name: "A", frames: [kpfn, 5] }}
      />,
    );
    expect(html).toContain('role="tooltip"');
    expect(html).toContain(`Frame ${kpfn}`);
    expect(html).toContain("KSM page, mapcount 3");
    expect(html.match(/<li>/g)).toHaveLength(3);
    expect(html).toContain(`0x${m.b.start.toString(16)}`);
    expect(html).toContain(" ro");
    expect(html).toContain(`A (pid ${m.a.pid}) maps 2 frames: ${kpfn}, 5`);
  });
});

describe("FramesView", () => {
  it("renders from the store", () => {
    // Server rendering reads the store's initial state: no snapshot.
    const html = renderToString(<FramesView />);
    expect(html).toContain("Physical memory");
    expect(useStore.getState().snapshot).toBeNull();
  });
});

describe("linking", () => {
  it("compares foci and toggles the selection", () => {
    const f = { kind: "frame", pfn: 3 } as const;
    expect(sameFocus(f, { kind: "frame", pfn: 3 })).toBe(true);
    expect(sameFocus(f, { kind: "frame", pfn: 4 })).toBe(false);
    expect(sameFocus(f, { kind: "page", pid: 1, addr: 3 })).toBe(false);
    expect(sameFocus(null, null)).toBe(true);
    expect(toggled(null, f)).toBe(f);
    expect(toggled({ kind: "frame", pfn: 3 }, f)).toBeNull();
    expect(toggled({ kind: "item", id: 1 }, f)).toBe(f);
  });
});
