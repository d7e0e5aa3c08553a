import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it } from "vitest";
import type { ProfileName } from "../../engine";
import { useStore } from "../../store/store";
import type { Command } from "../../worker/protocol";
import { fakeSnapshot } from "../stats/testing";
import { SysfsConsole, SysfsConsolePanel } from "./SysfsConsole";
import { INITIAL_STATE, KSM_DIR, runLine, type ShellResult, type ShellSystem } from "./shell";
import {
  afterInterrupt,
  afterRun,
  cleared,
  historyStep,
  NEW_TERMINAL,
  promptText,
  remember,
  runForConsole,
  SCROLLBACK,
  storeSystem,
} from "./terminal";

const initial = useStore.getState();
afterEach(() => useStore.setState(initial, true));

/** The text of each element with `cls`, tags stripped. */
function texts(html: string, cls: string): string[] {
  return [...html.matchAll(new RegExp(`class="[^"]*${cls}[^"]*"[^>]*>(.*?)</`, "g"))].map((m) =>
    m[1].replace(/<!-- -->/g, "").replace(/&gt;/g, ">"),
  );
}

describe("SysfsConsole", () => {
  it("renders from the store's initial state: a prompt, a labelled input and a polite log", () => {
    const html = renderToString(<SysfsConsole />);
    expect(html).toContain("sysfs console</h2>");
    expect(html).toContain('aria-label="shell command"');
    expect(html).toMatch(/role="log" aria-live="polite"/);
    expect(html).toContain("root@ksm:/sys/kernel/mm/ksm# ");
    expect(html).toContain("No update from the engine yet.");
  });

  it("lists the profile's files: max_kernel_pages on 2.6.32, pages_scanned on 6.18", () => {
    const panel = (profile: ProfileName) =>
      renderToString(<SysfsConsolePanel profile={profile} files={fakeSnapshot(profile).sysfs} />);
    const old = panel("linux-2.6.32");
    expect(old).toContain('aria-label="Files in /sys/kernel/mm/ksm on linux-2.6.32"');
    expect(texts(old, "ksm-console-knob")).toEqual([
      "max_kernel_pages",
      "pages_to_scan",
      "run",
      "sleep_millisecs",
    ]);
    expect(texts(old, "ksm-console-counter")).toEqual([
      "full_scans",
      "pages_shared",
      "pages_sharing",
      "pages_unshared",
      "pages_volatile",
    ]);
    const fresh = panel("linux-6.18");
    expect(fresh).toContain("<strong>linux-6.18</strong>");
    expect(texts(fresh, "ksm-console-counter")).toContain("pages_scanned");
    expect(fresh).not.toContain("max_kernel_pages");
  });
});

const result = (lines: ShellResult["lines"], extra: Partial<ShellResult> = {}): ShellResult => ({
  lines,
  partial: false,
  clear: false,
  state: INITIAL_STATE,
  ...extra,
});

