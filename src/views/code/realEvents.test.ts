import { beforeAll, describe, expect, it } from "vitest";
import {
  type Kernel,
  type KsmEvent,
  PROFILES,
  type ProfileName,
  sysfsFiles,
  sysfsRead,
  sysfsWritable,
  sysfsWrite,
  ZERO_PFN,
} from "../../engine";
import { loadEngine, mergeableProc, newKernel, ofType, record, scans } from "../../engine/testing";
import { codeStep, PSEUDOCODE } from "./pseudocode";

/*
 * The code pane on the events a real kernel emits: a write to any file of
 * /sys/kernel/mm/ksm/ shows that file's store function, at the line its
 * errno (or success) comes from; 6.18's zero page and stable node chains
 * show the functions that decide them.
 */

beforeAll(loadEngine);

/** The event a write makes, and the line the code pane shows for it. */
function write(k: Kernel, file: string, value: string) {
  const events = record(k);
  const errno = sysfsWrite(k, file, value);
  const e = ofType(events, "sysfs-write")[0];
  const step = codeStep(e, k.ksm.profile);
  return { errno, fn: step.code.name, line: step.code.lines[step.line] };
}

/** What `cat` shows, written back: a value every store takes (advisor_mode's current word). */
function currentValue(k: Kernel, file: string): string {
  const text = sysfsRead(k, file) as string;
  return /\[(.*?)\]/.exec(text)?.[1] ?? text.trim();
}

/** Two processes with the same pages, merged: KSM pages exist. */
function withKsmPages(profile: ProfileName): Kernel {
  const k = newKernel(profile);
  mergeableProc(k, "a", [1, 2, 3]);
  mergeableProc(k, "b", [1, 2, 3]);
  scans(k, 2);
  return k;
}

