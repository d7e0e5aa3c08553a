import { expect, test } from "@playwright/test";
import { caption, loadPreset, open, showPanel, startProcess, sysfs, writeByte } from "./helpers";

test.describe("a teacher's main flows", () => {
  test("load a preset, step it, run it to the end", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    await expect(page.getByText("two-processes-merge")).toBeVisible();
    await page.getByRole("button", { name: "Next step" }).click();
    await expect(page.getByText("step 1 of 15")).toBeVisible();
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(page.getByText("step 15 of 15")).toBeVisible();
    await expect(page.getByTitle("scenario output")).toContainText(
      "Snapshot “second-scan-merged”: pages_shared 2, pages_sharing 6",
    );
    await expect(sysfs(page, "pages_shared")).toHaveText("2");
    await expect(sysfs(page, "pages_sharing")).toHaveText("6");
    await expect(sysfs(page, "full_scans")).toHaveText("2");
    // Two KSM pages, each a black-or-red node of the stable tree.
    await expect(
      page.getByRole("button", { name: /^stable node \d+: KSM page \d+ shared by 4/ }),
    ).toHaveCount(2);
  });

  test("madvise through the form, then step ksmd by keyboard", async ({ page }) => {
    await open(page);
    await startProcess(page, /^Twins/, { advise: false });
    await startProcess(page, /^Twins/, { advise: false });
    const madvise = page.getByRole("form", { name: "madvise" });
    const processPicker = page.getByRole("combobox", { name: "process", exact: true });

    await processPicker.selectOption({ label: "twins1 (pid 1)" });
    await madvise.getByLabel("from page").fill("abc");
    await madvise.getByRole("button", { name: "madvise" }).click();
    await expect(madvise.getByRole("alert")).toHaveText("first page must be a whole number");

    await madvise.getByLabel("from page").fill("100");
    await madvise.getByRole("button", { name: "madvise" }).click();
    await expect(madvise.getByRole("alert")).toHaveText("madvise: Cannot allocate memory (ENOMEM)");

    for (const name of ["twins1 (pid 1)", "twins2 (pid 2)"]) {
      await processPicker.selectOption({ label: name });
      await madvise.getByLabel("from page").fill("0");
      await madvise.getByLabel("pages").fill("4");
      await madvise.getByRole("button", { name: "madvise" }).click();
      await expect(madvise.getByRole("status")).toHaveText("madvise returned 0");
    }

    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("f");
    await expect(sysfs(page, "full_scans")).toHaveText("1");
    await expect(sysfs(page, "pages_volatile")).toHaveText("8");
    await page.keyboard.press("f");
    await expect(sysfs(page, "pages_shared")).toHaveText("1");
    await expect(sysfs(page, "pages_sharing")).toHaveText("7");
  });

  test("a COW write copies at once; the counters notice on the next pass", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(sysfs(page, "pages_sharing")).toHaveText("6");
    await writeByte(page, "B (pid 2)", 0, "0x41");
    await expect(sysfs(page, "pages_sharing")).toHaveText("6");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("f");
    await expect(sysfs(page, "pages_sharing")).toHaveText("5");
    await expect(sysfs(page, "pages_volatile")).toHaveText("1");
  });

  test("fork and exit", async ({ page }) => {
    await open(page);
    await startProcess(page, /^Web worker/, { advise: true });
    const processPicker = page.getByRole("combobox", { name: "process", exact: true });
    await expect(processPicker.locator("option")).toHaveCount(1);
    await page.getByRole("button", { name: "Fork", exact: true }).click();
    await expect(processPicker.locator("option")).toHaveCount(2);
    await expect(processPicker.locator("option").nth(1)).toHaveText("child2 (pid 2)");
    await processPicker.selectOption({ label: "child2 (pid 2)" });
    await page.getByRole("button", { name: "Exit", exact: true }).click();
    await expect(processPicker.locator("option")).toHaveCount(1);
    await showPanel(page, "Event log");
    await expect(page.getByRole("list", { name: /Events/ })).toContainText("pid 2");
  });

  test("run = 2 unmerges everything and restarts full_scans", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(sysfs(page, "pages_shared")).toHaveText("2");
    await page.getByRole("button", { name: "run = 2 (unmerge all)" }).click();
    await expect(page.getByRole("button", { name: "run = 2 (unmerge all)" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await expect(sysfs(page, "pages_shared")).toHaveText("0");
    await expect(sysfs(page, "pages_sharing")).toHaveText("0");
    await expect(sysfs(page, "full_scans")).toHaveText("0");
    await expect(sysfs(page, "run")).toHaveText("2");
    // ksmd is stopped: a step says why, in the caption (not as a lasting error message).
    await page.getByRole("button", { name: /^Step forward/ }).click();
    await expect(caption(page)).toContainText("ksmd is not running (run is 2)");
    await expect(page.getByRole("log", { name: "Messages" })).not.toContainText("EAGAIN");
  });

  test("play steps ksmd at the speed chosen, in steps per second", async ({ page }) => {
    await open(page);
    await startProcess(page, /^Twins/, { advise: true });
    await page.getByLabel("speed").selectOption("10");
    await page.getByRole("button", { name: "Play", exact: true }).click();
    await expect(sysfs(page, "pages_sharing")).toHaveText("3");
    await page.getByRole("button", { name: "Pause", exact: true }).click();
    await expect(page.getByRole("button", { name: "Play", exact: true })).toBeVisible();
  });
});

test.describe("bad input changes nothing", () => {
  test("a sysfs write the kernel rejects shows the shell's error", async ({ page }) => {
    await open(page);
    const knob = page.locator("form.knob").filter({ hasText: "pages_to_scan" });
    await knob.getByRole("textbox").fill("12abc");
    await knob.getByRole("button", { name: "echo" }).click();
    await expect(knob.getByRole("alert")).toHaveText(
      "echo 12abc > /sys/kernel/mm/ksm/pages_to_scan: Invalid argument",
    );
    await expect(sysfs(page, "pages_to_scan")).toHaveText("200");
    await knob.getByRole("textbox").fill("64");
    await knob.getByRole("button", { name: "echo" }).click();
    await expect(sysfs(page, "pages_to_scan")).toHaveText("64");
  });

  test("a broken scenario file names the step and field and leaves the machine alone", async ({ page }) => {
    await open(page);
    await startProcess(page, /^Twins/, { advise: true });
    const broken = {
      name: "broken",
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "r", pages: -1 },
      ],
    };
    await page.locator('input[type="file"]').setInputFiles({
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(broken)),
    });
    await expect(
      page.getByText('broken.json: step 1, field "pages": must be an integer from 1 to 16777216'),
    ).toBeVisible();
    await expect(page.getByRole("combobox", { name: "process", exact: true }).locator("option")).toHaveText([
      "twins1 (pid 1)",
    ]);
  });
});

test.describe("screenshots", () => {
  test("two processes merged", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(sysfs(page, "pages_sharing")).toHaveText("6");
    await expect(page).toHaveScreenshot("two-processes-merged.png", { fullPage: true });
  });

  test("after a COW fault and one more scan", async ({ page }) => {
    await open(page);
    await loadPreset(page, "cow-after-merge.json");
    await page.getByRole("button", { name: "Run to the end" }).click();
    await expect(page.getByText(/^step (\d+) of \1$/)).toBeVisible();
    await expect(sysfs(page, "full_scans")).toHaveText("5");
    await expect(page).toHaveScreenshot("cow-settled.png", { fullPage: true });
  });
});
