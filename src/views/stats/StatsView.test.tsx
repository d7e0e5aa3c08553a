import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ScanPoint } from "../../store/store";
import { StatsPanel, StatsView } from "./StatsView";
import { fakeSnapshot } from "./testing";

const HISTORY: ScanPoint[] = [
  { fullScans: 1, shared: 0, sharing: 0, unshared: 4, volatile: 2 },
  { fullScans: 2, shared: 2, sharing: 5, unshared: 1, volatile: 0 },
];

function render(profile: "linux-2.6.32" | "linux-6.18", motion = true): string {
  const snapshot = fakeSnapshot(profile, {
    pages_shared: 2,
    pages_sharing: 5,
    pages_unshared: 1,
    full_scans: 2,
    pages_scanned: 40,
  });
  return renderToString(
    <StatsPanel snapshot={snapshot} profile={profile} history={HISTORY} motion={motion} />,
  );
}

/** The text of the sysfs table row for one file ("ro pages_shared 2"), tags stripped; "" if none. */
function row(html: string, file: string): string {
  for (const m of html.matchAll(/<tr[^>]*>((?:(?!<\/tr>).)*)<\/tr>/g)) {
    const text = m[1]
      .replace(/<[^>]+>/g, " ")
      .replace(/\s*_\s*/g, "_") // the name may wrap after its underscores (<wbr>)
      .replace(/\s+/g, " ")
      .trim();
    const [mode, name] = text.split(" ");
    if ((mode === "ro" || mode === "rw") && name === file) return text;
  }
  return "";
}

