import { expect, type Page, test } from "@playwright/test";
import { newMachine, open, openStage, setDrawer, startProcess, sysfs } from "./helpers";

/** A process's card in the processes view. */
function card(page: Page, name: string) {
  return page
    .locator(".pv-view")
    .getByRole("article")
    .filter({ has: page.getByRole("heading", { level: 3, name: new RegExp(`^${name} pid`) }) });
}

/** Walk a lesson's beats with Next, answering each question with its first choice. */
async function nextBeats(page: Page, beats: number): Promise<void> {
  await setDrawer(page, true);
  const lessons = page.locator("section.lessons");
  for (let i = 0; i < beats; i++) {
    const question = lessons.getByRole("group", { name: /^Predict:/ });
    if (await question.isVisible()) await question.getByRole("radio").first().check();
    const before = await lessons.locator(".lesson-progress").textContent();
    await lessons.getByRole("button", { name: /^Next/ }).click();
    await expect(lessons.locator(".lesson-progress")).not.toHaveText(before ?? "");
  }
}

test.describe("6.18 on the stage", () => {
  test("prctl(PR_SET_MEMORY_MERGE) from the process header: ksm_merge_any yes, areas mergeable, merges after ksmd runs", async ({
    page,
  }) => {
    await open(page);
    await newMachine(page, "linux-6.18");
    await startProcess(page, /^Twins/, { advise: false });
    const twins = card(page, "twins\\d*");
    await expect(twins.getByText("VM_MERGEABLE")).toHaveCount(0);
    const toggle = twins.getByRole("button", { name: /^merge any \(prctl\) for / });
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(twins.getByText("VM_MERGEABLE")).toHaveCount(1);
    await twins.locator("summary", { hasText: "ksm_stat" }).click();
    const stat = twins.locator(".pv-ksm-stat pre");
    await expect(stat).toContainText("ksm_merge_any: yes");
    await expect(stat).toContainText("ksm_mergeable: yes");
    await expect(stat).toContainText("ksm_merging_pages 0");

    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("1");
    await page.keyboard.press("f");
    await page.keyboard.press("f");
    await expect(sysfs(page, "pages_sharing")).toHaveText("3");
    await expect(stat).toContainText("ksm_merging_pages 4");
    await expect(twins.locator("summary")).toContainText("4 merging");

    // Off again: unmerged, the areas no longer mergeable, recorded like any other action.
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await expect(stat).toContainText("ksm_merge_any: no");
    await expect(twins.getByText("VM_MERGEABLE")).toHaveCount(0);
    await expect(page.getByText(/prctl\(PR_SET_MEMORY_MERGE, 0\) in pid \d+/)).toBeVisible();
  });

  test("2.6.32 has no ksm_stat and no prctl toggle", async ({ page }) => {
    await open(page);
    await startProcess(page, /^Twins/, { advise: true });
    await expect(card(page, "twins\\d*")).toBeVisible();
    await expect(page.getByRole("button", { name: /merge any \(prctl\)/ })).toHaveCount(0);
    await expect(page.locator(".pv-view").getByText("ksm_stat")).toHaveCount(0);
  });

  test("use_zero_pages: the overlay links each page KSM merged with the zero page as such", async ({
    page,
  }) => {
    await openStage(page, "#lesson=zero-pages&profile=linux-6.18&step=0");
    await nextBeats(page, 1);
    await expect(sysfs(page, "ksm_zero_pages")).toHaveText("3");
    const svg = page.locator("svg.mapping-links");
    await expect(svg.locator('path[data-ksm-zero="1"]')).toHaveCount(3);
    await expect(svg.locator('path[data-ksm-zero="1"]').first()).toHaveAttribute("data-pfn", "0");
    await expect(svg.locator('path[data-ksm-zero="1"]').first()).toHaveAttribute("stroke-dasharray", "1 3");
    // The 9s page is no zero-page merge.
    await expect(svg.locator('path[data-ksm-zero="0"]')).toHaveCount(1);
    await setDrawer(page, false); // the stage beside the drawer leaves the legends out
    await expect(page.getByRole("list", { name: "Page legend" })).toContainText(
      "link: KSM merged it with the zero page (use_zero_pages)",
    );
  });

  test("general_profit goes negative when unique pages cost more rmap_items than merging saves", async ({
    page,
  }) => {
    await openStage(page, "#lesson=profit&profile=linux-6.18&step=0");
    await nextBeats(page, 2);
    await expect(sysfs(page, "general_profit")).toHaveText("-384");
    await setDrawer(page, false); // the stage beside the drawer leaves the counters' notes out
    const profit = page.locator('[data-derived="general_profit"] strong');
    await expect(profit).toHaveText("\u2212384 bytes");
    await expect(profit).toBeVisible();
    await expect(profit).toHaveClass("ksm-loss");
    await expect(card(page, "B").locator("summary")).toContainText("\u2212512 bytes");
  });

  test("smart scan: hovering a page says its rmap_item's age and the visits that will skip it", async ({
    page,
  }) => {
    await openStage(page, "#lesson=smart-scan&profile=linux-6.18&step=0");
    await nextBeats(page, 1);
    await setDrawer(page, false);
    const cell = card(page, "A").locator(".pv-page").last();
    await cell.hover();
    const tip = page.getByRole("tooltip");
    await expect(tip).toContainText(/^A page 3 of buf at 0x[0-9a-f]+: anonymous frame \d+/);
    await expect(tip).toContainText(/smart scan: rmap_item age \d+, skipped at ksmd's next \d+ visits?/);
    await expect(cell).toHaveAttribute("aria-label", /smart scan: rmap_item age \d+/);
    await page.mouse.move(5, 5);
    await expect(tip).toHaveCount(0);
  });
});
