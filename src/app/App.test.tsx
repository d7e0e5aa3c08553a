import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { App } from "./App";

describe("App placeholder", () => {
  it("renders the title and the command-line hint", () => {
    const html = renderToStaticMarkup(<App />);
    expect(html).toContain("<h1>KSM — kernel samepage merging, visualised</h1>");
    expect(html).toContain("npm run -s scenario -- public/scenarios/&lt;file&gt;.json");
  });
});
