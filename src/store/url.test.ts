import { describe, expect, it } from "vitest";
import type { Session } from "../worker/session";
import { decodeLink, encodeLink, linkSession } from "./url";

const actions: Session["actions"] = [
  { type: "scenario-step", count: 3 },
  ...Array.from({ length: 500 }, () => ({ type: "ksmd-batch" as const })),
  { type: "write", pid: 2, addr: 0x7fff0000, byte: 9 },
];

describe("links", () => {
  it("name a lesson or a preset, carry the actions packed, and decode to the same session", async () => {
    const text = '{"name":"x","steps":[]}';
    const session: Session = {
      base: { type: "load-scenario", text, profile: "linux-6.18" },
      actions,
      position: 250,
    };
    const hash = await encodeLink(session, { kind: "lesson", id: "stable-tree" });
    expect(hash).toMatch(/^#lesson=stable-tree&profile=linux-6.18&step=250&log=/);
    expect(hash.length).toBeLessThan(200); // 500 ksmd wake-ups are one run
    const link = await decodeLink(hash);
    if (typeof link === "string") throw new Error(link);
    expect(link.source).toEqual({ kind: "lesson", id: "stable-tree" });
    expect(linkSession(link, text)).toEqual(session);
    expect(await encodeLink(session, { kind: "preset", file: "cow-after-merge.json" })).toMatch(
      /^#preset=cow-after-merge.json&/,
    );
  });

  it("carry a scenario from a file, or an empty machine", async () => {
    const text = JSON.stringify({ name: "mine", steps: [{ op: "spawn", proc: "A" }] });
    const s: Session = {
      base: { type: "load-scenario", text, profile: "linux-2.6.32" },
      actions: [],
      position: 0,
    };
    const link = await decodeLink(await encodeLink(s, { kind: "text" }));
    if (typeof link === "string") throw new Error(link);
    expect(linkSession(link, link.text ?? null)).toEqual(s);
    const reset: Session = {
      base: { type: "reset", profile: "linux-6.18", frames: 4096 },
      actions,
      position: 2,
    };
    const back = await decodeLink(await encodeLink(reset, { kind: "text" }));
    if (typeof back === "string") throw new Error(back);
    expect(linkSession(back, null)).toEqual(reset);
  });

  it("say what is wrong with a broken link", async () => {
    expect(await decodeLink("#preset=a.json&profile=linux-4&step=0")).toMatch(/profile/);
    expect(await decodeLink("#preset=a.json&profile=linux-6.18&step=-1")).toMatch(/step/);
    expect(await decodeLink("#preset=a.json&profile=linux-6.18&step=0&log=AAAA")).toMatch(/broken/);
    expect(await decodeLink("#profile=linux-6.18&step=0")).toMatch(/no scenario/);
  });
});
