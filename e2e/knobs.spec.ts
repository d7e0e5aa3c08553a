import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { newMachine, open, showPanel, startProcess, sysfs } from "./helpers";

/** The knob panel's form for a file. */
function knob(page: Page, file: string) {
  return page
    .getByRole("region", { name: "ksmd" })
    .locator("form.knob")
    .filter({ has: page.getByLabel(file, { exact: true }) });
}

/** Close the side panel the tab names (beside the drawer on a laptop, an open panel hides the knobs' rows in the counters). */
async function closePanel(page: Page, name: "Kernel code" | "sysfs console"): Promise<void> {
  const tab = page.getByRole("tab", { name });
  if ((await tab.getAttribute("aria-selected")) === "true") await tab.click();
  await expect(tab).toHaveAttribute("aria-selected", "false");
}

/** The code pane's function name and its highlighted line. */
function code(page: Page) {
  const pane = page.getByRole("region", { name: "Kernel code" });
  return { heading: pane.getByRole("heading", { level: 2 }), line: pane.locator('[aria-current="step"]') };
}

test.describe("the knob panel on 6.18", () => {
  // axe walks the drawer (hundreds of elements): slower than a click on a busy 2-core machine.
  test.describe.configure({ timeout: 90_000 });

  test("max_page_sharing: EBUSY while KSM pages exist, stored once they are gone; the code pane shows max_page_sharing_store()", async ({
    page,
  }) => {
    await open(page);
    await newMachine(page, "linux-6.18");
    await startProcess(page, /^Twins/, { advise: true });
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("1");
    await page.keyboard.press("f");
    await page.keyboard.press("f");
    await expect(sysfs(page, "pages_sharing")).toHaveText("3");

    const form = knob(page, "max_page_sharing");
    await form.getByRole("textbox").fill("3");
    await form.getByRole("button", { name: "echo" }).click();
    await expect(form.getByRole("alert")).toHaveText(
      "echo 3 > /sys/kernel/mm/ksm/max_page_sharing: Device or resource busy",
    );
    await expect(sysfs(page, "max_page_sharing")).toHaveText("256");
    await expect(form).toContainText("echo 2 > run unmerges them all first");
    await expect(form).toContainText("max_page_sharing still reads 256");
    await showPanel(page, "Kernel code");
    await expect(code(page).heading).toContainText("max_page_sharing_store()");
    await expect(code(page).line).toContainText("-EBUSY");
    await closePanel(page, "Kernel code");

    await page.getByRole("button", { name: "run = 2 (unmerge all)" }).click();
    await expect(sysfs(page, "pages_shared")).toHaveText("0");
    await form.getByRole("textbox").fill("3");
    await form.getByRole("textbox").press("Enter");
    await expect(sysfs(page, "max_page_sharing")).toHaveText("3");
    await expect(form.getByRole("alert")).toHaveCount(0);
    await expect(form.getByRole("textbox")).toHaveValue("3");
    await showPanel(page, "Kernel code");
    await expect(code(page).heading).toContainText("max_page_sharing_store()");
    await expect(code(page).line).toContainText("ksm_max_page_sharing = knob");
  });

  test("toggles and choices by keyboard; a refused number changes nothing; axe finds nothing serious", async ({
    page,
  }) => {
    await open(page);
    await newMachine(page, "linux-6.18");
    const smart = page.getByRole("checkbox", { name: "smart_scan" });
    await expect(smart).toBeChecked();
    await smart.focus();
    await page.keyboard.press("Space");
    await expect(smart).not.toBeChecked();
    await expect(sysfs(page, "smart_scan")).toHaveText("0");
    await showPanel(page, "Kernel code");
    await expect(code(page).heading).toContainText("smart_scan_store()");
    await closePanel(page, "Kernel code");

    // Every group opens; the advisor's mode is a choice of its words.
    const panel = page.getByRole("region", { name: "ksmd" });
    for (const summary of await panel.locator("summary").all())
      if ((await summary.locator("xpath=..").getAttribute("open")) === null) await summary.click();
    await panel.getByLabel("advisor_mode").selectOption("scan-time");
    await knob(page, "advisor_mode").getByRole("button", { name: "echo" }).press("Enter");
    await expect(sysfs(page, "advisor_mode")).toHaveText("none [scan-time]");
    // The advisor owns pages_to_scan now: the kernel refuses, and says why.
    const pages = knob(page, "pages_to_scan");
    await pages.getByRole("textbox").fill("50");
    await pages.getByRole("textbox").press("Enter");
    await expect(pages.getByRole("alert")).toHaveText(
      "echo 50 > /sys/kernel/mm/ksm/pages_to_scan: Invalid argument",
    );
    await expect(pages).toContainText("advisor_mode to none");
    await expect(sysfs(page, "pages_to_scan")).toHaveText("500");
    await showPanel(page, "Kernel code");
    await expect(code(page).line).toContainText("the advisor sets pages_to_scan");
    await pages.getByRole("textbox").press("Escape");
    await expect(pages.getByRole("textbox")).toHaveValue("500");

    const results = await new AxeBuilder({ page })
      .include('[aria-label="Lessons and controls"]')
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });
});

test.describe("the sysfs console on 6.18", () => {
  test("Tab completes a file name; the write shows the store function in the code pane", async ({ page }) => {
    await open(page);
    await newMachine(page, "linux-6.18");
    await showPanel(page, "sysfs console");
    const input = page.getByRole("textbox", { name: "shell command" });
    await input.fill("echo 0 > use_ze");
    await input.press("Tab");
    await expect(input).toHaveValue("echo 0 > use_zero_pages ");
    await input.press("Enter");
    await input.fill("echo 1 > stable_node_");
    await input.press("Tab");
    const log = page.getByRole("log", { name: "Console output" });
    for (const name of ["stable_node_chains_prune_millisecs", "stable_node_dups"])
      await expect(log).toContainText(name); // in columns, as wide as the console
    await expect(input).toHaveValue("echo 1 > stable_node_");
    await input.fill("echo 1 > max_page_sharing");
    await input.press("Enter");
    await expect(page.getByRole("log", { name: "Console output" })).toContainText(
      "bash: echo: write error: Invalid argument",
    );
    await showPanel(page, "Kernel code");
    await expect(code(page).heading).toContainText("max_page_sharing_store()");
    await expect(code(page).line).toContainText("return -EINVAL");
    // On an empty line Tab leaves the console, as Tab does anywhere on the page.
    await showPanel(page, "sysfs console");
    await input.fill("");
    await input.press("Tab");
    await expect(input).not.toBeFocused();
  });
});
