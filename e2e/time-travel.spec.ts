import { expect, type Page, test } from "@playwright/test";
import { loadPreset, open, sysfs } from "./helpers";

const snapshot = (page: Page) => page.evaluate(() => window.ksmSnapshot?.() ?? "");
const timelineLabel = (page: Page) => page.locator(".timeline-label");

test.describe("time travel, links and files", () => {
  test("stepping back restores the identical engine state, and forward again", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    const states: string[] = [await snapshot(page)];
    for (let i = 1; i <= 15; i++) {
      await page.getByRole("button", { name: "Next step" }).click();
      await expect(page.getByText(`step ${i} of 15`)).toBeVisible();
      states.push(await snapshot(page));
    }
    await expect(sysfs(page, "pages_sharing")).toHaveText("6");
    await expect(timelineLabel(page)).toContainText("action 15 of 15");

    await page.locator("body").click({ position: { x: 5, y: 5 } });
    for (let i = 14; i >= 10; i--) {
      await page.keyboard.press("ArrowLeft");
      await expect(timelineLabel(page)).toContainText(`action ${i} of 15`);
      await expect(page.getByText(`step ${i} of 15`)).toBeVisible();
      expect(await snapshot(page)).toBe(states[i]);
    }
    await page.getByRole("button", { name: "Back to the previous full scan" }).click();
    const scanned = Number(await sysfs(page, "full_scans").textContent());
    expect(scanned).toBeLessThan(2);

    await page.getByRole("slider", { name: "Timeline" }).fill("3");
    await expect(timelineLabel(page)).toContainText("action 3 of 15");
    await expect.poll(() => snapshot(page)).toBe(states[3]); // the label follows the slider before the worker answers

    await page.keyboard.press("ArrowRight");
    await expect(timelineLabel(page)).toContainText("action 4 of 15");
    await expect.poll(() => snapshot(page)).toBe(states[4]);
  });

  test("a link reopens the same step in a new tab", async ({ page, context }) => {
    await open(page);
    await loadPreset(page, "cow-after-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect(timelineLabel(page)).toContainText("action 0 of 1");
    await page.keyboard.press("ArrowRight");
    await expect(timelineLabel(page)).toContainText("action 1 of 1");
    // The address bar follows the state once it rests.
    await expect(page).toHaveURL(/#preset=cow-after-merge\.json&profile=linux-2\.6\.32&step=1&log=/);
    const url = page.url();
    const state = await snapshot(page);

    const other = await context.newPage();
    await other.goto(url);
    await expect(other.locator('[data-ready="true"]')).toBeAttached();
    await expect(other.locator(".timeline-label")).toContainText("action 1 of 1");
    await expect.poll(() => snapshot(other)).toBe(state);
  });

  test("a broken file changes nothing; a saved session opens to the same state", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    for (let i = 0; i < 6; i++) await page.getByRole("button", { name: "Next step" }).click();
    await expect(page.getByText("step 6 of 15")).toBeVisible();
    const before = await snapshot(page);
    const picker = page.locator('input[type="file"]');

    const broken = JSON.stringify({
      name: "broken",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A" },
      ],
    });
    await picker.setInputFiles({
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from(broken),
    });
    await expect(page.getByRole("alert")).toContainText('broken.json: step 1, field "region"');
    expect(await snapshot(page)).toBe(before);
    await expect(page.getByText("step 6 of 15")).toBeVisible();

    await picker.setInputFiles({
      name: "junk.json",
      mimeType: "application/json",
      buffer: Buffer.from("{ nope"),
    });
    await expect(page.getByRole("alert")).toContainText("junk.json: not valid JSON");
    expect(await snapshot(page)).toBe(before);

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Save session" }).click();
    const file = await (await download).path();
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(page.getByText("step 15 of 15")).toBeVisible();
    await picker.setInputFiles(file);
    await expect(page.getByText("step 6 of 15")).toBeVisible();
    expect(await snapshot(page)).toBe(before);
  });
});
