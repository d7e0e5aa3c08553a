import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Timeline } from "./TimelineControls";

const render = (timeline: { position: number; first: number; length: number }) =>
  renderToStaticMarkup(<Timeline {...timeline} label={null} scanMarks={[]} fullScans={3} />);

describe("TimelineControls", () => {
  it("starts the slider where the kept history starts, and says the older was dropped", () => {
    const html = render({ position: 150, first: 120, length: 200 });
    expect(html).toMatch(/<input type="range" min="120" max="200"/);
    expect(html).toContain("actions before 120 dropped to save memory");
    const atFirst = render({ position: 120, first: 120, length: 200 });
    expect(atFirst.match(/<button[^>]*disabled=""/g)).toHaveLength(1); // « (◀ is the step bar's)
  });

  it("says nothing of dropped history while all of it is kept", () => {
    const html = render({ position: 5, first: 0, length: 9 });
    expect(html).toMatch(/min="0"/);
    expect(html).not.toContain("dropped");
    // The scan count is the engine's full_scans, as every view shows it.
    expect(html).toContain("full_scans 3");
    expect(html.match(/<button[^>]*disabled=""/g)).toBeNull();
  });
});
