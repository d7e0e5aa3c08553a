import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  ContentIds,
  Kernel,
  loadChecksummer,
  MADV_MERGEABLE,
  type Snapshot,
  sysfsWrite,
  takeSnapshot,
  waitScans,
} from "../../engine";
import { hexAddr } from "../frames/frameModel";
import { ProcessesPanel } from "./ProcessesView";

/** 6.18, use_zero_pages as given: A writes zeros to two pages and reads a third (a read fault maps the zero page). */
async function zeroMachine(useZeroPages: "0" | "1"): Promise<{ s: Snapshot; start: number }> {
  const k = new Kernel({ frames: 64, profile: "linux-6.18", checksummer: await loadChecksummer() });
  for (const [f, v] of [
    ["use_zero_pages", useZeroPages],
    ["run", "1"],
  ])
    if (sysfsWrite(k, f, v)) throw new Error(f);
  const pid = k.spawn("A").pid;
  const start = k.mmap(pid, 3, "r") as number;
  if (k.fill(pid, start, 2, 0) || k.readByte(pid, start + 2 * 4096) !== 0) throw new Error("fill");
  if (k.madvise(pid, start, 3 * 4096, MADV_MERGEABLE) || waitScans(k, 2)) throw new Error("scan");
  return { s: takeSnapshot(k, new ContentIds()), start };
}

const render = (snapshot: Snapshot) =>
  renderToStaticMarkup(
    <ProcessesPanel
      snapshot={snapshot}
      hover={null}
      selected={null}
      recent={[]}
      motion={false}
      onHover={() => {}}
      onUnhover={() => {}}
      onToggleSelect={() => {}}
    />,
  );

const label = (html: string, addr: number) =>
  new RegExp(`aria-label="A page \\d+ of r at ${hexAddr(addr)}: ([^;"]*)`).exec(html)?.[1];

describe("pages KSM merged with the zero page", () => {
  it("say so in their label, apart from a zero page a read fault mapped, and the legend shows the link", async () => {
    const { s, start } = await zeroMachine("1");
    expect(s.processes[0].ksmZeroPages).toEqual([start, start + 4096]);
    const html = render(s);
    expect(label(html, start)).toBe("zero page, merged there by KSM (use_zero_pages), write-protected");
    expect(label(html, start + 4096)).toBe(
      "zero page, merged there by KSM (use_zero_pages), write-protected",
    );
    expect(label(html, start + 8192)).toBe("zero page, write-protected");
    expect(html).toContain('data-legend="ksm-zero"');
  });

  it("with use_zero_pages off, nothing of it", async () => {
    const { s } = await zeroMachine("0");
    const html = render(s);
    expect(html).not.toContain("merged there by KSM");
    expect(html).not.toContain('data-legend="ksm-zero"');
  });
});
