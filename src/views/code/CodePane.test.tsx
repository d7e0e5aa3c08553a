import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { KsmEvent } from "../../engine";
import type { LoggedEvent } from "../../store/store";
import { CodePane, CodePanePanel, newestStep } from "./CodePane";

const checksum: KsmEvent = {
  type: "checksum",
  fn: "calc_checksum",
  item: 3,
  pfn: 5,
  old: 0,
  checksum: 0x1234,
  volatile: true,
};
const match: KsmEvent = {
  type: "unstable-search",
  fn: "unstable_tree_search_insert",
  item: 3,
  pfn: 5,
  path: [{ node: 4, pfn: 9, result: 0 }],
  outcome: "match",
  match: 4,
};
const merge: KsmEvent = {
  type: "merge-two",
  fn: "try_to_merge_two_pages",
  items: [3, 4],
  kpfn: 12,
  ok: true,
};
const batch: KsmEvent = { type: "ksmd-batch", fn: "ksm_do_scan", scanned: 2, seqnr: 1 };

function numbered(events: KsmEvent[], first = 1): LoggedEvent[] {
  return events.map((event, i) => ({ seq: first + i, event }));
}

const LOG = numbered([checksum, match, merge, batch]);

/** The heading's text, tags stripped. */
function heading(html: string): string {
  return (/<h2[^>]*>(.*?)<\/h2>/.exec(html)?.[1] ?? "").replace(/<[^>]+>/g, "").replace(/<!-- -->/g, "");
}

/** The text of each code line that is marked current. */
function current(html: string): string[] {
  return [
    ...html.matchAll(
      /<span class="ksm-code-line" aria-current="step">(.*?)<\/span>(?=<span class="ksm-code-line"|<\/code>)/g,
    ),
  ].map((m) =>
    m[1]
      .replace(/<span class="sr-only">[^<]*<\/span>/g, "")
      .replace(/<span class="ksm-code-(mark|ln)"[^>]*>[^<]*<\/span>/g, "")
      .replace(/<[^>]+>/g, "")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&"),
  );
}

describe("CodePanePanel", () => {
  it("names the function and its file, and marks the current line once", () => {
    const html = renderToString(<CodePanePanel log={LOG} profile="linux-2.6.32" />);
    expect(html).toMatch(/<section[^>]*aria-label="Kernel code"/);
    expect(heading(html)).toBe("try_to_merge_two_pages() in mm/ksm.c");
    expect(html.match(/aria-current="step"/g)).toHaveLength(1);
    expect(current(html)).toEqual(["    err = try_to_merge_with_ksm_page(mm2, addr2, page2, kpage);"]);
    expect(html).toContain("merged pages of items 3 and 4 into new KSM page 12");
  });

  it("passes over the end-of-batch mark by default", () => {
    expect(newestStep(LOG)).toBe(2);
    expect(newestStep(numbered([batch]))).toBe(0);
    expect(newestStep([])).toBe(-1);
    const html = renderToString(<CodePanePanel log={LOG} profile="linux-2.6.32" />);
    expect(html).toMatch(/<button[^>]*aria-pressed="true"[^>]*>newest<\/button>/);
  });

  it("shows a pinned step of the log", () => {
    const html = renderToString(<CodePanePanel log={LOG} profile="linux-2.6.32" initialPinned={1} />);
    expect(heading(html)).toBe("cmp_and_merge_page() in mm/ksm.c");
    expect(current(html)[0]).toMatch(/^\s+rmap_item->oldchecksum = checksum;\s+return;\s+\/\* volatile/);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>◀ earlier<\/button>/);
    expect(html).toMatch(/<button[^>]*aria-pressed="false"[^>]*>newest<\/button>/);
    const last = renderToString(<CodePanePanel log={LOG} profile="linux-2.6.32" initialPinned={4} />);
    expect(heading(last)).toBe("ksm_do_scan() in mm/ksm.c");
    expect(last).toMatch(/<button[^>]*disabled=""[^>]*>later ▶<\/button>/);
  });

  it("shows each kernel's own code", () => {
    const old = renderToString(<CodePanePanel log={LOG} profile="linux-2.6.32" />);
    const now = renderToString(<CodePanePanel log={LOG} profile="linux-6.18" />);
    expect(old).toContain("ksm_max_kernel_pages");
    expect(now).not.toContain("ksm_max_kernel_pages");
    expect(current(now)).toEqual(["    err = try_to_merge_with_ksm_page(tree_rmap_item, tree_page, page);"]);
    expect(now).toContain("(linux-6.18)");
  });

  it("says when there is nothing yet", () => {
    const html = renderToString(<CodePanePanel log={[]} profile="linux-2.6.32" />);
    expect(html).toContain("Kernel code</h2>");
    expect(html).toContain("No step yet");
    expect(html).not.toContain("aria-current");
  });
});

describe("CodePane", () => {
  // Server rendering reads the store's initial state, as the other views' tests do.
  it("renders from the store's initial state", () => {
    const html = renderToString(<CodePane />);
    expect(html).toMatch(/<section[^>]*aria-label="Kernel code"/);
    expect(html).toContain("No step yet");
  });
});
