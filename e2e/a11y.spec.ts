import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { loadPreset, open } from "./helpers";

/** axe-core's serious and critical findings, as readable lines. */
async function seriousViolations(page: import("@playwright/test").Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test.describe("accessibility", () => {
  // axe walks the whole page (a few thousand elements): slower than a click on a busy 2-core machine.
  test.describe.configure({ timeout: 90_000 });

  test("no serious axe violations with a scenario merged, in normal and presenter mode", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(page.getByText("step 15 of 15")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("p");
    await expect(page.locator("html.presenter")).toBeAttached();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("the shortcuts dialog opens with ? and closes with Esc, keyboard only", async ({ page }) => {
    await open(page);
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText("Step back (a comparison, or in time)")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });
});
