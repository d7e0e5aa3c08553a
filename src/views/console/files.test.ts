import { describe, expect, it } from "vitest";
import { PROFILES, sysfsFiles, sysfsRead, sysfsWritable } from "../../engine";
import { mergeableProc, scans } from "../../engine/testing";
import { complete } from "./complete";
import { KSM_DIR } from "./shell";
import { afterMatches, NEW_TERMINAL } from "./terminal";
import { machine } from "./testing";

/*
 * Every file of each kernel's /sys/kernel/mm/ksm/ in the console: listed,
 * read, written with the kernel's errno in bash's words; and Tab completion.
 * The lists come from the engine's sysfs table.
 */

describe("every file of /sys/kernel/mm/ksm", () => {
  it("6.18 has 24 files, 2.6.32 has 9", () => {
    expect(sysfsFiles("linux-6.18")).toHaveLength(24);
    expect(sysfsFiles("linux-2.6.32")).toHaveLength(9);
  });

  for (const profile of PROFILES) {
    const files = sysfsFiles(profile);

    it(`${profile}: ls lists them all, cat reads each as the kernel shows it`, async () => {
      const m = machine(profile);
      expect(await m.sh("ls -1")).toEqual(files);
      for (const f of files) expect(await m.sh(`cat ${f}`), f).toEqual([(m.knob(f) as string).trimEnd()]);
      expect(await m.sh("grep -c . *")).toEqual(files.map((f) => `${f}:1`));
    });

    it(`${profile}: ls -l shows rw for the writable files and r for the rest`, async () => {
      const lines = await machine(profile).sh("ls -l");
      for (const f of files) {
        const line = lines.find((l) => l.endsWith(` ${f}`));
        expect(line, f).toMatch(sysfsWritable(profile, f) ? /^-rw-r--r--/ : /^-r--r--r--/);
      }
    });

    it(`${profile}: each writable file takes its own value back; each read-only one is Permission denied`, async () => {
      for (const f of files) {
        const m = machine(profile);
        const text = sysfsRead(m.k, f) as string;
        const value = /\[(.*?)\]/.exec(text)?.[1] ?? text.trim(); // advisor_mode: its current word
        const out = await m.sh(`echo ${value} > ${f}`);
        expect(out, f).toEqual(sysfsWritable(profile, f) ? [] : [`!bash: ${f}: Permission denied`]);
        expect(m.knob(f), f).toBe(text);
      }
    });
  }

  it("6.18's refusals in bash's words, and nothing changes", async () => {
    const m = machine("linux-6.18");
    const before = m.values();
    const refused = async (line: string, words: string) =>
      expect(await m.sh(line), line).toEqual([`!bash: echo: write error: ${words}`]);
    await refused("echo 1 > max_page_sharing", "Invalid argument");
    await refused("echo 99999999999 > max_page_sharing", "Numerical result out of range");
    await refused("echo 2 > merge_across_nodes", "Invalid argument");
    await refused("echo maybe > smart_scan", "Invalid argument");
    await refused("echo maybe > use_zero_pages", "Invalid argument");
    await refused("echo fast > advisor_mode", "Invalid argument");
    await refused("echo 0 > advisor_target_scan_time", "Invalid argument");
    await refused("echo -1 > stable_node_chains_prune_millisecs", "Invalid argument");
    expect(m.values()).toEqual(before);
    // kstrtobool reads the first character (or on/off); advisor_mode its words.
    expect(await m.sh("echo off > smart_scan; cat smart_scan")).toEqual(["0"]);
    expect(await m.sh("echo Yes > use_zero_pages; cat use_zero_pages")).toEqual(["1"]);
    expect(await m.sh("echo scan-time > advisor_mode; cat advisor_mode")).toEqual(["none [scan-time]"]);
    // The advisor owns pages_to_scan now.
    await refused("echo 50 > pages_to_scan", "Invalid argument");
  });

  it("max_page_sharing and merge_across_nodes are busy while KSM pages exist", async () => {
    const m = machine("linux-6.18");
    mergeableProc(m.k, "a", [1, 2]);
    mergeableProc(m.k, "b", [1, 2]);
    scans(m.k, 2);
    expect(await m.sh("cat pages_shared")).toEqual(["2"]);
    const busy = ["!bash: echo: write error: Device or resource busy"];
    expect(await m.sh("echo 3 > max_page_sharing")).toEqual(busy);
    expect(await m.sh("echo 0 > merge_across_nodes")).toEqual(busy);
    expect(await m.sh("echo 2 > run; echo 3 > max_page_sharing; cat max_page_sharing")).toEqual(["3"]);
  });
});

describe("Tab completion", () => {
  const sys = machine("linux-6.18").sys;
  const tab = (line: string, cwd = KSM_DIR) => complete(line, line.length, sys, cwd);

  it("completes a unique file name with a space, and a command name", () => {
    expect(tab("cat max_p")).toMatchObject({ line: "cat max_page_sharing ", matches: [] });
    expect(tab("echo 1 > smart")).toMatchObject({ line: "echo 1 > smart_scan " });
    expect(tab("gr")).toMatchObject({ line: "grep " });
    expect(tab("cat run; ec")).toMatchObject({ line: "cat run; echo " });
  });

  it("extends to the common beginning, then lists the names", () => {
    expect(tab("cat advisor_max")).toMatchObject({ line: "cat advisor_max_", matches: [] });
    const list = tab("cat advisor_max_");
    expect(list.line).toBe("cat advisor_max_");
    expect(list.matches).toEqual(["advisor_max_cpu", "advisor_max_pages_to_scan"]);
    expect(tab("cat stable_node_")).toMatchObject({
      line: "cat stable_node_",
      matches: ["stable_node_chains", "stable_node_chains_prune_millisecs", "stable_node_dups"],
    });
    const shown = afterMatches(NEW_TERMINAL, "cat stable_node_", tab("cat stable_node_").matches, 80);
    expect(shown.lines.map((l) => l.text)).toEqual([
      "root@ksm:/sys/kernel/mm/ksm# cat stable_node_",
      "stable_node_chains  stable_node_chains_prune_millisecs  stable_node_dups",
    ]);
  });

  it("completes paths: directories with a slash, from anywhere", () => {
    expect(tab("cd /sy", "/root")).toMatchObject({ line: "cd /sys/" });
    expect(tab("ls /sys/kernel/mm/k", "/")).toMatchObject({ line: "ls /sys/kernel/mm/ksm/" });
    expect(tab("cat /sys/kernel/mm/ksm/pages_sk", "/")).toMatchObject({
      line: "cat /sys/kernel/mm/ksm/pages_skipped ",
    });
  });

  it("changes nothing where no name fits, or in quotes; completes in the middle of a line", () => {
    expect(tab("cat nosuch")).toEqual({ line: "cat nosuch", cursor: 10, matches: [] });
    expect(tab("cat 'max_p")).toMatchObject({ line: "cat 'max_p", matches: [] });
    expect(tab("cat /nowhere/x")).toMatchObject({ matches: [] });
    expect(complete("cat max_p > /dev/null", 9, sys, KSM_DIR)).toEqual({
      line: "cat max_page_sharing  > /dev/null",
      cursor: 21,
      matches: [],
    });
  });

  it("a 2.6.32 machine completes its own files only", () => {
    const old = machine("linux-2.6.32").sys;
    expect(complete("cat max_", 8, old, KSM_DIR)).toMatchObject({ line: "cat max_kernel_pages " });
    expect(complete("cat smart", 9, old, KSM_DIR)).toMatchObject({ line: "cat smart", matches: [] });
  });
});
