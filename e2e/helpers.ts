import { expect, type Page } from "@playwright/test";

/** Open the app and wait for the engine worker's first update. */
export async function open(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.locator('[data-ready="true"]')).toBeAttached();
}

/** The value `cat /sys/kernel/mm/ksm/<file>` shows in the stats view. */
export function sysfs(page: Page, file: string) {
  return page
    .getByRole("table", { name: /Files in \/sys\/kernel\/mm\/ksm/ })
    .getByRole("row")
    .filter({ has: page.locator("th", { hasText: new RegExp(`^${file}$`) }) })
    .locator("td.ksm-value");
}

/** Start a process from a template, optionally without madvise. */
export async function startProcess(
  page: Page,
  template: RegExp,
  { advise }: { advise: boolean },
): Promise<void> {
  const form = page.getByRole("form", { name: "Start a process" });
  await form.getByLabel("template").selectOption({ label: (await optionLabel(page, template)) ?? "" });
  const box = form.getByLabel("madvise MERGEABLE");
  if ((await box.isChecked()) !== advise) await box.click();
  await form.getByRole("button", { name: "Start" }).click();
}

async function optionLabel(page: Page, re: RegExp): Promise<string | undefined> {
  const labels = await page
    .getByRole("form", { name: "Start a process" })
    .getByLabel("template")
    .locator("option")
    .allTextContents();
  return labels.find((l) => re.test(l));
}

export async function loadPreset(page: Page, file: string): Promise<void> {
  await page.getByLabel("built-in scenario").selectOption(file);
  await page.getByRole("button", { name: "Load", exact: true }).click();
  await expect(page.getByText(/^step 0 of \d+$/)).toBeVisible();
}

/** Write a byte to a page through the "Write to a page" form, and wait for its COW fault in the log. */
export async function writeByte(page: Page, proc: string, pageNo: number, value: string): Promise<void> {
  const write = page.getByRole("form", { name: "Write to a page" });
  await page.getByRole("combobox", { name: "process", exact: true }).selectOption({ label: proc });
  await write.getByLabel("page").fill(String(pageNo));
  await write.getByLabel("value").fill(value);
  await write.getByRole("button", { name: "Write byte" }).click();
  await expect(page.getByRole("list", { name: /Events/ })).toContainText("COW fault");
}
