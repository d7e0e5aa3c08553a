import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { KsmEvent } from "../../engine";
import type { LoggedEvent } from "../../store/store";
import { EventLog, EventLogPanel, LIVE_ROWS, MAX_ROWS, newestSignificant, visibleRows } from "./EventLog";

const visit = (item: number): KsmEvent => ({
  type: "visit",
  fn: "scan_get_next_rmap_item",
  pid: 2,
  addr: 0x7f0000000000 + item * 4096,
  pfn: item,
  item,
  isNew: false,
});
const merge: KsmEvent = {
  type: "merge-two",
  fn: "try_to_merge_two_pages",
  items: [3, 9],
  kpfn: 40,
  ok: true,
};
const cow: KsmEvent = {
  type: "cow-fault",
  fn: "do_wp_page",
  pid: 2,
  addr: 0x7f0000003000,
  from: 40,
  to: 55,
  ksm: true,
};

function numbered(events: KsmEvent[], first = 1): LoggedEvent[] {
  return events.map((event, i) => ({ seq: first + i, event }));
}

const LOG = numbered([visit(1), merge, visit(2), cow, visit(3)]);

function items(html: string): string[] {
  return [...html.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) =>
    m[1]
      .replace(/<!-- -->/g, "")
      .replace(/<[^>]+>/g, "")
      .trim(),
  );
}

describe("EventLogPanel", () => {
  it("lists the log newest first, in words, with the kernel function", () => {
    const html = renderToString(<EventLogPanel log={LOG} eventsSeen={5} />);
    expect(html).toContain("Event log</h2>");
    const rows = items(html);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe(
      "5 ksmd visits page 0x7f0000003000 of pid 2 in frame 3 (rmap_item 3) — scan_get_next_rmap_item()",
    );
    expect(rows[1]).toBe("4 COW fault: pid 2 wrote to KSM page 40, copied to frame 55 — do_wp_page()");
    expect(rows[3]).toBe("2 merged pages of items 3 and 9 into new KSM page 40 — try_to_merge_two_pages()");
  });

  it("filters by kind", () => {
    const html = renderToString(<EventLogPanel log={LOG} eventsSeen={5} initialFilter="merges" />);
    expect(items(html)).toEqual([
      "2 merged pages of items 3 and 9 into new KSM page 40 — try_to_merge_two_pages()",
    ]);
    expect(html).toMatch(/<button[^>]*aria-pressed="true"[^>]*>merges<\/button>/);
    const none = renderToString(<EventLogPanel log={LOG} eventsSeen={5} initialFilter="tree" />);
    expect(none).toContain("No events of this kind.");
  });

  it("offers the five filters and a pause toggle", () => {
    const html = renderToString(<EventLogPanel log={LOG} eventsSeen={5} />);
    for (const f of ["all", "scan", "merges", "faults", "tree"])
      expect(html).toMatch(new RegExp(`>${f}</button>`));
    expect(html).toMatch(/<button[^>]*aria-pressed="false"[^>]*>pause log<\/button>/);
  });

  it("says how many events a pause holds back", () => {
    const html = renderToString(<EventLogPanel log={LOG} eventsSeen={12} initialPaused />);
    expect(html).toMatch(/<button[^>]*aria-pressed="true"[^>]*>pause log<\/button>/);
    expect(html).toContain("Paused: 7 newer events not shown.");
  });

  it("announces only the newest significant event, politely", () => {
    const html = renderToString(<EventLogPanel log={LOG} eventsSeen={5} />);
    const live = /<p[^>]*aria-live="polite"[^>]*>(.*?)<\/p>/.exec(html);
    expect(live).not.toBeNull();
    expect(live![1]).toBe("COW fault: pid 2 wrote to KSM page 40, copied to frame 55 — do_wp_page()");
  });

  it("keeps at most MAX_ROWS rows in the DOM", () => {
    const many = numbered(Array.from({ length: 1000 }, (_, i) => visit(i)));
    const html = renderToString(<EventLogPanel log={many} eventsSeen={1000} />);
    expect(items(html)).toHaveLength(MAX_ROWS);
    expect(items(html)[0]).toMatch(/^1000 /);
  });

  it("lists only the newest LIVE_ROWS while ksmd plays, and all MAX_ROWS once the log is paused", () => {
    const many = numbered(Array.from({ length: 1000 }, (_, i) => visit(i)));
    const live = renderToString(<EventLogPanel log={many} eventsSeen={1000} live />);
    expect(items(live)).toHaveLength(LIVE_ROWS);
    expect(items(live)[0]).toMatch(/^1000 /);
    const paused = renderToString(<EventLogPanel log={many} eventsSeen={1000} live initialPaused />);
    expect(items(paused)).toHaveLength(MAX_ROWS);
  });

  it("says when there is nothing yet", () => {
    expect(renderToString(<EventLogPanel log={[]} eventsSeen={0} />)).toContain("No events yet.");
  });
});

describe("helpers", () => {
  it("visibleRows takes the newest matching events, newest first", () => {
    expect(visibleRows(LOG, "all", 2).map((r) => r.seq)).toEqual([5, 4]);
    expect(visibleRows(LOG, "scan", 10).map((r) => r.seq)).toEqual([5, 3, 1]);
    expect(visibleRows(LOG, "faults", 10).map((r) => r.seq)).toEqual([4]);
  });

  it("newestSignificant skips visits and respects the filter", () => {
    expect(newestSignificant(LOG, "all")).toMatch(/^COW fault/);
    expect(newestSignificant(LOG, "merges")).toMatch(/^merged pages/);
    expect(newestSignificant(LOG, "scan")).toBe("");
    expect(newestSignificant(numbered([visit(1)]), "all")).toBe("");
  });
});

describe("EventLog", () => {
  it("renders from the store's initial state", () => {
    expect(renderToString(<EventLog />)).toContain("No events yet.");
  });
});
