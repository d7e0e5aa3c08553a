import { expect, type Locator, type Page } from "@playwright/test";
import { caption, loadPreset, openStage, setDrawer, sysfs } from "./helpers";

/* What every stage test measures: the parts in view, none overlapping, no page scrolled out, text sizes. */

export const SIZES = [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** The parts of the stage that must all be in view at once. */
export function stageParts(page: Page): Record<string, Locator> {
  const stage = page.getByRole("main", { name: "The stage" });
  return {
    processes: stage.locator(".stage-processes"),
    memory: stage.locator(".stage-memory"),
    "stable tree": stage.getByRole("figure", { name: "Stable tree", exact: true }),
    "unstable tree": stage.getByRole("figure", { name: "Unstable tree" }),
    counters: stage.getByRole("table", { name: /Files in \/sys\/kernel\/mm\/ksm: counters/ }),
    caption: caption(page),
    "step bar": page.getByRole("group", { name: "Step bar" }),
  };
}

export type Box = { x: number; y: number; width: number; height: number };

export const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Every part (and the `extra` ones: an open panel) lies inside the viewport
 * and no two overlap (the trees lie inside their box, so not the box).
 */
export async function expectStageFits(page: Page, extra: Record<string, Locator> = {}): Promise<void> {
  const view = page.viewportSize()!;
  const boxes: [string, Box][] = [];
  for (const [name, part] of Object.entries({ ...stageParts(page), ...extra })) {
    await expect(part, name).toBeVisible();
    const b = (await part.boundingBox())!;
    expect(b.x, `${name} left`).toBeGreaterThanOrEqual(0);
    expect(b.y, `${name} top`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${name} right`).toBeLessThanOrEqual(view.width);
    expect(b.y + b.height, `${name} bottom`).toBeLessThanOrEqual(view.height);
    boxes.push([name, b]);
  }
  for (const [i, [a, ba]] of boxes.entries())
    for (const [b, bb] of boxes.slice(i + 1)) expect(overlap(ba, bb), `${a} overlaps ${b}`).toBe(false);
  // Nothing scrolls but inside a panel.
  const scroll = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.scrollHeight,
  ]);
  expect(scroll).toEqual([view.width, view.height]);
}

/** Every page button of every process lies inside the processes box as it shows now (none scrolled out). */
export async function expectEveryPageInSight(page: Page, processes: number): Promise<void> {
  const box = page.getByRole("main", { name: "The stage" }).locator(".stage-processes");
  await expect(box.locator(".pv-process")).toHaveCount(processes);
  const shown = await box.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  });
  const pages = await box.locator(".pv-page").evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return {
        label: el.getAttribute("aria-label") ?? "",
        top: r.top,
        bottom: r.bottom,
        left: r.left,
        right: r.right,
      };
    }),
  );
  expect(pages.length).toBeGreaterThan(0);
  const hidden = pages.filter(
    (p) => p.top < shown.top || p.bottom > shown.bottom || p.left < shown.left || p.right > shown.right,
  );
  expect(hidden.map((p) => p.label)).toEqual([]);
}

/**
 * Every visible text on the stage and its foot, HTML and SVG alike, as
 * rendered, that is under 18 px (17.5 for rounding): "size: text".
 */
export async function smallTexts(page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    const out: string[] = [];
    const roots = document.querySelectorAll(".stage, .stage-foot");
    for (const root of roots) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !n.textContent?.trim() || el.closest(".sr-only, [hidden], option")) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
        let px = Number.parseFloat(style.fontSize);
        const svg = el.closest("svg");
        if (svg) {
          // SVG text is scaled with its picture: the font size times the scale on screen.
          const m = (el as unknown as SVGGraphicsElement).getScreenCTM?.();
          if (m) px *= Math.hypot(m.a, m.b);
        }
        if (px < 17.5) out.push(`${px.toFixed(1)}px: ${n.textContent.trim().slice(0, 30)}`);
      }
    }
    return out;
  });
}

/**
 * The drawn SVG texts `texts` finds, each with its size on screen: its font size
 * times its picture's scale (CSS px), as a reader at the back of a room sees it.
 */
export async function svgTextSizes(texts: Locator): Promise<{ px: number; text: string }[]> {
  return await texts.evaluateAll((els) =>
    els
      .filter((t) => t.textContent?.trim() && t.getBoundingClientRect().width > 0)
      .map((t) => {
        const m = (t as SVGGraphicsElement).getScreenCTM();
        const px = Number.parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
        return { px, text: t.textContent ?? "" };
      }),
  );
}

/** The two-processes preset run to its end, the drawer closed again. */
export async function mergedStage(page: Page): Promise<void> {
  await openStage(page);
  await setDrawer(page, true);
  await loadPreset(page, "two-processes-merge.json");
  await page.getByRole("button", { name: "Run to the end" }).click();
  await expect(sysfs(page, "pages_sharing")).toHaveText("6");
  await setDrawer(page, false);
  // One page step, so the caption tells a step of ksmd.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowRight");
  await expect(caption(page)).toContainText("ksmd visits page");
}
