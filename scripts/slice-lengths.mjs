#!/usr/bin/env node
/**
 * How long the worker goes without answering while a scenario runs a long
 * wait_scans, headless (the worker's EngineHost in Node, real clock):
 *   npx tsx scripts/slice-lengths.mjs [--pages 65536] [--scans 4] [--pages-to-scan 100] [--profile linux-2.6.32]
 * A scenario maps --pages pages (the bench's pattern: even pages in groups of
 * four equal ones, odd pages unique), advises them mergeable, starts ksmd and
 * waits --scans full scans; the app's "Run to the end" is sent and the host
 * ticked as the worker does until it answers. Prints one JSON line: the
 * slices (synchronous runs of the host), the longest and the median (ms),
 * the whole run (s), and the final counters. The worker's watchdog stops a
 * worker silent for 5,000 ms.
 */
import { loadChecksummer } from "../src/engine/index.ts";
import { EngineHost } from "../src/worker/host.ts";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const PAGES = Number(arg("--pages", "65536"));
const SCANS = Number(arg("--scans", "4"));
const PAGES_TO_SCAN = arg("--pages-to-scan", "100");
const PROFILE = arg("--profile", "linux-2.6.32");

const steps = [
  { op: "spawn", proc: "A" },
  { op: "mmap", proc: "A", region: "heap", pages: PAGES },
];
for (let i = 0; i < PAGES; i++)
  steps.push({
    op: "fill",
    proc: "A",
    region: "heap",
    from: i,
    pages: 1,
    value: i % 2 === 0 ? Math.floor(i / 8) + 1 : (0x8000_0000 | i) >>> 0,
  });
steps.push(
  { op: "madvise", proc: "A", region: "heap", pages: PAGES, advice: "mergeable" },
  { op: "sysfs", file: "pages_to_scan", value: PAGES_TO_SCAN },
  { op: "sysfs", file: "sleep_millisecs", value: "0" },
  { op: "sysfs", file: "run", value: "1" },
  { op: "wait_scans", n: SCANS },
  { op: "snapshot", label: "end" },
);
const text = JSON.stringify({ name: "long wait", memory_frames: PAGES + PAGES / 8 + 64, steps });

const posted = [];
const host = new EngineHost(
  await loadChecksummer(),
  (m) => posted.push(m),
  () => performance.now(),
);
host.flush();
let id = 0;
/** Send a command and tick until it is answered; the length of every synchronous run (ms). */
function send(cmd) {
  const mine = ++id;
  const slices = [];
  let t = performance.now();
  host.handle({ ...cmd, id: mine });
  slices.push(performance.now() - t);
  while (host.busy) {
    t = performance.now();
    host.tick();
    slices.push(performance.now() - t);
  }
  const reply = posted.find((m) => m.type === "reply" && m.id === mine);
  if (reply?.errno) throw new Error(`${cmd.type}: ${reply.errno} ${reply.message ?? ""}`);
  host.handle({ type: "ack", id: ++id });
  return slices;
}

send({ type: "load-scenario", text, profile: PROFILE });
const t0 = performance.now();
const slices = send({ type: "scenario-step", count: "all" });
const seconds = (performance.now() - t0) / 1000;
const longestAt = slices.indexOf(Math.max(...slices));
// The last one also records the run in the timeline and sends the picture: its length is the machine's, not the run's.
const midRun = Math.max(...slices.slice(0, -1));
const line = posted
  .filter((m) => m.type === "update")
  .at(-1)
  ?.scenario?.lines.at(-1);
slices.sort((a, b) => a - b);
const ms = (x) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    pages: PAGES,
    scans: SCANS,
    pages_to_scan: Number(PAGES_TO_SCAN),
    profile: PROFILE,
    slices: slices.length,
    longest_slice_ms: ms(slices.at(-1)),
    longest_is:
      longestAt === slices.length - 1 ? "the last (recording and the update)" : `slice ${longestAt}`,
    longest_before_the_last_ms: ms(midRun),
    median_slice_ms: ms(slices[slices.length >> 1]),
    run_s: Math.round(seconds * 10) / 10,
    pages_shared: line?.pages_shared,
    pages_sharing: line?.pages_sharing,
    full_scans: line?.full_scans,
  }),
);
