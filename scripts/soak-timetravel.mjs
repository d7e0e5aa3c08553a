#!/usr/bin/env node
/**
 * Time travel after a long run, headless (the worker's EngineHost in Node, no browser):
 *   npx tsx scripts/soak-timetravel.mjs [--minutes 15] [--frames 65536] [--profile linux-2.6.32] [--budget-mib N]
 * Loads the UI benchmark's workload (scripts/ui-workload.mjs), plays ksmd as
 * fast as possible for the given minutes, ticking as the worker does and
 * acknowledging every update at once, then pauses and times one step back,
 * a second step back, a jump to the middle of the history and one back to
 * its end. Prints a progress line a minute and one JSON line of figures:
 * the times (ms), the longest tick while playing (the engine's longest stall),
 * the timeline's checkpoints and the process memory (MiB; run with
 * --expose-gc through NODE_OPTIONS to measure after a collection).
 */
import { loadChecksummer } from "../src/engine/index.ts";
import { EngineHost } from "../src/worker/host.ts";
import { LIMITS } from "../src/worker/timeline.ts";
import { uiWorkload } from "./ui-workload.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const MINUTES = Number(arg("--minutes", "15"));
const FRAMES = Number(arg("--frames", "65536"));
const PROFILE = arg("--profile", "linux-2.6.32");
// To try another checkpoint budget than the app's (MiB).
const BUDGET_MIB = arg("--budget-mib", "");
const MiB = (n) => Math.round(n / 2 ** 20);

function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {
    rss: MiB(m.rss),
    heap: MiB(m.heapUsed),
    array_buffers: MiB(m.arrayBuffers),
    external: MiB(m.external),
  };
}

const replies = new Map();
let latest = null;
let host;
const post = (msg) => {
  if (msg.type === "reply") replies.set(msg.id, msg);
  else if (msg.type === "update") {
    latest = msg;
    queueMicrotask(() => host.handle({ type: "ack", id: 0 }));
  } else if (msg.type === "error") console.error(`worker error: ${msg.message}`);
};
const limits = BUDGET_MIB ? { ...LIMITS, budget: () => Number(BUDGET_MIB) * 2 ** 20 } : LIMITS;
host = new EngineHost(await loadChecksummer(), post, () => performance.now(), limits);
let id = 0;
/** Send a command and wait for its reply, running the host's slices back to back as the worker does while busy. */
const send = (cmd) => {
  host.handle({ ...cmd, id: ++id });
  while (!replies.has(id)) host.tick();
  const r = replies.get(id);
  replies.delete(id);
  if (r.errno) throw new Error(`${cmd.type}: ${r.message}`);
  return r;
};
const timed = (cmd) => {
  const t0 = performance.now();
  send(cmd);
  return Math.round(performance.now() - t0);
};
const timeline = () => host.timeline; // private, read for the figures only
const checkpoints = () => timeline().checkpointPositions;

send({ type: "load-scenario", text: JSON.stringify(uiWorkload(FRAMES)), profile: PROFILE });
send({ type: "scenario-step", count: "all" });
send({ type: "clock", playing: true, speed: "max" });
const started = performance.now();
const end = started + MINUTES * 60_000;
let longestTickMs = 0;
let nextReport = started + 60_000;
await new Promise((resolve) => {
  const loop = () => {
    const t0 = performance.now();
    host.tick();
    const t1 = performance.now();
    longestTickMs = Math.max(longestTickMs, t1 - t0);
    if (t1 - t0 > 200 && process.env.SOAK_DEBUG)
      console.error(`tick of ${Math.round(t1 - t0)} ms at position ${timeline().position}`);
    if (t1 >= nextReport) {
      nextReport += 60_000;
      const c = checkpoints();
      console.error(
        `${Math.round((t1 - started) / 60_000)} min: position ${timeline().position}, ` +
          `${latest?.snapshot.counters.full_scans} full scans, ${c.length} checkpoints (last at ${c.at(-1)}), ` +
          `${MiB(timeline().bytes ?? 0)} of ${MiB(timeline().budget ?? 0)} MiB, ` +
          `longest tick ${Math.round(longestTickMs)} ms, ${JSON.stringify(memory())}`,
      );
    }
    if (t1 >= end) resolve();
    else setTimeout(loop, 4); // as the worker does while playing
  };
  loop();
});
send({ type: "clock", playing: false, speed: "max" });
await new Promise((r) => setTimeout(r, 0));

const length = timeline().entries.length;
const first = timeline().first ?? 0; // where the history still reachable starts
const played = {
  position: length,
  full_scans: latest.snapshot.counters.full_scans,
  checkpoints: checkpoints(),
};
const memoryPlaying = memory();
const stepBackMs = timed({ type: "travel", position: length - 1 });
const secondStepBackMs = timed({ type: "travel", position: length - 2 });
const middle = Math.floor((first + length) / 2);
const jumpToMiddleMs = timed({ type: "travel", position: middle });
const backToEndMs = timed({ type: "travel", position: length });
console.log(
  JSON.stringify({
    minutes: MINUTES,
    frames: FRAMES,
    profile: PROFILE,
    timeline_length: played.position,
    history_starts_at: first,
    full_scans: played.full_scans,
    checkpoints: played.checkpoints.length,
    last_checkpoint_at: played.checkpoints.at(-1),
    checkpoints_mib: played.mib,
    checkpoint_budget_mib: MiB(timeline().budget ?? 0),
    longest_tick_ms: Math.round(longestTickMs),
    step_back_ms: stepBackMs,
    second_step_back_ms: secondStepBackMs,
    jump_to_middle_ms: jumpToMiddleMs,
    back_to_end_ms: backToEndMs,
    memory_mib_after_playing: memoryPlaying,
    memory_mib_after_travel: memory(),
    frames_mib: MiB(FRAMES * 4096),
  }),
);