describe("StatsPanel", () => {
  it("puts the counters in a table of their own, with their sums, before the knobs (run and the scan rate first)", () => {
    const html = render("linux-6.18");
    const table = (what: string) => {
      const m = new RegExp(`aria-label="Files in /sys/kernel/mm/ksm: ${what}"(.*?)</table>`).exec(html);
      return [...(m?.[1] ?? "").matchAll(/<code>([^<]*(?:<wbr\/>[^<]*)*)<\/code>/g)]
        .map((x) => x[1].replace(/<wbr\/>/g, ""))
        .filter((t) => /^[a-z_]+$/.test(t));
    };
    const counters = table("counters");
    const knobs = table("knobs");
    expect(counters).toContain("general_profit");
    expect(counters).not.toContain("run");
    expect(knobs.slice(0, 3)).toEqual(["run", "pages_to_scan", "sleep_millisecs"]);
    expect(knobs.at(-1)).toMatch(/^advisor_/);
    expect(counters.length + knobs.length).toBe(24);
    expect(html.indexOf("memory saved")).toBeGreaterThan(html.indexOf(": counters"));
    expect(html.indexOf("memory saved")).toBeLessThan(html.indexOf(": knobs"));
  });

  it("lists /sys/kernel/mm/ksm with values, knobs rw and counters ro", () => {
    const html = render("linux-2.6.32");
    expect(html).toContain("<h2");
    expect(html).toContain("/sys/kernel/mm/ksm");
    expect(row(html, "pages_shared")).toBe("ro pages_shared 2");
    expect(row(html, "pages_sharing")).toBe("ro pages_sharing 5");
    expect(row(html, "full_scans")).toBe("ro full_scans 2");
    expect(row(html, "run")).toBe("rw run 1");
    expect(row(html, "max_kernel_pages")).toBe("rw max_kernel_pages 2000");
    expect(row(html, "pages_scanned")).toBe("");
  });

  it("shows pages_scanned and no max_kernel_pages on 6.18", () => {
    const html = render("linux-6.18");
    expect(row(html, "pages_scanned")).toBe("ro pages_scanned 40");
    expect(row(html, "max_kernel_pages")).toBe("");
  });

  it("shows memory saved and the documented ratios in words", () => {
    const html = render("linux-2.6.32");
    expect(html).toContain("20 KiB");
    expect(html).toContain("pages_sharing / pages_shared");
    expect(html).toContain("<strong>2.5</strong>");
    expect(html).toContain("high is good sharing");
    expect(html).toContain("pages_unshared / pages_sharing");
    expect(html).toContain("<strong>0.2</strong>");
    expect(html).toContain("high means wasted effort");
  });

  it("shows — for ratios with a zero denominator", () => {
    const html = renderToString(
      <StatsPanel snapshot={fakeSnapshot("linux-6.18")} profile="linux-6.18" history={[]} motion={false} />,
    );
    expect(html.match(/<strong>—<\/strong>/g)).toHaveLength(2);
    expect(html).toContain("0 bytes");
  });

  it("explains the lag", () => {
    expect(render("linux-6.18")).toContain(
      "Counters change only when ksmd visits a page: a COW write shows up on the next pass.",
    );
  });

  it("draws the chart as SVG with a legend and an accessible summary", () => {
    const html = render("linux-2.6.32");
    expect(html).toContain("<svg");
    expect(html).toMatch(/role="img" aria-label="Counters per full scan, full scans 1 to 2\. Latest/);
    expect(html.match(/<path[^>]*class="ksm-line/g)).toHaveLength(4);
    for (const dash of ["7 3", "2 3", "9 3 2 3"]) expect(html).toContain(`stroke-dasharray="${dash}"`);
    for (const label of ["pages_shared", "pages_sharing", "pages_unshared", "pages_volatile"])
      expect(html).toContain(`<code>${label}</code>`);
    // The visually hidden table of the last points.
    expect(html).toContain("<caption>Counters at the last 2 full scans</caption>");
    expect(html).toMatch(/<th scope="row">2<\/th><td>2<\/td><td>5<\/td><td>1<\/td><td>0<\/td>/);
  });

  it("flashes nothing on first render", () => {
    expect(render("linux-2.6.32")).not.toContain("ksm-flash");
  });

  it("lists the files before any update, without values", () => {
    const html = renderToString(<StatsPanel snapshot={null} profile="linux-2.6.32" history={[]} motion />);
    expect(row(html, "run")).toBe("rw run");
    expect(html).toContain("No update from the engine yet.");
  });
});

describe("StatsPanel on 6.18: general_profit and the other counters 2.6.32 lacks", () => {
  const counters = {
    pages_sharing: 1,
    rmap_items: 70,
    pages_scanned: 274,
    pages_skipped: 60,
    ksm_zero_pages: 0,
    stable_node_chains: 2,
    stable_node_dups: 5,
    // The engine's figure for the numbers above (fakeSnapshot checks it is the kernel's formula): the view shows it.
    general_profit: -384,
  };
  const html = (profile: "linux-2.6.32" | "linux-6.18", c = counters) =>
    renderToString(
      <StatsPanel snapshot={fakeSnapshot(profile, c)} profile={profile} history={[]} motion={false} />,
    );

  it("lists each counter under its sysfs name, with the snapshot's value", () => {
    const h = html("linux-6.18");
    expect(row(h, "general_profit")).toBe("ro general_profit -384");
    expect(row(h, "pages_skipped")).toBe("ro pages_skipped 60");
    expect(row(h, "ksm_zero_pages")).toBe("ro ksm_zero_pages 0");
    expect(row(h, "stable_node_chains")).toBe("ro stable_node_chains 2");
    expect(row(h, "stable_node_dups")).toBe("ro stable_node_dups 5");
    expect(row(h, "pages_scanned")).toBe("ro pages_scanned 274");
    expect(h).toMatch(/data-negative="true"><code>-384<\/code>/);
  });

  it("shows a loss as a loss: minus sign, its colour, the formula with this snapshot's numbers", () => {
    const h = html("linux-6.18");
    expect(h).toContain('<strong class="ksm-loss">\u2212384 bytes</strong>');
    expect(h).toContain("= (pages_sharing 1 + ksm_zero_pages 0) × 4096 − rmap_items 70 × 64");
    expect(h).toContain("KSM costs more than it saves");
  });

  it("shows a gain in its own colour, without the warning", () => {
    const h = html("linux-6.18", { ...counters, pages_sharing: 3, rmap_items: 64, general_profit: 8192 });
    expect(h).toContain('<strong class="ksm-gain">+8192 bytes</strong>');
    expect(h).not.toContain("KSM costs more than it saves");
  });

  it("shows none of it on 2.6.32, where those files do not exist", () => {
    const h = html("linux-2.6.32");
    expect(h).not.toContain("general_profit");
    for (const f of ["pages_skipped", "ksm_zero_pages", "stable_node_chains", "pages_scanned"])
      expect(row(h, f)).toBe("");
  });

  it("lets long file names wrap after an underscore", () => {
    expect(html("linux-6.18")).toContain("stable_<wbr/>node_<wbr/>dups");
  });
});

describe("StatsView", () => {
  it("renders from the store's initial state", () => {
    const html = renderToString(<StatsView />);
    expect(html).toContain("/sys/kernel/mm/ksm");
    expect(html).toContain("Counters per full scan");
  });
});
