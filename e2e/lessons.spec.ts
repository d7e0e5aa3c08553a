import { expect, test } from "@playwright/test";
import { open, showPanel, walk } from "./helpers";

test.describe("lessons, end to end", () => {
  test.describe.configure({ timeout: 120_000 });

  test("lesson 1: what KSM is", async ({ page }) => {
    await open(page);
    expect(await walk(page, /^1\. What KSM is/)).toEqual(["0", "2", "yes", "same"]);
  });

  test("lesson 4: the stable tree, then back in time re-asks the question", async ({ page }) => {
    await open(page);
    expect(await walk(page, /^4\. The stable tree/)).toEqual([
      "2",
      "3",
      "pages_sharing, pages_volatile and full_scans",
      "2",
    ]);
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByRole("group", { name: /^Predict:/ })).toBeVisible();
  });

  test("lesson 11: 2.6.32 and 6.18 side by side, each table whole in the lesson's column", async ({
    page,
  }) => {
    await open(page);
    const drawer = page.getByRole("complementary", { name: "Lessons and controls" });
    const tables = drawer.locator("table.lesson-compare");
    const answers = await walk(page, /^11\. Linux 2\.6\.32 and 6\.18/, async () => {
      // Every snapshot's table lies within the drawer's width (none painted over the stage).
      const column = (await drawer.boundingBox())!;
      for (const table of await tables.all()) {
        await table.scrollIntoViewIfNeeded();
        await expect(table).toBeInViewport({ ratio: 1 });
        const b = (await table.boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(column.x + column.width);
      }
    });
    expect(answers).toEqual(["1", "1", "2", "no", "1", "0"]);
    await expect(tables.first()).toBeVisible();
    await expect(tables.first().getByRole("columnheader", { name: "6.18" })).toBeVisible();
    // Readable: the counters' text at least 12 px.
    const size = await tables
      .first()
      .locator("td")
      .first()
      .evaluate((el) => getComputedStyle(el).fontSize);
    expect(Number.parseFloat(size)).toBeGreaterThanOrEqual(12);
  });

  test("lesson 3: the unstable tree stays in view on the stage, beat by beat", async ({ page }) => {
    await open(page);
    const unstable = page.getByRole("main").getByRole("figure", { name: "Unstable tree" });
    const nodes = unstable.getByRole("button", { name: /^unstable node/ });
    const answers = await walk(page, /^3\. The unstable tree/, async () => {
      await expect(unstable).toBeInViewport();
    });
    expect(answers.length).toBeGreaterThan(0);
    // The beat that shows the tree full: its nodes are drawn at a readable size.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 5 && (await nodes.count()) === 0; i++) await page.keyboard.press("ArrowLeft");
    await expect(nodes.first()).toBeInViewport();
    const r = (await nodes.first().boundingBox())!;
    expect(r.width).toBeGreaterThanOrEqual(20);
  });

  test("lesson 14: zero pages, on 6.18", async ({ page }) => {
    await open(page);
    expect(await walk(page, /^14\. use_zero_pages/)).toEqual(["0", "down"]);
  });

  test("lesson 17: the side channel shows each write's modelled time", async ({ page }) => {
    await open(page);
    expect(await walk(page, /^17\. The side channel/)).toEqual(["2.8 µs", "0.15 µs", "0.15 µs"]);
    // The KSM page's COW fault in the log, with the time the cost model gives it.
    await showPanel(page, "Event log");
    const log = page.getByRole("list", { name: "Events, newest first" });
    await expect(log).toContainText(/COW fault: pid \d+ wrote to KSM page \d+.*write took 2\.8 µs, modelled/);
  });
});
