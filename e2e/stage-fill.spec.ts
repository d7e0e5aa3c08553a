import { expect, type Page, test } from "@playwright/test";
import { open, runScenario, setDrawer, sysfs, walk } from "./helpers";
import { expectEveryPageInSight, expectStageFits, mergedStage, smallTexts, svgTextSizes } from "./stageFit";

/*
 * The stage's pictures use the screen they are given: in presenter mode both
 * trees fit their boxes at 18 px or more; on a big screen the pictures grow.
 */

interface Rect {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Each tree's drawn texts (node labels, pids, sharers, "+N nodes") that lie
 * outside their tree's box or the viewport, and each box that would scroll.
 */
async function treeTextsOutside(
  page: Page,
): Promise<{ outside: string[]; texts: number; scrolled: string[] }> {
  return await page.evaluate(() => {
    const outside: string[] = [];
    const scrolled: string[] = [];
    let texts = 0;
    const inside = (r: Rect, box: Rect) =>
      r.top >= box.top - 0.5 &&
      r.bottom <= box.bottom + 0.5 &&
      r.left >= box.left - 0.5 &&
      r.right <= box.right + 0.5;
    const view = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
    for (const canvas of document.querySelectorAll<HTMLElement>(".stage .trees-canvas")) {
      const name = canvas.closest("figure")?.querySelector("h2")?.textContent ?? "?";
      if (canvas.scrollHeight > canvas.clientHeight + 1 || canvas.scrollWidth > canvas.clientWidth + 1)
        scrolled.push(
          `${name}: ${canvas.scrollWidth}×${canvas.scrollHeight} in ${canvas.clientWidth}×${canvas.clientHeight}`,
        );
      const box = canvas.getBoundingClientRect();
      for (const t of canvas.querySelectorAll<SVGTextElement>("g.trees-item text")) {
        const r = t.getBoundingClientRect();
        if (!t.textContent?.trim() || r.width === 0 || t.closest("[display='none']")) continue;
        texts++;
        if (!inside(r, box) || !inside(r, view))
          outside.push(
            `${name} "${t.textContent}" at ${Math.round(r.top)}–${Math.round(r.bottom)}, box ${Math.round(box.top)}–${Math.round(box.bottom)}`,
          );
      }
    }
    return { outside, texts, scrolled };
  });
}

test("presenter mode at 1920×1080, lesson 3 walked to its end: both trees whole in their boxes, text ≥ 18 px", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await open(page);
  await walk(page, /^3\. The unstable tree/);
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("p");
  await expect(page.locator("html.presenter")).toBeAttached();
  const unstable = page.getByRole("main").getByRole("figure", { name: "Unstable tree" });
  // The unstable tree holds the lesson's candidates, each with its pid under it.
  await expect(unstable.locator(".trees-sub", { hasText: /^pid \d+$/ }).first()).toBeVisible();
  await expectStageFits(page);
  const { outside, texts, scrolled } = await treeTextsOutside(page);
  expect(texts).toBeGreaterThan(4);
  expect(outside).toEqual([]);
  expect(scrolled).toEqual([]);
  expect(await smallTexts(page)).toEqual([]);
});

/** What grows with the screen: a frame cell's pitch, a page tile's width, a tree label's size on screen (CSS px). */
async function pictureSizes(page: Page): Promise<{ pitch: number; tile: number; label: number }> {
  const main = page.getByRole("main");
  const pitch = Number(await main.locator("canvas.frames-base").getAttribute("data-pitch"));
  const tile = (await main.locator(".pv-page").first().boundingBox())!.width;
  const [label] = await svgTextSizes(
    main.getByRole("figure", { name: "Stable tree", exact: true }).locator("text.trees-label").first(),
  );
  return { pitch, tile, label: label.px };
}

test("a big screen's pictures grow past a laptop's and fill the stage's height", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await mergedStage(page);
  const laptop = await pictureSizes(page);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect.poll(async () => (await pictureSizes(page)).pitch).toBeGreaterThan(laptop.pitch);
  const big = await pictureSizes(page);
  expect(big.tile).toBeGreaterThan(laptop.tile);
  expect(big.label).toBeGreaterThan(laptop.label);
  expect(big.label).toBeGreaterThanOrEqual(17.5);
  await expectStageFits(page);
  // No empty band: the boxes reach the stage's foot, and memory's grid takes most of its box.
  const main = page.getByRole("main");
  const stage = (await main.boundingBox())!;
  for (const part of [".stage-memory", ".stage-trees", ".stage-counters"]) {
    const b = (await main.locator(part).boundingBox())!;
    expect(stage.y + stage.height - (b.y + b.height), part).toBeLessThan(16);
  }
  const box = (await main.locator(".stage-memory").boundingBox())!;
  const grid = (await main.locator("canvas.frames-base").boundingBox())!;
  const below = box.y + box.height - grid.y;
  expect(grid.height / below > 0.75 || grid.width / box.width > 0.9).toBe(true);
});

