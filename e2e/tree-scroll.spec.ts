import { expect, type Page, test } from "@playwright/test";
import { open, runScenario } from "./helpers";

/*
 * A stable tree too wide for its box scrolls sideways. As ksmd merges more
 * pages the tree grows on both sides of its root; the root stays in the
 * middle of the box until the student scrolls the tree themselves.
 */

const PAGES = 160;
const FIRST = 120;
const STEP = 4;

/**
 * Two processes with 160 pages of distinct contents each: page i holds 160 − i
 * (below 256, so the tree orders pages by that value). The scenario advises the
 * first 120 of each and lets ksmd merge them: 120 stable nodes. The test then
 * advises 4 more at a time, each smaller than every node so far, so the tree
 * grows on its left under the same root.
 */
const GROWING_TREE = {
  name: "growing-stable-tree",
  description: "a stable tree of 120 nodes that grows on its left",
  memory_frames: 1024,
  steps: [
    ...["A", "B"].flatMap((proc) => [
      { op: "spawn", proc },
      { op: "mmap", proc, region: "r", pages: PAGES },
      ...Array.from({ length: PAGES }, (_, from) => ({
        op: "fill",
        proc,
        region: "r",
        from,
        pages: 1,
        value: PAGES - from,
      })),
      { op: "madvise", proc, region: "r", from: 0, pages: FIRST, advice: "mergeable" },
    ]),
    { op: "sysfs", file: "pages_to_scan", value: "1000" },
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 2 },
  ],
};

const stableTree = (page: Page) =>
  page.getByRole("main").getByRole("figure", { name: "Stable tree", exact: true });

/** Where the root node's centre is, in CSS px from the tree box's left edge, and the box's width. */
async function rootInBox(page: Page): Promise<{ x: number; width: number; label: string | null }> {
  return await stableTree(page)
    .locator(".trees-canvas")
    .evaluate((canvas) => {
      const box = canvas.getBoundingClientRect();
      const nodes = canvas.querySelectorAll("g.trees-node");
      // The root is the one node no tree link ends at: the highest on the picture.
      let top: DOMRect | null = null;
      let label: string | null = null;
      for (const n of nodes) {
        const r = n.getBoundingClientRect();
        if (!top || r.top < top.top) [top, label] = [r, n.getAttribute("aria-label")];
      }
      return { x: top ? top.left + top.width / 2 - box.left : Number.NaN, width: box.width, label };
    });
}

/** Advise pages from..from+STEP of both processes, then step ksmd two full scans, which merge them. */
async function mergeMore(page: Page, from: number): Promise<void> {
  const form = page.getByRole("form", { name: "madvise" });
  for (const label of ["A (pid 1)", "B (pid 2)"]) {
    await page.getByRole("combobox", { name: "process", exact: true }).selectOption({ label });
    await form.getByLabel("from page").fill(String(from));
    await form.getByLabel("pages").fill(String(STEP));
    await form.getByRole("button", { name: "madvise" }).click();
    await expect(form.getByRole("status")).toHaveText("madvise returned 0");
  }
  await page.getByRole("radio", { name: "full scan" }).check();
  await page.getByRole("button", { name: /^Step forward/ }).click();
  await page.getByRole("button", { name: /^Step forward/ }).click();
}

test.describe.configure({ timeout: 120_000 });

test("a growing stable tree keeps its root in sight until the student scrolls it", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await open(page);
  await runScenario(page, GROWING_TREE);
  const stats = stableTree(page).locator(".trees-stats");
  await expect(stats).toContainText(new RegExp(`^${FIRST} nodes`));
  const canvas = stableTree(page).locator(".trees-canvas");
  const scrollLeft = async () => await canvas.evaluate((el) => el.scrollLeft);
  const roots = new Set<string | null>();
  for (let merged = FIRST + STEP; merged < PAGES - STEP; merged += STEP) {
    await mergeMore(page, merged - STEP);
    await expect(stats).toContainText(new RegExp(`^${merged} nodes`));
    expect(await canvas.evaluate((el) => el.scrollWidth > el.clientWidth + 1)).toBe(true);
    // Wider than its box: the root is drawn near the middle of what is in sight.
    await expect
      .poll(async () => {
        const { x, width } = await rootInBox(page);
        return Math.abs(x - width / 2) < width / 8;
      })
      .toBe(true);
    roots.add((await rootInBox(page)).label);
  }
  // The root stayed one node all along: it was kept in the middle, not only brought back when new.
  expect(roots.size).toBe(1);

  // The student scrolls the tree: it grows again under the same root and stays where they put it.
  await canvas.hover();
  await page.mouse.wheel(-300, 0);
  await expect.poll(scrollLeft).toBeGreaterThan(0);
  const left = await scrollLeft();
  const root = (await rootInBox(page)).label;
  await mergeMore(page, PAGES - 2 * STEP);
  await expect(stats).toContainText(new RegExp(`^${PAGES - STEP} nodes`));
  expect((await rootInBox(page)).label).toBe(root);
  expect(await scrollLeft()).toBe(left);
});
