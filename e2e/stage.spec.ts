import { expect, type Locator, test } from "@playwright/test";
import { caption, loadPreset, open, openStage, runScenario, setDrawer, startProcess, sysfs } from "./helpers";
import { expectEveryPageInSight, expectStageFits, mergedStage, overlap, SIZES, smallTexts } from "./stageFit";

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
    expect(await smallTexts(page)).toEqual([]);
    // The pictures scale, not only the text: the page tiles show their rmap_item letters (measured
    // above with every text), and the frames' canvas draws its mapcounts at 18 px or more.
    const letters = page.getByRole("main").locator(".pv-rmap");
    await expect(letters).toHaveCount(8);
    for (const letter of await letters.all()) await expect(letter).toBeVisible();
    const frames = page.getByRole("main").locator("canvas.frames-base");
    expect(Number(await frames.getAttribute("data-label-px"))).toBeGreaterThanOrEqual(18);
    await expect(page).toHaveScreenshot("stage-presenter-1920x1080.png");
  });
});

test.describe("panels take columns of their own beside the stage", () => {
  for (const size of SIZES) {
    test(`the drawer at ${size.width}×${size.height}: the counters keep their ratios and chart`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await mergedStage(page);
      await setDrawer(page, true);
      await expectStageFits(page, {
        drawer: page.getByRole("complementary", { name: "Lessons and controls" }),
      });
      const counters = page.getByRole("main").getByRole("region", { name: "Counters" });
      const inside = async (what: Locator, name: string) => {
        const c = (await counters.boundingBox())!;
        const b = (await what.boundingBox())!;
        expect(b.y, `${name} top`).toBeGreaterThanOrEqual(c.y);
        expect(b.y + b.height, `${name} bottom`).toBeLessThanOrEqual(c.y + c.height);
        expect(b.x + b.width, `${name} right`).toBeLessThanOrEqual(c.x + c.width);
      };
      for (const ratio of await counters.locator("[data-ratio]").all()) {
        await expect(ratio).toBeVisible();
        await inside(ratio, `ratio ${await ratio.getAttribute("data-ratio")}`);
      }
      // The chart's legend and plot are drawn in the column's view (its axis label may need a scroll at 720 px).
      const chart = counters.locator(".ksm-chart");
      await expect(chart).toBeVisible();
      await inside(chart.getByRole("list", { name: "Legend" }), "chart legend");
      await expect(chart.locator(".ksm-chart-box svg")).toBeInViewport({
        ratio: size.height < 768 ? 0.3 : 0.9,
      });
    });

    test(`an open side panel at ${size.width}×${size.height}: the stage narrows, nothing covered`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await mergedStage(page);
      await page.getByRole("tab", { name: "Event log" }).click();
      await expectStageFits(page, { "event log": page.getByRole("tabpanel", { name: "Event log" }) });
      await expectEveryPageInSight(page, 2);
    });
  }

  test("lesson 4's code beat at 1366×768: the code beside the trees it explains, every process in sight", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await open(page);
    await page.getByRole("button", { name: /^4\. The stable tree/ }).click();
    const lessons = page.getByRole("region", { name: "Lessons" });
    const code = page.getByRole("tab", { name: "Kernel code" });
    // Answer each question with its first choice and go on, until the beat that shows the code.
    for (let beat = 0; beat < 6 && (await code.getAttribute("aria-selected")) !== "true"; beat++) {
      const question = lessons.getByRole("group", { name: /^Predict:/ });
      if (await question.isVisible()) await question.getByRole("radio").first().check();
      const before = await lessons.locator(".lesson-progress").textContent();
      await lessons.getByRole("button", { name: /^Next/ }).click();
      await expect(lessons.locator(".lesson-progress")).not.toHaveText(before ?? "");
    }
    await expect(code).toHaveAttribute("aria-selected", "true");
    const panel = page.getByRole("tabpanel", { name: "Kernel code" });
    await expect(lessons.getByText(/D's X merged in its very first scan/)).toBeVisible();
    await expectStageFits(page, {
      "code panel": panel,
      drawer: page.getByRole("complementary", { name: "Lessons and controls" }),
    });
    // D, the process the beat is about, is in sight with the other three.
    await expectEveryPageInSight(page, 4);
    // The trees' column is the one next to the code: no other picture between them.
    const trees = (await page.getByRole("main").locator(".stage-trees").boundingBox())!;
    const p = (await panel.boundingBox())!;
    expect(p.x - (trees.x + trees.width)).toBeGreaterThanOrEqual(0);
    expect(p.x - (trees.x + trees.width)).toBeLessThan(24);
  });

  for (const size of SIZES.slice(0, 2)) {
    test(`four 16-page guests beside the drawer at ${size.width}×${size.height}: every page in sight, none scrolled`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await open(page);
      for (let i = 1; i <= 4; i++) {
        await startProcess(page, /^VM guest/, { advise: true });
        await expect(page.getByRole("main").locator(".pv-process")).toHaveCount(i);
      }
      await expectStageFits(page, {
        drawer: page.getByRole("complementary", { name: "Lessons and controls" }),
      });
      await expectEveryPageInSight(page, 4);
      const main = page.getByRole("main");
      const box = main.locator(".stage-processes");
      expect(await box.evaluate((el) => el.scrollHeight - el.clientHeight)).toBeLessThanOrEqual(1);
      // Memory under them keeps cells large enough to tell apart (128 frames in sight).
      expect(
        Number(await main.locator("canvas.frames-base").getAttribute("data-pitch")),
      ).toBeGreaterThanOrEqual(14);
    });
  }
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
  await runScenario(page, SEARCH_SCENARIO);
  await expect(sysfs(page, "pages_shared")).toHaveText("7");
  await setDrawer(page, false);
  await page.getByRole("radio", { name: "comparison" }).check();
  const stable = page.getByRole("figure", { name: "Stable tree", exact: true });
  const rings = stable.locator('.trees-ring[stroke-opacity="1"]');
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
  await runScenario(page, big);
  await setDrawer(page, false);
  const memory = page.getByRole("region", { name: "Physical memory" });
  const grid = memory.locator("canvas.frames-base");
  await expect(memory.getByRole("button", { name: "fit" })).toHaveAttribute("aria-pressed", "true");
  // The zoom buttons and minimap keep a column of their own: over neither the key nor the grid.
  const controls = (await memory.locator(".memory-map").boundingBox())!;
  for (const part of [
    memory.locator(".frames-legend"),
    memory.locator(".frames-scroll"),
    memory.getByRole("heading"),
  ])
    expect(overlap((await part.first().boundingBox())!, controls)).toBe(false);
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
