import { expect, type Locator, type Page, test } from "@playwright/test";
import { caption, loadPreset, openStage, setDrawer, sysfs } from "./helpers";

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** The parts of the stage that must all be in view at once. */
function stageParts(page: Page): Record<string, Locator> {
  const stage = page.getByRole("main", { name: "The stage" });
  return {
    processes: stage.locator(".stage-processes"),
    memory: stage.locator(".stage-memory"),
    "stable tree": stage.getByRole("figure", { name: "Stable tree", exact: true }),
    "unstable tree": stage.getByRole("figure", { name: "Unstable tree" }),
    counters: stage.getByRole("table", { name: /Files in \/sys\/kernel\/mm\/ksm/ }),
    caption: caption(page),
    "step bar": page.getByRole("group", { name: "Step bar" }),
  };
}

type Box = { x: number; y: number; width: number; height: number };

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every part lies inside the viewport and no two overlap (the trees lie inside their box, so not the box). */
async function expectStageFits(page: Page): Promise<void> {
  const view = page.viewportSize()!;
  const boxes: [string, Box][] = [];
  for (const [name, part] of Object.entries(stageParts(page))) {
    await expect(part, name).toBeVisible();
    const b = (await part.boundingBox())!;
    expect(b.x, `${name} left`).toBeGreaterThanOrEqual(0);
    expect(b.y, `${name} top`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${name} right`).toBeLessThanOrEqual(view.width);
    expect(b.y + b.height, `${name} bottom`).toBeLessThanOrEqual(view.height);
    boxes.push([name, b]);
  }
  for (const [i, [a, ba]] of boxes.entries())
    for (const [b, bb] of boxes.slice(i + 1)) expect(overlap(ba, bb), `${a} overlaps ${b}`).toBe(false);
  // Nothing scrolls but inside a panel.
  const scroll = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.scrollHeight,
  ]);
  expect(scroll).toEqual([view.width, view.height]);
}

/** The two-processes preset run to its end, the drawer closed again. */
async function mergedStage(page: Page): Promise<void> {
  await openStage(page);
  await setDrawer(page, true);
  await loadPreset(page, "two-processes-merge.json");
  await page.getByRole("button", { name: "Run to the end" }).click();
  await expect(sysfs(page, "pages_sharing")).toHaveText("6");
  await setDrawer(page, false);
  // One page step, so the caption tells a step of ksmd.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowRight");
  await expect(caption(page)).toContainText("ksmd visits page");
}

test.describe("one stage, no scrolling", () => {
  for (const size of SIZES) {
    test(`everything in view at ${size.width}×${size.height}`, async ({ page }) => {
      await page.setViewportSize(size);
      await mergedStage(page);
      await expectStageFits(page);
      await expect(page).toHaveScreenshot(`stage-${size.width}x${size.height}.png`);
    });
  }

  test("presenter mode at 1920×1080: the picture fills the screen, nothing under 18 px", async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await mergedStage(page);
    await page.keyboard.press("p");
    await expect(page.locator("html.presenter")).toBeAttached();
    await expect(page.getByRole("button", { name: "Lessons & controls" })).toBeHidden();
    await expectStageFits(page);
    // Every visible text on the stage and its foot, HTML and SVG alike, as rendered.
    const small = await page.evaluate(() => {
      const out: string[] = [];
      const roots = document.querySelectorAll(".stage, .stage-foot");
      for (const root of roots) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || !n.textContent?.trim() || el.closest(".sr-only, [hidden], option")) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          const style = getComputedStyle(el);
          if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
          let px = Number.parseFloat(style.fontSize);
          const svg = el.closest("svg");
          if (svg) {
            // SVG text is scaled with its picture: the font size times the scale on screen.
            const m = (el as unknown as SVGGraphicsElement).getScreenCTM?.();
            if (m) px *= Math.hypot(m.a, m.b);
          }
          if (px < 17.5) out.push(`${px.toFixed(1)}px: ${n.textContent.trim().slice(0, 30)}`);
        }
      }
      return out;
    });
    expect(small).toEqual([]);
    await expect(page).toHaveScreenshot("stage-presenter-1920x1080.png");
  });
});

/** Seven values in two processes (seven KSM pages, a stable tree of depth 3), then a third process to look up. */
const SEARCH_SCENARIO = {
  name: "stable-walk",
  description: "a stable tree of seven KSM pages, and a process whose pages ksmd looks up in it",
  memory_frames: 64,
  steps: [
    ...["A", "B"].flatMap((proc) => [
      { op: "spawn", proc },
      { op: "mmap", proc, region: "r", pages: 7 },
      ...[10, 20, 30, 40, 50, 60, 70].map((value, from) => ({
        op: "fill",
        proc,
        region: "r",
        from,
        pages: 1,
        value,
      })),
      { op: "madvise", proc, region: "r", from: 0, pages: 7, advice: "mergeable" },
    ]),
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 3 },
    { op: "spawn", proc: "C" },
    { op: "mmap", proc: "C", region: "r", pages: 3 },
    ...[65, 15, 35].map((value, from) => ({ op: "fill", proc: "C", region: "r", from, pages: 1, value })),
    { op: "madvise", proc: "C", region: "r", from: 0, pages: 3, advice: "mergeable" },
  ],
};

test("step by comparison: stable_tree_search walks the tree one node at a time", async ({ page }) => {
  await openStage(page);
  await setDrawer(page, true);
  await page.locator('input[type="file"]').setInputFiles({
    name: "stable-walk.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(SEARCH_SCENARIO)),
  });
  await page.getByRole("button", { name: "Run to the end" }).click();
  await expect(sysfs(page, "pages_shared")).toHaveText("7");
  await setDrawer(page, false);
  await page.getByRole("radio", { name: "comparison" }).check();
  const stable = page.getByRole("figure", { name: "Stable tree", exact: true });
  const rings = stable.locator('.trees-ring[opacity="1"]');
  // Step pages until one's stable tree search compares with two nodes or more.
  const first = /^Comparison 1 of (\d+) \(stable_tree_search\)/;
  let total = 0;
  for (let i = 0; i < 40 && total < 2; i++) {
    await page.getByRole("button", { name: /^Step forward/ }).click();
    await expect(caption(page)).not.toHaveText("");
    const m = first.exec((await caption(page).textContent()) ?? "");
    total = m ? Number(m[1]) : 0;
  }
  expect(total).toBeGreaterThanOrEqual(2);
  const timeline = await page.locator(".timeline-label").textContent();
  await expect(rings).toHaveCount(1);
  await expect(caption(page)).toContainText(/go (left|right)|equal contents/);
  await page.getByRole("button", { name: /^Step forward/ }).click();
  await expect(caption(page)).toContainText(`Comparison 2 of ${total}`);
  await expect(rings).toHaveCount(2);
  // Comparisons are not actions: the engine's state and its timeline stay where the page step left them.
  await expect(page.locator(".timeline-label")).toHaveText(timeline ?? "");
  await page.getByRole("button", { name: /^Step back/ }).click();
  await expect(caption(page)).toContainText(`Comparison 1 of ${total}`);
  await expect(rings).toHaveCount(1);
});

test("scenario steps advance with the step bar, each with a sentence", async ({ page }) => {
  await openStage(page);
  await setDrawer(page, true);
  await loadPreset(page, "two-processes-merge.json");
  await setDrawer(page, false);
  const forward = page.getByRole("button", { name: /^Step forward/ });
  await expect(page.getByText("the scenario's steps")).toBeVisible();
  await forward.click();
  await expect(caption(page)).toHaveText(/^Process A started as pid 1/);
  for (let i = 0; i < 14; i++) await forward.click();
  await expect(caption(page)).toHaveText(/^Snapshot “second-scan-merged”: pages_shared 2, pages_sharing 6/);
  await expect(page.getByRole("log", { name: "Messages" })).not.toContainText("EAGAIN");
});

test("an idle page sends nothing to the worker", async ({ page }) => {
  await page.addInitScript(() => {
    const sent: string[] = [];
    (window as unknown as { sent: string[] }).sent = sent;
    const post = Worker.prototype.postMessage as (this: Worker, m: unknown, t?: Transferable[]) => void;
    Worker.prototype.postMessage = function (this: Worker, m: { type: string }, t?: Transferable[]) {
      sent.push(m.type);
      post.call(this, m, t);
    } as typeof Worker.prototype.postMessage;
  });
  test.setTimeout(60_000);
  await mergedStage(page);
  // Within 10 s of a change the engine client keeps one session to restart from; then quiet.
  await page.waitForTimeout(11_000);
  await page.evaluate(() => {
    (window as unknown as { sent: string[] }).sent.length = 0;
  });
  await page.waitForTimeout(5000);
  expect(await page.evaluate(() => (window as unknown as { sent: string[] }).sent)).toEqual([]);
});

test("exported pictures carry their titles and legend", async ({ page }) => {
  await mergedStage(page);
  await setDrawer(page, true);
  const picture = page.getByLabel("picture of the");
  const save = async (label: string) => {
    await picture.selectOption({ label });
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "SVG", exact: true }).click();
    const { readFileSync } = await import("node:fs");
    return readFileSync((await (await download).path())!, "utf8");
  };
  const trees = await save("stable and unstable trees");
  expect(trees).toContain(">Stable tree</text>");
  expect(trees).toContain(">Unstable tree</text>");
  const chart = await save("counters chart");
  expect(chart).toContain(">Counters per full scan</text>");
  for (const series of ["pages_shared", "pages_sharing", "pages_unshared", "pages_volatile"])
    expect(chart).toContain(`>${series}</text>`);
});

test("a large machine's memory zooms, with a minimap of all of it", async ({ page }) => {
  await openStage(page);
  await setDrawer(page, true);
  const big = {
    name: "big",
    memory_frames: 8192,
    steps: [
      { op: "spawn", proc: "A" },
      { op: "mmap", proc: "A", region: "r", pages: 6000 },
      { op: "fill", proc: "A", region: "r", from: 0, pages: 6000, value: 7 },
    ],
  };
  await page.locator('input[type="file"]').setInputFiles({
    name: "big.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(big)),
  });
  await page.getByRole("button", { name: "Run to the end" }).click();
  await setDrawer(page, false);
  const memory = page.getByRole("region", { name: "Physical memory" });
  const grid = memory.locator("canvas.frames-base");
  await expect(memory.getByRole("button", { name: "fit" })).toHaveAttribute("aria-pressed", "true");
  const fitted = Number(await grid.getAttribute("height"));
  await memory.getByRole("button", { name: "16 px" }).click();
  await expect.poll(async () => Number(await grid.getAttribute("height"))).toBeGreaterThan(fitted);
  // The grid scrolls inside its box; the minimap outlines the part in view and jumps where clicked.
  const scroller = memory.locator(".frames-scroll");
  const view = memory.locator(".memory-mini-view");
  const minimap = memory.getByRole("button", { name: /^Minimap of all of physical memory/ });
  const box = (await minimap.boundingBox())!;
  await minimap.click({ position: { x: box.width / 2, y: box.height - 2 } });
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  const frame = (await view.boundingBox())!;
  expect(frame.height).toBeLessThan(box.height);
  expect(frame.y + frame.height).toBeGreaterThan(box.y + box.height / 2);
});
