import { renderToString } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer, PROFILES, type ProfileName } from "../engine";
import type { Command } from "../worker/protocol";
import { hostHarness } from "../worker/testing";
import { KsmdControlsPanel } from "./KsmdControls";
import { knobGroups, RUN_FILE, wordChoices, writeKnob } from "./knobs";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

/** A real engine host on a new machine of `profile`; `send` as the store's, a promise of the reply. */
function machine(profile: ProfileName) {
  const h = hostHarness(checksummer);
  h.send({ type: "reset", profile, frames: 256 });
  const files = () => h.state().sysfs;
  const value = (file: string) => files().find((f) => f.file === file)?.text;
  return { h, send: (cmd: Command) => Promise.resolve(h.send(cmd)), files, value };
}

/** Two processes with the same four pages, merged by two full scans of ksmd. */
function mergeSomePages(m: ReturnType<typeof hostHarness>): void {
  for (const name of ["a", "b"])
    m.send({ type: "start-process", name, values: [1, 2, 3, 4], mergeable: true });
  m.send({ type: "sysfs-write", file: "run", value: "1" });
  m.send({ type: "step", unit: "scan" });
  m.send({ type: "step", unit: "scan" });
}

/** The accessible names of the controls the panel offers for files (labels; checkbox labels). */
function offered(html: string): string[] {
  const names = [...html.matchAll(/<label[^>]*>(.*?)<\/label>/g)].map((m) =>
    m[1]
      .replace(/<[^>]+>/g, "")
      .replace(/<!-- -->/g, "")
      .trim(),
  );
  return names.sort();
}

describe("the knob panel", () => {
  for (const profile of PROFILES)
    it(`offers every writable file of ${profile} (run as its buttons), and shows the read-only ones`, () => {
      const m = machine(profile);
      const files = m.files();
      const html = renderToString(<KsmdControlsPanel files={files} profile={profile} run={0} />);
      const writable = files.filter((f) => f.writable && f.file !== RUN_FILE).map((f) => f.file);
      expect(offered(html)).toEqual([...writable].sort());
      expect(files.some((f) => f.file === RUN_FILE && f.writable)).toBe(true);
      expect(html).toContain("run = 2 (unmerge all)");
      const ro = files.filter((f) => !f.writable);
      expect(html).toContain(`Read-only (${ro.length})`);
      for (const f of ro) expect(html.replace(/<[^>]+>|<!-- -->/g, "")).toContain(f.file);
      // Each field starts at the file's value.
      const pages = files.find((f) => f.file === "pages_to_scan")!;
      expect(html).toContain(`value="${pages.text.trim()}"`);
    });

  it("has 24 files on 6.18: 13 writable (run among them), 11 read-only", () => {
    const files = machine("linux-6.18").files();
    expect(files).toHaveLength(24);
    expect(files.filter((f) => f.writable)).toHaveLength(13);
    const { groups, readOnly } = knobGroups(files, "linux-6.18");
    expect(readOnly).toHaveLength(11);
    expect(groups.map((g) => g.title)).toEqual(["Scanning", "Stable tree and merging", "Scan-time advisor"]);
    expect(groups.flatMap((g) => g.knobs.map((k) => k.file)).sort()).toEqual(
      files
        .filter((f) => f.writable && f.file !== RUN_FILE)
        .map((f) => f.file)
        .sort(),
    );
  });

  it("says what each group's files do, for the files the kernel has", () => {
    const notes = (p: ProfileName) =>
      knobGroups(machine(p).files(), p)
        .groups.map((g) => g.note)
        .join(" ");
    expect(notes("linux-2.6.32")).toMatch(/max_kernel_pages caps/);
    expect(notes("linux-2.6.32")).not.toMatch(/smart_scan|max_page_sharing/);
    expect(notes("linux-6.18")).toMatch(
      /smart_scan passes over[\s\S]*chain of duplicates[\s\S]*advisor_mode/,
    );
    expect(notes("linux-6.18")).not.toMatch(/max_kernel_pages/);
  });

  it("reads kstrtobool files as toggles and advisor_mode as a choice of its words", () => {
    const { groups } = knobGroups(machine("linux-6.18").files(), "linux-6.18");
    const knob = (f: string) => groups.flatMap((g) => g.knobs).find((k) => k.file === f)!;
    expect(knob("smart_scan").input).toBe("bool");
    expect(knob("use_zero_pages").input).toBe("bool");
    expect(knob("max_page_sharing").input).toBe("number");
    expect(knob("advisor_mode")).toMatchObject({ input: "word", choices: ["none", "scan-time"] });
    expect(wordChoices("none [scan-time]")).toEqual({ choices: ["none", "scan-time"], current: "scan-time" });
    const html = renderToString(
      <KsmdControlsPanel files={machine("linux-6.18").files()} profile="linux-6.18" />,
    );
    expect(html).toMatch(/<input type="checkbox"[^>]*checked=""[^>]*\/> <span>smart/);
  });
});

describe("a write through the knob panel", () => {
  it("succeeds with no error and the file shows the new value", async () => {
    const m = machine("linux-6.18");
    expect(await writeKnob(m.send, "max_page_sharing", "3")).toBeNull();
    expect(m.value("max_page_sharing")).toBe("3\n");
    expect(await writeKnob(m.send, "smart_scan", "0")).toBeNull();
    expect(m.value("smart_scan")).toBe("0\n");
  });

  it("refused, shows the kernel's errno in words and changes nothing", async () => {
    const m = machine("linux-6.18");
    const before = m.files();
    expect(await writeKnob(m.send, "max_page_sharing", "1")).toBe(
      "echo 1 > /sys/kernel/mm/ksm/max_page_sharing: Invalid argument",
    );
    expect(await writeKnob(m.send, "max_page_sharing", "99999999999")).toBe(
      "echo 99999999999 > /sys/kernel/mm/ksm/max_page_sharing: Numerical result out of range",
    );
    expect(await writeKnob(m.send, "smart_scan", "maybe")).toMatch(/smart_scan: Invalid argument$/);
    expect(await writeKnob(m.send, "advisor_mode", "fast")).toMatch(/advisor_mode: Invalid argument$/);
    expect(m.files()).toEqual(before);
  });

  it("refuses max_page_sharing with EBUSY while KSM pages exist", async () => {
    const m = machine("linux-6.18");
    mergeSomePages(m.h);
    const merged = Number(m.value("pages_shared"));
    expect(merged).toBeGreaterThan(0);
    const before = m.files();
    expect(await writeKnob(m.send, "max_page_sharing", "3")).toBe(
      "echo 3 > /sys/kernel/mm/ksm/max_page_sharing: Device or resource busy",
    );
    expect(m.files()).toEqual(before);
  });
});
