import { expect, test } from "@playwright/test";
import { open, showPanel } from "./helpers";

test("the app starts its engine and shows every view without console errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await open(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("kernel samepage merging, visualised");
  for (const name of [
    "ksmd",
    "Processes",
    "Physical memory",
    "Stable tree",
    "Unstable tree",
    "/sys/kernel/mm/ksm",
  ])
    await expect(page.getByRole("heading", { name, exact: true }).first()).toBeVisible();
  await showPanel(page, "Event log");
  await expect(page.getByRole("heading", { name: "Event log", exact: true })).toBeVisible();
  expect(errors).toEqual([]);
});
