import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { App } from "./App";

describe("App", () => {
  it("renders the title, the controls and every view's heading before the engine starts", () => {
    const html = renderToStaticMarkup(<App />);
    expect(html).toContain("kernel samepage merging, visualised");
    for (const heading of ["ksmd", "Processes", "Scenario"]) expect(html).toContain(heading);
    expect(html).toContain('data-ready="false"');
  });
});
