import { expect, type Page, test } from "@playwright/test";
import { caption, open, runScenario, setDrawer, walk } from "./helpers";
import { svgTextSizes } from "./stageFit";

/*
 * 6.18's stable node chains on the stage: lesson 12 (max_page_sharing 2)
 * makes a chain of three dups; the trees draw it as a node with its dups
 * hanging under it, and mark the dup a search picks.
 */

test.describe.configure({ timeout: 120_000 });

/** The chain of lesson 12 as the stable tree draws it. */
function chainNode(page: Page) {
  return page
    .getByRole("main")
    .getByRole("figure", { name: "Stable tree", exact: true })
    .getByRole("button", { name: /^stable node chain \d+, 3 dups: / });
}

/**
 * Fill A's page 0 again with the lesson's value: the copy-on-write leaves a
 * dup with room, and ksmd's next look at that page finds the chain and picks
 * that dup. Steps ksmd a page at a time until the caption tells the pick.
 */
async function searchPicksADup(page: Page): Promise<void> {
  const write = page.getByRole("form", { name: "Write to a page" });
  await page.getByRole("combobox", { name: "process", exact: true }).selectOption({ label: "A (pid 1)" });
  await write.getByLabel("page").fill("0");
  await write.getByLabel("value").fill("5");
  await write.getByRole("button", { name: "Fill page" }).click();
  await expect(caption(page)).toContainText(/^COW fault: pid 1 wrote to KSM page/);
  for (let i = 0; i < 12; i++) {
    const before = await caption(page).textContent();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("s");
    await expect(caption(page)).not.toHaveText(before ?? "");
    if (/picked the dup/.test((await caption(page).textContent()) ?? "")) return;
  }
  throw new Error(`no search picked a dup: ${await caption(page).textContent()}`);
}

test.describe("stable node chains (6.18)", () => {
  test("a chain is drawn with its dups, each with its frame and sharers; a search marks the dup it picks", async ({
    page,
  }) => {
    await open(page);
    await walk(page, /^12\. max_page_sharing/);
    const chain = chainNode(page);
    await expect(chain).toBeVisible();
    const rows = chain.locator("g.trees-dup-row");
    await expect(rows).toHaveCount(3);
    await expect(rows.locator("text")).toHaveText([/^\d+ ×2$/, /^\d+ ×2$/, /^\d+ ×2$/]);
    await expect(chain.locator("rect.trees-dup-pick")).toHaveCount(0);
    const tree = page.getByRole("main").getByRole("figure", { name: "Stable tree", exact: true });
    await expect(tree.getByText("chain of dups (max_page_sharing)")).toBeVisible();

    await searchPicksADup(page);
    await expect(caption(page)).toContainText(
      /Stable node \d+ is a chain of 3 dups; picked the dup at frame (\d+) \(1 sharer, max_page_sharing 2\)/,
    );
    const frame = /picked the dup at frame (\d+)/.exec((await caption(page).textContent()) ?? "")![1];
    // The outline is on the picked dup's row: that frame, now with its second sharer.
    const pick = chain.locator("rect.trees-dup-pick");
    await expect(pick).toHaveCount(1);
    const picked = chain.locator(`rect.trees-dup[data-dup="${await pick.getAttribute("data-dup")}"] + text`);
    await expect(picked).toHaveText(`${frame} ×2`);

    for (const size of [
      { width: 1366, height: 768 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      await setDrawer(page, false);
      await expect(chain).toBeVisible();
      await chain.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/chains-${size.width}x${size.height}.png` });
    }
    // Presenter mode: the chain and its dups, every label at least 18 px.
    await page.keyboard.press("p");
    await expect(page.locator("html.presenter")).toBeAttached();
    await expect(chain).toBeVisible();
    await expect
      .poll(async () => (await treeTextSizes(page)).filter((t) => t.px < 17.5).map((t) => t.text))
      .toEqual([]);
    await page.screenshot({ path: "test-results/chains-presenter-1920x1080.png" });
  });
});

/** Two processes with the same 40 values: a stable tree of 40 KSM pages. */
const BIG_TREE = {
  name: "big-stable-tree",
  description: "40 KSM pages: a stable tree six levels deep",
  memory_frames: 128,
  steps: [
    ...["A", "B"].flatMap((proc) => [
      { op: "spawn", proc },
      { op: "mmap", proc, region: "r", pages: 40 },
      ...Array.from({ length: 40 }, (_, from) => ({
        op: "fill",
        proc,
        region: "r",
        from,
        pages: 1,
        value: from + 1,
      })),
      { op: "madvise", proc, region: "r", from: 0, pages: 40, advice: "mergeable" },
    ]),
    { op: "sysfs", file: "run", value: "1" },
    { op: "wait_scans", n: 3 },
  ],
};

/** Every piece of text in the trees' SVGs, with its size on screen. */
const treeTextSizes = (page: Page) => svgTextSizes(page.locator(".trees-svg text"));

test("presenter mode at 1920×1080: a 40-node stable tree keeps its text at 18 px or more, folding deep levels", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await open(page);
  await runScenario(page, BIG_TREE);
  const stable = page.getByRole("main").getByRole("figure", { name: "Stable tree", exact: true });
  await expect(stable.locator(".trees-stats")).toContainText(/^40 nodes/);
  const normal = await treeTextSizes(page);
  expect(Math.min(...normal.map((t) => t.px))).toBeLessThan(18); // the normal stage shrinks a big tree
  await setDrawer(page, false);
  await page.keyboard.press("p");
  await expect(page.locator("html.presenter")).toBeAttached();
  await expect
    .poll(async () => (await treeTextSizes(page)).filter((t) => t.px < 17.5).map((t) => `${t.px}: ${t.text}`))
    .toEqual([]);
  // Too wide for its box at that size: deep levels fold into "+N nodes" (a click shows them), no sideways scroll.
  await expect(
    stable.getByRole("button", { name: /^\d+ more nodes, \d+ levels, from node \d+ down/ }).first(),
  ).toBeVisible();
  const canvas = stable.locator(".trees-canvas");
  expect(await canvas.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  await page.screenshot({ path: "test-results/chains-presenter-big-tree-1920x1080.png" });
});
