import { expect, type Page } from "@playwright/test";

/** Open the app and wait for the engine worker's first update; the stage alone, every panel closed. */
export async function openStage(page: Page, hash = ""): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.locator('[data-ready="true"]')).toBeAttached();
}

/** Open the app with the drawer of lessons and controls open beside the stage. */
export async function open(page: Page): Promise<void> {
  await openStage(page);
  await setDrawer(page, true);
}

/** Open or close the drawer of lessons and controls. */
export async function setDrawer(page: Page, open: boolean): Promise<void> {
  const toggle = page.getByRole("button", { name: "Lessons & controls" });
  if ((await toggle.getAttribute("aria-expanded")) !== String(open)) await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", String(open));
}

/** A new machine of that kernel, through the Machine form (the drawer open). */
export async function newMachine(page: Page, profile: string): Promise<void> {
  const form = page.getByRole("form", { name: "Machine" });
  await form.getByLabel("kernel").selectOption(profile);
  await form.getByRole("button", { name: "New machine" }).click();
  await expect(page.locator(".profile-badge")).toContainText(profile);
}

/** Bring a side panel tab (Event log, Kernel code, sysfs console) forward. */
export async function showPanel(
  page: Page,
  name: "Event log" | "Kernel code" | "sysfs console",
): Promise<void> {
  const tab = page.getByRole("tab", { name });
  if ((await tab.getAttribute("aria-selected")) !== "true") await tab.click();
}

/** The caption's sentence for the last step. */
export function caption(page: Page) {
  return page.getByTestId("caption");
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

/** Open a scenario through the drawer's file picker (as `<name>.json`) and run it to its end. */
export async function runScenario(page: Page, scenario: { name: string }): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({
    name: `${scenario.name}.json`,
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(scenario)),
  });
  await page.getByRole("button", { name: "Run to the end" }).click();
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
  await showPanel(page, "Event log");
  await expect(page.getByRole("list", { name: /Events/ })).toContainText("COW fault");
}

/**
 * Walk a lesson from its first beat to its end as a student would: predict
 * each question (always the first choice), press Next, and read the engine's
 * answer. Returns the revealed answers in order.
 */
export async function walk(page: Page, title: RegExp, eachBeat?: () => Promise<void>): Promise<string[]> {
  await page.getByRole("button", { name: title }).click();
  const lessons = page.getByRole("region", { name: "Lessons" });
  const answers: string[] = [];
  for (let beat = 0; beat < 30; beat++) {
    if (await lessons.getByText("End of the lesson.").isVisible()) return answers;
    const question = lessons.getByRole("group", { name: /^Predict:/ });
    const asks = await question.isVisible();
    if (asks) await question.getByRole("radio").first().check();
    const before = await lessons.locator(".lesson-progress").textContent();
    await lessons.getByRole("button", { name: /^Next/ }).click();
    await expect(lessons.locator(".lesson-progress")).not.toHaveText(before ?? "");
    await eachBeat?.();
    if (asks) {
      const reveal = lessons.locator(".lesson-reveal");
      await expect(reveal).toContainText("The engine says:");
      answers.push((await reveal.locator("strong").last().textContent()) ?? "");
    }
  }
  throw new Error("the lesson did not end");
}
