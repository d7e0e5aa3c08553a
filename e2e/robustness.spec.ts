import { deflateRawSync } from "node:zlib";
import { expect, type Page, test } from "@playwright/test";
import { caption, loadPreset, open } from "./helpers";

/*
 * Issue 9: nothing a user types, opens or leaves running takes the app down
 * or loses their work.
 */

const snapshot = (page: Page) => page.evaluate(() => window.ksmSnapshot?.() ?? "");
const messages = (page: Page) => page.getByRole("log", { name: "Messages" });
/** JavaScript's own error texts, which people must never see. */
const RAW = /typed array|RangeError|TypeError|undefined|is not a function|Unexpected token|atob/i;

/** A link's packed part, as the app packs it (deflate-raw, base64url). */
const pack = (value: unknown) => deflateRawSync(Buffer.from(JSON.stringify(value))).toString("base64url");

/** A link to an empty machine of 4096 frames with these runs of [count, action]. */
const linkOf = (runs: [number, unknown][], step: number) =>
  `#frames=4096&profile=linux-6.18&step=${step}&log=${pack(runs)}`;

/** The link: spawn, then mmap 8,589,934,592 pages. */
const HUGE_MMAP = linkOf(
  [
    [1, { type: "spawn", name: "A" }],
    [1, { type: "mmap", pid: 1, pages: 8_589_934_592 }],
  ],
  2,
);

/** Work in progress, at rest, with the address bar following it. */
async function someWork(page: Page): Promise<{ state: string; url: string }> {
  await open(page);
  await loadPreset(page, "two-processes-merge.json");
  for (let i = 1; i <= 3; i++) {
    await page.getByRole("button", { name: "Next step" }).click();
    await expect(page.getByText(`step ${i} of 15`)).toBeVisible();
  }
  await expect(page).toHaveURL(/#preset=two-processes-merge\.json&profile=linux-2\.6\.32&step=3&log=/);
  return { state: await snapshot(page), url: page.url() };
}

/** Open a link in the running app, as pasting it into the address bar does. */
const paste = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);

