import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { formatJson, runCli } from "../cli/run";
import { type Checksummer, loadChecksummer } from "../engine";
import type { CommandMessage, Reply } from "./protocol";
import { hostHarness } from "./testing";

/*
 * Issue 9: one scenario step may be long (a wait_scans on a big machine), so
 * the worker runs it in slices, answering pings between them, and a cancel
 * ends a run at a whole step.
 */

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const PAGES = 4096;
/** Before the wait_scans: a process with two kinds of pages, advised mergeable, ksmd on, one batch a whole scan. */
const SETUP = 7;
const LONG = JSON.stringify({
  name: "long wait",
  memory_frames: 2 * PAGES,
  steps: [
    { op: "spawn", proc: "A" },
    { op: "mmap", proc: "A", region: "heap", pages: PAGES },
    { op: "fill", proc: "A", region: "heap", from: 0, pages: PAGES / 2, value: 7 },
    { op: "fill", proc: "A", region: "heap", from: PAGES / 2, pages: PAGES / 2, value: 9 },
    { op: "madvise", proc: "A", region: "heap", pages: PAGES, advice: "mergeable" },
    { op: "sysfs", file: "pages_to_scan", value: String(8 * PAGES) },
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 4 },
    { op: "snapshot", label: "merged" },
    { op: "write", proc: "A", region: "heap", page: 3, byte: 1 },
    { op: "wait_scans", n: 1 },
    { op: "snapshot", label: "after a write" },
  ],
});
const PROFILE = "linux-6.18";

/** A host with the long scenario loaded, run up to its first wait_scans; the clock moves 1 ms a reading. */
function atTheWait() {
  const h = hostHarness(checksummer, { tickMs: 1 });
  const run = (cmd: Parameters<typeof h.post>[0]) => {
    const id = h.post(cmd);
    while (h.host.busy) h.tick();
    return h.replyTo(id)!;
  };
  expect(run({ type: "load-scenario", text: LONG, profile: PROFILE }).errno).toBeUndefined();
  expect(run({ type: "scenario-step", count: SETUP }).errno).toBeUndefined();
  return { ...h, run };
}

/** Ticks until the host is idle, answering a ping after each: how many it took, and whether every ping was answered. */
function tickWithPings(h: ReturnType<typeof atTheWait>): { ticks: number; pongs: number } {
  let ticks = 0;
  let pongs = 0;
  while (h.host.busy) {
    h.tick();
    ticks++;
    h.host.handle({ type: "ping", id: 0 } as CommandMessage);
    if (h.posted.at(-1)?.type === "pong") pongs++;
  }
  return { ticks, pongs };
}

/** What the CLI prints for the scenario. */
async function cliLines(): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "slices-")), "long.json");
  writeFileSync(file, LONG);
  let text = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const status = await runCli(
    ["--profile", PROFILE, file],
    sink,
    new Writable({ write: (_c, _e, d) => d() }),
    checksummer,
  );
  expect(status).toBe(0);
  return text.trimEnd().split("\n");
}

describe("a long scenario step runs in slices (issue 9)", () => {
  it("one wait_scans takes many slices, and pings are answered between them", () => {
    const h = atTheWait();
    const id = h.post({ type: "scenario-step", count: 1 });
    expect(h.replyTo(id)).toBeUndefined(); // the step goes on after its first slice
    const { ticks, pongs } = tickWithPings(h);
    expect(ticks).toBeGreaterThan(10);
    expect(pongs).toBe(ticks);
    expect(h.replyTo(id)?.errno).toBeUndefined();
    const u = h.latest();
    expect(u.scenario!.next).toBe(SETUP + 1);
    expect(u.snapshot.counters.full_scans).toBeGreaterThanOrEqual(4);
  });

  it("run to the end in slices, it ends as the CLI does", async () => {
    const h = atTheWait();
    const id = h.post({ type: "scenario-step", count: "all" });
    const { ticks, pongs } = tickWithPings(h);
    expect(ticks).toBeGreaterThan(10);
    expect(pongs).toBe(ticks);
    expect(h.replyTo(id)?.errno).toBeUndefined();
    const u = h.latest();
    const cli = await cliLines();
    expect(u.scenario!.lines.map(formatJson)).toEqual(cli);
    const last = JSON.parse(cli.at(-1)!);
    expect(u.snapshot.counters).toMatchObject({
      pages_shared: last.pages_shared,
      pages_sharing: last.pages_sharing,
      full_scans: last.full_scans,
    });
    expect(last.pages_sharing).toBeGreaterThan(PAGES / 2);
  });

  it("cancelled mid-step, a run finishes that step, keeps it whole, and stops there", () => {
    const h = atTheWait();
    const id = h.post({ type: "scenario-step", count: "all" });
    for (let i = 0; i < 20; i++) h.tick(); // well inside the wait_scans
    expect(h.replyTo(id)).toBeUndefined();
    const cancel: Reply = h.run({ type: "cancel" });
    expect(cancel.errno).toBeUndefined();
    expect(h.replyTo(id)).toMatchObject({
      errno: "ECANCELED",
      message: "stopped: what was done so far is kept",
    });
    const u = h.latest();
    expect(u.scenario!.next).toBe(SETUP + 1); // the wait_scans, whole, and nothing after it
    expect(u.snapshot.counters.full_scans).toBe(4);
    expect(u.timeline).toMatchObject({ position: 2, length: 2, label: "ran a scenario step" });
    // The timeline holds what the state is: replayed, the same.
    expect(h.run({ type: "travel", position: 1 }).errno).toBeUndefined();
    expect(h.run({ type: "travel", position: 2 }).errno).toBeUndefined();
    expect(h.latest().snapshot).toEqual(u.snapshot);
    // And the rest runs as if never stopped.
    expect(h.run({ type: "scenario-step", count: "all" }).errno).toBeUndefined();
    expect(h.latest().scenario!.lines).toHaveLength(2);
  });
});