describe("the terminal", () => {
  it("shows the command after its prompt, then the output, errors marked", () => {
    const t = afterRun(
      NEW_TERMINAL,
      "cat nope run",
      result([
        { text: "cat: nope: No such file or directory", error: true },
        { text: "1", error: false },
      ]),
    );
    expect(t.lines.map((l) => [l.kind, l.text])).toEqual([
      ["command", "root@ksm:/sys/kernel/mm/ksm# cat nope run"],
      ["err", "cat: nope: No such file or directory"],
      ["out", "1"],
    ]);
  });

  it("puts the next prompt after output with no newline (echo -n)", () => {
    const t = afterRun(NEW_TERMINAL, "echo -n hi", result([{ text: "hi", error: false }], { partial: true }));
    expect(t.lines).toHaveLength(1);
    expect(promptText(t)).toBe("hiroot@ksm:/sys/kernel/mm/ksm# ");
    const u = afterRun(t, "pwd", result([{ text: "/sys/kernel/mm/ksm", error: false }]));
    expect(u.lines[1].text).toBe("hiroot@ksm:/sys/kernel/mm/ksm# pwd");
    expect(promptText(u)).toBe("root@ksm:/sys/kernel/mm/ksm# ");
  });

  it("follows cd in the prompt", () => {
    const t = afterRun(NEW_TERMINAL, "cd", result([], { state: { cwd: "/root", status: 0 } }));
    expect(promptText(t)).toBe("root@ksm:~# ");
  });

  it("keeps the last 500 lines", () => {
    const many = Array.from({ length: 700 }, (_, i) => ({ text: String(i), error: false }));
    const t = afterRun(NEW_TERMINAL, "seq", result(many));
    expect(SCROLLBACK).toBe(500);
    expect(t.lines).toHaveLength(500);
    expect(t.lines[499].text).toBe("699");
    expect(new Set(t.lines.map((l) => l.id)).size).toBe(500);
  });

  it("clear and Ctrl+L empty the screen; Ctrl+C shows ^C", () => {
    const t = afterRun(NEW_TERMINAL, "ls", result([{ text: "run", error: false }]));
    expect(cleared(t).lines).toEqual([]);
    expect(afterRun(t, "clear", result([], { clear: true })).lines).toEqual([]);
    expect(afterInterrupt(t, "echo 1 >").lines[2].text).toBe("root@ksm:/sys/kernel/mm/ksm# echo 1 >^C");
  });

  it("history: ↑ goes back, ↓ forward to the line being typed; no blanks or repeats", () => {
    let h: string[] = [];
    for (const line of ["cat run", "cat run", "", "  ", "ls"]) h = remember(h, line);
    expect(h).toEqual(["cat run", "ls"]);
    let at = historyStep(h, 2, "ech", -1);
    expect(at).toEqual({ index: 1, value: "ls" });
    at = historyStep(h, at.index, "ech", -1);
    expect(at).toEqual({ index: 0, value: "cat run" });
    expect(historyStep(h, 0, "ech", -1)).toEqual({ index: 0, value: "cat run" });
    expect(historyStep(h, 1, "ech", 1)).toEqual({ index: 2, value: "ech" });
    expect(historyStep(h, 2, "ech", 1)).toEqual({ index: 2, value: "ech" });
  });
});

describe("storeSystem", () => {
  it("reads the snapshot's files and writes through sysfs-write, reading the update after", async () => {
    const sent: Command[] = [];
    useStore.setState({
      snapshot: fakeSnapshot("linux-2.6.32", {}, { run: 1 }),
      send: async (cmd) => {
        sent.push(cmd);
        if (cmd.type !== "sysfs-write") return { type: "reply", id: 1 };
        if (cmd.value === "abc\n")
          return { type: "reply", id: 1, errno: "EINVAL", message: "Invalid argument" };
        // The worker replies first; its update follows.
        setTimeout(() => useStore.setState({ snapshot: fakeSnapshot("linux-2.6.32", {}, { run: 0 }) }), 5);
        return { type: "reply", id: 1 };
      },
    });
    const sys = storeSystem(2000);
    expect(sys.files().find((f) => f.file === "run")?.text).toBe("1\n");
    const r = await runLine("echo abc > run; echo 0 > run; cat run", sys, INITIAL_STATE);
    expect(r.lines).toEqual([
      { text: "bash: echo: write error: Invalid argument", error: true },
      { text: "0", error: false },
    ]);
    expect(sent).toEqual([
      { type: "sysfs-write", file: "run", value: "abc\n" },
      { type: "sysfs-write", file: "run", value: "0\n" },
    ]);
  });

  it("gives up waiting for an update, and reports a missing engine as EIO", async () => {
    useStore.setState({ snapshot: fakeSnapshot("linux-6.18"), send: async () => ({ type: "reply", id: 1 }) });
    expect(await storeSystem(1).write("run", "1\n")).toEqual({});
    useStore.setState({ send: () => Promise.reject(new Error("the engine is not running")) });
    const r = await runLine("echo 1 > run", storeSystem(1), INITIAL_STATE);
    expect(r.lines).toEqual([{ text: "bash: echo: write error: Input/output error", error: true }]);
  });
});

describe("runForConsole", () => {
  it("a shell that fails says the line was not run, in words, and keeps its state", async () => {
    const broken: ShellSystem = {
      files: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'sysfs')");
      },
      write: async () => ({}),
    };
    const state = { cwd: "/root", oldpwd: KSM_DIR, status: 1 };
    const r = await runForConsole("cd /sys/kernel/mm/ksm; ls", broken, state, {});
    expect(r.lines).toEqual([{ text: "ksm console: internal error: the line was not run", error: true }]);
    expect(r.state).toEqual({ cwd: "/root", oldpwd: KSM_DIR, status: 1 });
    expect(afterRun(NEW_TERMINAL, "ls", r).shell).toEqual(state);
  });
});
