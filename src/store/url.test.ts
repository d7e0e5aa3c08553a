import { describe, expect, it } from "vitest";
import type { Session } from "../worker/session";
import { decodeLink, encodeLink, linkSession, MAX_LINK_CHARS } from "./url";

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
    const hash = (await encodeLink(session, { kind: "lesson", id: "stable-tree" }))!;
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
    const link = await decodeLink((await encodeLink(s, { kind: "text" }))!);
    if (typeof link === "string") throw new Error(link);
    expect(linkSession(link, link.text ?? null)).toEqual(s);
    const reset: Session = {
      base: { type: "reset", profile: "linux-6.18", frames: 4096 },
      actions,
      position: 2,
    };
    const back = await decodeLink((await encodeLink(reset, { kind: "text" }))!);
    if (typeof back === "string") throw new Error(back);
    expect(linkSession(back, null)).toEqual(reset);
  });

  it("say what is wrong with a broken link", async () => {
    expect(await decodeLink("#preset=a.json&profile=linux-4&step=0")).toMatch(/profile/);
    expect(await decodeLink("#preset=a.json&profile=linux-6.18&step=-1")).toMatch(/step/);
    expect(await decodeLink("#preset=a.json&profile=linux-6.18&step=0&log=AAAA")).toMatch(/broken/);
    expect(await decodeLink("#profile=linux-6.18&step=0")).toMatch(/no scenario/);
  });

  it("say so in words, not in JavaScript's, when the packed part is garbled (issue 9, item 7)", async () => {
    for (const log of ["AAAA", "%%%", "q80BAA", "x".repeat(101)]) {
      const why = await decodeLink(`#frames=64&profile=linux-6.18&step=0&log=${log}`);
      expect(why).toBe("the link is broken: its packed part cannot be read (was it cut short or changed?)");
    }
  });

  it("are not written when too long to reopen (issue 9, item 7)", async () => {
    // Process names that do not compress: a session of about 3 MB packed.
    let seed = 1;
    const noise = () => {
      let name = "";
      for (let i = 0; i < 200; i++) {
        seed = (seed * 48271) % 2147483647;
        name += String.fromCharCode(33 + (seed % 90));
      }
      return name;
    };
    const spawns = Array.from({ length: 12_000 }, () => ({ type: "spawn" as const, name: noise() }));
    const big: Session = {
      base: { type: "reset", profile: "linux-6.18", frames: 64 },
      actions: spawns,
      position: 0,
    };
    expect(await encodeLink(big, { kind: "text" })).toBeNull();
    const fits = { ...big, actions: spawns.slice(0, 2000) };
    expect((await encodeLink(fits, { kind: "text" }))!.length).toBeLessThanOrEqual(MAX_LINK_CHARS);
  });
});
