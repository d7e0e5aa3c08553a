import { beforeAll, describe, expect, it } from "vitest";
import { MADV_MERGEABLE, PR_SET_MEMORY_MERGE, type Snapshot, waitScans } from "../../engine";
import { loadEngineForTests, mergedMachine } from "../frames/fixtures";
import { ksmStatSummary, ksmStatText } from "./ksmStat";
import type { ProcessesPanelProps } from "./ProcessesView";
import { kernel618, mapProcess, renderPanel, snap } from "./testing";

beforeAll(loadEngineForTests);

/** 6.18: A (prctl merge any) with pages 1, 1, 2, 3; U madvises two unique pages; three full scans. */
async function modernMachine(): Promise<Snapshot> {
  const k = await kernel618([["run", "1"]]);
  const a = mapProcess(k, "A", [1, 1, 2, 3]);
  if (k.prctl(a.pid, PR_SET_MEMORY_MERGE, 1) !== 0) throw new Error("prctl");
  const u = mapProcess(k, "U", [8, 9]);
  if (k.madvise(u.pid, u.start, 2 * 4096, MADV_MERGEABLE)) throw new Error("madvise");
  if (waitScans(k, 3)) throw new Error("scans");
  return snap(k);
}

const render = (snapshot: Snapshot, over: Partial<ProcessesPanelProps> = {}) =>
  renderPanel(snapshot, { onMergeAny: () => {}, ...over });

/** The markup of one process's card. */
const card = (html: string, name: string) =>
  html.split('<article class="pv-process"').find((c) => c.includes(`>${name} <span class="pv-pid">`)) ?? "";

describe("ksm_stat", () => {
  it("prints the file as the kernel does, yes/no on its last two lines", () => {
    const text = ksmStatText({
      ksm_rmap_items: 4,
      ksm_zero_pages: 1,
      ksm_merging_pages: 2,
      ksm_process_profit: -12,
      ksm_merge_any: 1,
      ksm_mergeable: 0,
    });
    expect(text).toBe(
      "ksm_rmap_items 4\nksm_zero_pages 1\nksm_merging_pages 2\nksm_process_profit -12\nksm_merge_any: yes\nksm_mergeable: no",
    );
  });

  it("shows each 6.18 process's merging pages and profit from the snapshot, and the whole file", async () => {
    const s = await modernMachine();
    const html = render(s);
    for (const p of s.processes) {
      const c = card(html, p.name);
      const st = p.ksmStat!;
      const sum = ksmStatSummary(st);
      expect(c).toContain(`${st.ksm_merging_pages} merging`);
      expect(c).toContain(sum.profit);
      expect(c).toContain(`$ cat /proc/${p.pid}/ksm_stat\n${ksmStatText(st)}</pre>`);
    }
    const a = s.processes.find((p) => p.name === "A")!.ksmStat!;
    expect(a).toMatchObject({ ksm_merge_any: 1, ksm_merging_pages: 2 });
    // U advised two pages that merge with nothing: two rmap_items, no saving: a loss.
    expect(card(html, "U")).toContain('<span class="pv-loss">\u2212128 bytes</span>');
  });

  it("shows the snapshot's numbers, not its own sums", async () => {
    const s = await modernMachine();
    const p = s.processes[0];
    p.ksmStat = { ...p.ksmStat!, ksm_merging_pages: 77, ksm_process_profit: 123456 };
    const c = card(render(s), p.name);
    expect(c).toContain("77 merging");
    expect(c).toContain("+121 KiB");
    expect(c).toContain("ksm_process_profit 123456");
  });

  it("offers prctl as a toggle pressed exactly when ksm_merge_any is set", async () => {
    const html = render(await modernMachine());
    expect(card(html, "A")).toMatch(/aria-pressed="true" aria-label="merge any \(prctl\) for A \(pid 1\)"/);
    expect(card(html, "U")).toMatch(/aria-pressed="false" aria-label="merge any \(prctl\) for U \(pid 2\)"/);
  });

  it("has nothing of it on 2.6.32, which has no ksm_stat and no PR_SET_MEMORY_MERGE", () => {
    const html = render(mergedMachine().snap());
    expect(html).not.toContain("ksm_stat");
    expect(html).not.toContain("merge any");
  });
});
