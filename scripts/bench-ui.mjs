#!/usr/bin/env node
/**
 * The app's speed in headless Chromium (Debian's /usr/bin/chromium):
 *   npm run build && node scripts/bench-ui.mjs [--frames 65536] [--seconds 5] [--warmup-ms 1000] [--port 4179]
 * Serves dist/ with `vite preview`, loads a scenario that fills a 65,536-frame
 * machine with four processes, plays ksmd as fast as possible, and measures
 * the main thread's frame intervals (requestAnimationFrame) and how long a
 * click on a tree node takes to be drawn selected. Prints one JSON line.
 *
 * Two phases, measured apart: the merge wave (from Play until pages_sharing has
 * stayed the same for SETTLED_MS: ksmd merges 58,000 pages in its first scans,
 * and the pictures catch up), reported as `merge_wave`; then, after the warm-up,
 * flat-out play on the merged machine for --seconds (the figures at the top).
 * A fixed delay after Play would end inside the wave on one machine and after
 * it on another, and the figures would measure where it fell.
 */
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";
import { uiWorkload } from "./ui-workload.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const FRAMES = arg("--frames", 65536);
const SECONDS = arg("--seconds", 5);
const PORT = arg("--port", 4179);
// How long ksmd plays after the merge wave before measuring.
const WARMUP_MS = arg("--warmup-ms", 1000);
// The merge wave has ended when pages_sharing has not changed for this long.
const SETTLED_MS = 750;

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Frame intervals (ms) summed up: percentiles, the longest, and the share over 20 ms. */
function intervalFigures(intervals) {
  const ms = (x) => Number(x.toFixed(1));
  return {
    animation_frames: intervals.length,
    frame_interval_p50_ms: ms(percentile(intervals, 50)),
    frame_interval_p95_ms: ms(percentile(intervals, 95)),
    frame_interval_p99_ms: ms(percentile(intervals, 99)),
    frame_interval_max_ms: ms(Math.max(...intervals)),
    frames_over_20ms_pct: ms((100 * intervals.filter((x) => x > 20).length) / intervals.length),
  };
}