/** Four processes: A's 600 pages and D's 40 drawn on canvas (the first too many, the last over the page-button budget), B's and C's 500 as buttons. */
const LARGE_MAPPINGS = {
  name: "large-mappings",
  description: "a large mapping, and a mapping over the page-button budget, both drawn on canvas",
  memory_frames: 2048,
  steps: [
    ...(
      [
        ["A", 600],
        ["B", 500],
        ["C", 500],
        ["D", 40],
      ] as const
    ).flatMap(([proc, pages]) => [
      { op: "spawn", proc },
      { op: "mmap", proc, region: "r", pages },
      { op: "fill", proc, region: "r", from: 0, pages: pages / 2, value: 1 },
      { op: "fill", proc, region: "r", from: pages / 2, pages: pages / 2, value: 2 },
      { op: "madvise", proc, region: "r", from: 0, pages, advice: "mergeable" },
    ]),
    { op: "sysfs", file: "pages_to_scan", value: "2000" },
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 1 },
  ],
};

test("presenter mode enlarges a mapping drawn on canvas, with its rmap_item letters where they fit", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await open(page);
  await runScenario(page, LARGE_MAPPINGS);
  await setDrawer(page, false);
  const canvases = page.getByRole("main").locator("canvas.pv-canvas");
  await expect(canvases).toHaveCount(2);
  const sizes = async () =>
    await canvases.evaluateAll((els) =>
      els.map((el) => ({ pitch: Number(el.dataset.pitch), letter: Number(el.dataset.letterPx) })),
    );
  const [big, small] = await sizes();
  expect(big.letter).toBe(0);
  expect(small.letter).toBe(0);
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("p");
  await expect(page.locator("html.presenter")).toBeAttached();
  await expect.poll(async () => (await sizes())[0].pitch).toBeGreaterThan(big.pitch);
  const [bigP, smallP] = await sizes();
  expect(bigP.pitch).toBeGreaterThanOrEqual(1.5 * big.pitch);
  expect(smallP.pitch).toBeGreaterThanOrEqual(26);
  expect(smallP.letter).toBeGreaterThanOrEqual(18);
});

test("on a laptop's screen the counters fit their box, the chart taking the height left", async ({
  page,
}) => {
  for (const [width, height] of [
    [1366, 768],
    [1280, 720],
  ]) {
    await page.setViewportSize({ width, height });
    await mergedStage(page);
    const counters = page.getByRole("main").locator(".stage-counters");
    expect(
      await counters.evaluate((el) => el.scrollHeight - el.clientHeight),
      `${width}×${height}`,
    ).toBeLessThanOrEqual(1);
    const box = await counters.boundingBox();
    const chart = await counters.getByRole("img", { name: /^Counters per full scan/ }).boundingBox();
    if (!box || !chart) throw new Error("no counters box or chart");
    expect(chart.y + chart.height, `${width}×${height}`).toBeLessThanOrEqual(box.y + box.height);
    expect(chart.height, `${width}×${height}`).toBeGreaterThanOrEqual(100);
  }
});

test.describe("1280×720, the smallest screen", () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test("beside the drawer and the event log: counters whole, memory cells readable", async ({ page }) => {
    await mergedStage(page);
    await setDrawer(page, true);
    await page.getByRole("tab", { name: "Event log" }).click();
    await expectStageFits(page, {
      drawer: page.getByRole("complementary", { name: "Lessons and controls" }),
      "event log": page.getByRole("tabpanel", { name: "Event log" }),
    });
    await expectEveryPageInSight(page, 2);
    const main = page.getByRole("main");
    for (const part of [".stage-counters", ".stage-trees", ".stage-memory"])
      expect(
        await main.locator(part).evaluate((el) => el.scrollHeight - el.clientHeight),
        part,
      ).toBeLessThanOrEqual(1);
    const pitch = Number(await main.locator("canvas.frames-base").getAttribute("data-pitch"));
    expect(pitch).toBeGreaterThanOrEqual(18);
    await expect(sysfs(page, "pages_sharing")).toBeInViewport();
  });
});
