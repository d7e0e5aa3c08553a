import { describe, expect, it } from "vitest";
import { hexAddr } from "../frames/frameModel";
import { renderPanel as render, zeroMachine } from "./testing";

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