describe("a sysfs write in the code pane", () => {
  for (const profile of PROFILES)
    it(`${profile}: every writable file shows its own store function, at the line that stores`, () => {
      const writable = sysfsFiles(profile).filter((f) => sysfsWritable(profile, f));
      expect(writable.length).toBeGreaterThan(3);
      for (const file of writable) {
        const k = newKernel(profile);
        const r = write(k, file, `${currentValue(k, file)}\n`);
        expect(r.errno, file).toBe(0);
        expect(r.fn, file).toBe(`${file}_store`);
        expect(PSEUDOCODE[profile][`${file}_store` as never], file).toBeTruthy();
        if (file !== "run") expect(r.line, file).toMatch(/ = |set_advisor_defaults/);
      }
    });

  it("6.18's store functions are in no 2.6.32 table, and 2.6.32's max_kernel_pages in no 6.18 one", () => {
    for (const file of sysfsFiles("linux-6.18").filter((f) => sysfsWritable("linux-6.18", f)))
      if (!sysfsFiles("linux-2.6.32").includes(file))
        expect(PSEUDOCODE["linux-2.6.32"][`${file}_store` as never], file).toBeNull();
    expect(PSEUDOCODE["linux-6.18"].max_kernel_pages_store).toBeNull();
  });

  it("read-only and missing files stop at the open, as kernfs refuses them", () => {
    const k = newKernel("linux-6.18");
    expect(write(k, "pages_skipped", "1\n")).toMatchObject({ errno: "EACCES", fn: "kernfs_fop_open" });
    expect(write(k, "pages_skipped", "1\n").line).toMatch(/read-only/);
    const missing = write(k, "max_kernel_pages", "1\n");
    expect(missing).toMatchObject({ errno: "EACCES", line: expect.stringMatching(/-EACCES/) });
    expect(missing.line).not.toMatch(/read-only/);
  });

  it("max_page_sharing: below 2, past an int, and while KSM pages exist, each at its own line", () => {
    const k = newKernel("linux-6.18");
    expect(write(k, "max_page_sharing", "1\n")).toMatchObject({
      errno: "EINVAL",
      line: expect.stringMatching(/return -EINVAL/),
    });
    expect(write(k, "max_page_sharing", "-5\n").line).toMatch(/return -EINVAL/);
    expect(write(k, "max_page_sharing", "abc\n").line).toMatch(/kstrtoint|-ERANGE/);
    const range = write(k, "max_page_sharing", "99999999999\n");
    expect(range).toMatchObject({ errno: "ERANGE", fn: "max_page_sharing_store" });
    expect(range.line).toMatch(/-ERANGE/);
    const busy = write(withKsmPages("linux-6.18"), "max_page_sharing", "3\n");
    expect(busy).toMatchObject({ errno: "EBUSY", fn: "max_page_sharing_store" });
    expect(busy.line).toMatch(/err = -EBUSY/);
    expect(write(k, "max_page_sharing", "3\n").line).toMatch(/ksm_max_page_sharing = knob/);
  });

  it("merge_across_nodes: 2 is out of range, a word does not parse, EBUSY with KSM pages", () => {
    const k = newKernel("linux-6.18");
    expect(write(k, "merge_across_nodes", "2\n").line).toMatch(/knob > 1/);
    expect(write(k, "merge_across_nodes", "x\n").line).toMatch(/if \(err\) return err/);
    expect(write(withKsmPages("linux-6.18"), "merge_across_nodes", "0\n").line).toMatch(/-EBUSY/);
    expect(write(k, "merge_across_nodes", "0\n").line).toMatch(/ksm_merge_across_nodes = knob/);
  });

  it("booleans, the advisor's words and its numbers", () => {
    const k = newKernel("linux-6.18");
    expect(write(k, "smart_scan", "maybe\n")).toMatchObject({ errno: "EINVAL", fn: "smart_scan_store" });
    expect(write(k, "use_zero_pages", "on\n").line).toMatch(/ksm_use_zero_pages = value/);
    expect(write(k, "advisor_mode", "fast\n").line).toMatch(/-EINVAL/);
    expect(write(k, "advisor_target_scan_time", "0\n").line).toMatch(/value < 1/);
    expect(write(k, "advisor_max_cpu", "x\n").line).toMatch(/if \(err\) return -EINVAL/);
    expect(write(k, "advisor_mode", "scan-time\n").line).toMatch(/set_advisor_defaults/);
    // With the advisor on, pages_to_scan is the advisor's: a good number is refused first thing.
    const refused = write(k, "pages_to_scan", "50\n");
    expect(refused).toMatchObject({ errno: "EINVAL", fn: "pages_to_scan_store" });
    expect(refused.line).toMatch(/ksm_advisor != KSM_ADVISOR_NONE|advisor sets/);
    expect(write(k, "pages_to_scan", "lots\n").line).toMatch(/kstrtouint|-EINVAL/);
  });

  it("shows the check the engine says refused the write (its why), not one guessed from the value", () => {
    const k = newKernel("linux-6.18");
    expect(write(k, "advisor_mode", "scan-time\n").errno).toBe(0);
    // Not a number either, but the advisor's check comes first and refuses it.
    expect(write(k, "pages_to_scan", "lots\n").line).toMatch(/advisor sets/);
    expect(write(k, "advisor_mode", "none\n").errno).toBe(0);
    expect(write(k, "pages_to_scan", "lots\n").line).toMatch(/if \(err\) return -EINVAL/);
    const old = newKernel("linux-2.6.32");
    expect(write(old, "run", "3\n").line).toMatch(/flags > KSM_RUN_UNMERGE/);
    expect(write(old, "run", "4294967296\n").line).toMatch(/flags > UINT_MAX/);
  });
});

describe("6.18's merging in the code pane: zero pages and chains", () => {
  it("a page of zeros merged with the zero page shows try_to_merge_with_zero_page()", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "use_zero_pages", "1\n")).toBe(0);
    mergeableProc(k, "a", [0, 0]);
    const events: KsmEvent[] = record(k);
    scans(k, 2);
    const zero = ofType(events, "merge-with-ksm").filter((e) => e.kpfn === ZERO_PFN);
    expect(zero.length).toBeGreaterThan(0);
    const step = codeStep(zero[0], "linux-6.18");
    expect(step.code.name).toBe("try_to_merge_with_zero_page");
    expect(step.code.lines[step.line]).toMatch(/zero page/);
  });

  it("a search that meets a chain shows the dup stable_node_dup() picked", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "max_page_sharing", "3\n")).toBe(0);
    for (const name of ["a", "b", "c", "d", "e", "f"]) mergeableProc(k, name, [1]);
    const events: KsmEvent[] = record(k);
    scans(k, 4);
    expect(sysfsRead(k, "stable_node_chains")).toBe("1\n");
    const atChain = ofType(events, "stable-search").filter((e) => e.pick && e.pick.dups > 0);
    expect(atChain.length).toBeGreaterThan(0);
    const steps = atChain.map((e) => codeStep(e, "linux-6.18"));
    const picked = steps.filter((s) => s.code.name === "stable_node_dup");
    expect(picked.length).toBeGreaterThan(0);
    for (const s of picked) expect(s.code.lines[s.line]).toMatch(/found = dup/);
  });
});