test.describe("robustness", () => {
  test("a refused link leaves the work, its picture and the address as they were, and says why", async ({
    page,
  }) => {
    const work = await someWork(page);
    await paste(page, HUGE_MMAP);
    const said = messages(page).getByText(/^could not open this link:/);
    await expect(said).toHaveText(
      'could not open this link: action 1, field "pages": must be 0 to 16777216 pages',
    );
    await expect(page).toHaveURL(work.url);
    await page.waitForTimeout(600); // the address follows the state 300 ms after it rests
    await expect(page).toHaveURL(work.url);
    expect(await snapshot(page)).toBe(work.state);
    await expect(page.getByText("step 3 of 15")).toBeVisible();
  });

  test("opened fresh, a refused link says why in words and leaves a working machine", async ({ page }) => {
    await page.goto(`/${HUGE_MMAP}`);
    await expect(page.locator('[data-ready="true"]')).toBeAttached();
    await expect(messages(page).getByText(/^could not open this link: action 1/)).toBeVisible();
    await expect(messages(page)).not.toContainText(RAW);
  });

  test("a link that would loop for ever is refused at once", async ({ page }) => {
    await page.goto(`/${linkOf([[1, { type: "ksmd-batch", times: 9007199254740991 }]], 1)}`);
    await expect(page.locator('[data-ready="true"]')).toBeAttached();
    await expect(
      messages(page).getByText(/^could not open this link: action 0, field "times"/),
    ).toBeVisible();
    // The engine still answers (ksmd's refusal is said in the caption).
    await page.getByRole("button", { name: /^Step forward/ }).click();
    await expect(caption(page)).toContainText("ksmd is idle");
  });

  test("a long link shows its progress and can be cancelled, changing nothing", async ({ page }) => {
    const work = await someWork(page);
    const long = linkOf(
      [
        [1, { type: "spawn", name: "A" }],
        [1, { type: "mmap", pid: 1, pages: 4096 }],
        [1, { type: "fill", pid: 1, addr: 0x7f00_0000_0000 - 4096 * 4096, pages: 4096, value: 1 }],
        [
          1,
          {
            type: "madvise",
            pid: 1,
            start: 0x7f00_0000_0000 - 4096 * 4096,
            len: 4096 * 4096,
            advice: "mergeable",
          },
        ],
        [1, { type: "sysfs-write", file: "run", value: "1" }],
        [20_000, { type: "ksmd-batch", times: 1000 }],
      ],
      20_005,
    );
    await paste(page, long);
    const status = page.getByRole("status").filter({ hasText: "opening…" });
    await expect(status).toBeVisible();
    await status.getByRole("button", { name: "Cancel" }).click();
    await expect(
      messages(page).getByText("could not open this link: cancelled: nothing was changed"),
    ).toBeVisible();
    await expect(status).toBeHidden();
    await expect(page).toHaveURL(work.url);
    expect(await snapshot(page)).toBe(work.state);
  });

  test("a worker that dies is noticed, and a restart brings the work back", async ({ page }) => {
    test.setTimeout(45_000);
    const work = await someWork(page);
    await page.evaluate(() => window.ksmWorker?.().terminate());
    // An idle page sends the worker nothing (issue 10), so the death is noticed with the next
    // command, whose ping goes unanswered.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("s");
    const offer = page.getByRole("alert").filter({ hasText: "The engine stopped" });
    await expect(offer).toBeVisible({ timeout: 10_000 });
    // Nothing waits for ever meanwhile: a command to the dead engine is answered at once.
    await offer.getByRole("button", { name: "Restart from the last state" }).click();
    await expect(offer).toBeHidden();
    await expect.poll(() => snapshot(page)).toBe(work.state);
    await expect(page.getByText("step 3 of 15")).toBeVisible();
    await page.getByRole("button", { name: "Next step" }).click();
    await expect(page.getByText("step 4 of 15")).toBeVisible();
  });

  test("a worker that throws is noticed at once, and a restart with a new machine works", async ({
    page,
  }) => {
    await someWork(page);
    // A message the worker cannot read makes it throw outside the engine host's care: an error event.
    await page.evaluate(() => window.ksmWorker?.().postMessage(null));
    const offer = page.getByRole("alert").filter({ hasText: "The engine stopped: it failed" });
    await expect(offer).toBeVisible();
    await offer.getByRole("button", { name: "Restart with a new machine" }).click();
    await expect(offer).toBeHidden();
    await expect(page.getByText(/step \d+ of 15/)).toBeHidden();
    await page.getByRole("button", { name: /^Step forward/ }).click();
    await expect(caption(page)).toContainText("ksmd is idle");
  });

  test("fast clicking through time, acting meanwhile, never shows an error", async ({ page }) => {
    await open(page);
    await loadPreset(page, "two-processes-merge.json");
    for (let i = 1; i <= 15; i++) {
      await page.getByRole("button", { name: "Next step" }).click();
      await expect(page.getByText(`step ${i} of 15`)).toBeVisible();
    }
    // Keys faster than any reply: each burst is pressed within one task, all from the same stale picture.
    // run=1 ("1") is a recorded action: it drops the future that the clicks after it aim at.
    const bursts = [
      ["[", "1", "]"],
      ["ArrowLeft", "ArrowLeft", "1", "]", "]"],
      ["[", "[", "1", "PageDown"],
    ];
    for (const keys of bursts)
      await page.evaluate((ks) => {
        for (const key of ks)
          document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
      }, keys);
    await page.waitForTimeout(1000);
    await expect(messages(page).locator(".message.error")).toHaveCount(0);
  });

  test("a long wait_scans runs to the end with progress, the engine answering all along", async ({
    page,
  }) => {
    test.setTimeout(60_000);
    // 8,192 distinct pages that differ only in their last byte within each group of 256, scanned 40 times
    // over: the unstable tree compares whole pages, so this one step is several seconds of engine work.
    const pages = 8192;
    const scenario = {
      name: "one long wait",
      memory_frames: pages + 4096,
      steps: [
        { op: "spawn", proc: "A" },
        { op: "mmap", proc: "A", region: "heap", pages },
        ...Array.from({ length: pages / 256 }, (_, v) => ({
          op: "fill",
          proc: "A",
          region: "heap",
          from: v * 256,
          pages: 256,
          value: v + 1,
        })),
        ...Array.from({ length: pages }, (_, i) => ({
          op: "write",
          proc: "A",
          region: "heap",
          page: i,
          offset: 4095,
          byte: i % 256,
        })),
        { op: "madvise", proc: "A", region: "heap", pages, advice: "mergeable" },
        { op: "sysfs", file: "pages_to_scan", value: "1000" },
        { op: "sysfs", file: "sleep_millisecs", value: "0" },
        { op: "sysfs", file: "run", value: "1" },
        { op: "wait_scans", n: 40 },
        { op: "snapshot", label: "scanned" },
      ],
    };
    await open(page);
    await page.locator('input[type="file"]').setInputFiles({
      name: "long-wait.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(scenario)),
    });
    await expect(page.getByText("one long wait")).toBeVisible();
    await page.getByRole("button", { name: "Run to the end" }).click();
    const status = page.getByRole("status").filter({ hasText: "running the scenario…" });
    await expect(status).toBeVisible();
    await expect(status).toBeHidden({ timeout: 45_000 });
    await expect(page.getByRole("alert").filter({ hasText: "The engine stopped" })).toHaveCount(0);
    // No two pages are equal: all of them wait in the unstable tree, none merged.
    await expect(page.getByTitle("scenario output")).toContainText(
      `Snapshot “scanned”: pages_shared 0, pages_sharing 0, pages_unshared ${pages}, pages_volatile 0, full_scans 40.`,
    );
  });
});