const server = spawn(
  "npx",
  ["vite", "preview", "--host", "127.0.0.1", "--port", String(PORT), "--strictPort"],
  // Its own process group, so that killing it also ends vite (npx does not pass the signal on).
  { stdio: ["ignore", "pipe", "inherit"], detached: true },
);
try {
  await new Promise((resolve, reject) => {
    server.stdout.on("data", (d) => String(d).includes(String(PORT)) && resolve());
    server.on("exit", (code) => reject(new Error(`vite preview exited with ${code}`)));
    setTimeout(() => reject(new Error("vite preview did not start")), 30_000);
  });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // Count the worker's messages (updates, mostly) as the page receives them.
  await page.addInitScript(() => {
    const Base = window.Worker;
    window.__updates = 0;
    window.Worker = class extends Base {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (e) => e.data?.type === "update" && window.__updates++);
      }
    };
  });
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.locator('[data-ready="true"]').waitFor();
  // The scenario form lives in the drawer beside the stage; it is closed again to measure the stage alone.
  const drawer = page.getByRole("button", { name: "Lessons & controls" });
  await drawer.click();
  await page.locator('input[type="file"]').setInputFiles({
    name: "ui-benchmark.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(uiWorkload(FRAMES))),
  });
  await page.getByRole("button", { name: "Run to the end" }).click();
  await page
    .getByText(/step \d+ of \d+/)
    .filter({ hasText: /step (\d+) of \1/ })
    .waitFor({ timeout: 120_000 });
  await drawer.click();
  await page.getByLabel("speed").selectOption("max");
  /** A counter as the /sys/kernel/mm/ksm table shows it. */
  const counter = async (file) =>
    Number(
      await page
        .getByRole("row")
        .filter({ has: page.getByText(file, { exact: true }) })
        .locator(".ksm-value")
        .textContent(),
    );
  // The merge wave: frame intervals from Play until pages_sharing settles.
  await page.evaluate(() => {
    window.__wave = [];
    window.__waveOn = true;
    let last = performance.now();
    const tick = (t) => {
      window.__wave.push(t - last);
      last = t;
      if (window.__waveOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.getByRole("button", { name: "Play" }).click();
  const waveStart = Date.now();
  for (let seen = await counter("pages_sharing"), since = Date.now(); Date.now() - since < SETTLED_MS; ) {
    await page.waitForTimeout(100);
    const now = await counter("pages_sharing");
    if (now !== seen || now === 0) [seen, since] = [now, Date.now()];
    if (Date.now() - waveStart > 120_000) throw new Error("ksmd's merge wave did not settle in 2 minutes");
  }
  const wave = await page.evaluate(() => {
    window.__waveOn = false;
    return window.__wave;
  });
  const waveSeconds = (Date.now() - waveStart) / 1000;
  await page.waitForTimeout(WARMUP_MS);

  // Where the main thread's time goes while measuring: Chromium's counters, before and after.
  const metricsCdp = await page.context().newCDPSession(page);
  await metricsCdp.send("Performance.enable");
  const metrics = async () =>
    Object.fromEntries(
      (await metricsCdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]),
    );
  const before = await metrics();
  // TRACE=file.json records a Chromium trace (open it in DevTools' Performance panel).
  if (process.env.TRACE)
    await browser.startTracing(page, {
      path: process.env.TRACE,
      categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink"],
    });
  const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.start");
  }
  const scansBefore = await counter("full_scans");
  const updatesBefore = await page.evaluate(() => window.__updates);
  const intervals = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const end = last + ms;
        const tick = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve(out);
        };
        requestAnimationFrame(tick);
      }),
    SECONDS * 1000,
  );
  const after = await metrics();
  const updates = (await page.evaluate(() => window.__updates)) - updatesBefore;
  if (process.env.TRACE) await browser.stopTracing();
  const delta = (name) => after[name] - before[name];
  const perSecond = (name, scale = 1) => Number(((delta(name) * scale) / SECONDS).toFixed(1));
  const mainThread = {
    layouts_per_s: perSecond("LayoutCount"),
    style_recalcs_per_s: perSecond("RecalcStyleCount"),
    layout_ms_per_s: perSecond("LayoutDuration", 1000),
    style_ms_per_s: perSecond("RecalcStyleDuration", 1000),
    script_ms_per_s: perSecond("ScriptDuration", 1000),
    task_ms_per_s: perSecond("TaskDuration", 1000),
    dom_nodes: after.Nodes,
  };
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  }
  const scansAfter = await counter("full_scans");

  // Click a node of the stable tree and wait until the views have drawn it selected.
  const node = page.getByRole("button", { name: /^stable node \d+/ }).first();
  const clicks = [];
  for (let i = 0; i < 5; i++) {
    const ms = await node.evaluate(
      (el) =>
        new Promise((resolve) => {
          const t0 = performance.now();
          el.dispatchEvent(new MouseEvent("click", { bubbles: true }));
          const check = () => {
            if (el.getAttribute("aria-pressed") === "true")
              requestAnimationFrame(() => resolve(performance.now() - t0));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    clicks.push(ms);
    await page.keyboard.press("Escape"); // clear the selection
    await page.waitForTimeout(300);
  }
  await browser.close();
  console.log(
    JSON.stringify({
      frames: FRAMES,
      seconds: SECONDS,
      ...intervalFigures(intervals),
      updates_per_s: Number((updates / SECONDS).toFixed(1)),
      click_to_highlight_ms: Number(percentile(clicks, 50).toFixed(1)),
      click_to_highlight_max_ms: Number(Math.max(...clicks).toFixed(1)),
      full_scans_while_measuring: scansAfter - scansBefore,
      main_thread: mainThread,
      merge_wave: { seconds: Number(waveSeconds.toFixed(1)), ...intervalFigures(wave) },
    }),
  );
} finally {
  if (server.exitCode === null) process.kill(-server.pid);
}
