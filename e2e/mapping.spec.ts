import { expect, type Page, test } from "@playwright/test";
import { loadPreset, open, openStage, startProcess, sysfs, writeByte } from "./helpers";

interface Link {
  page: string;
  pid: number;
  addr: number;
  pfn: number;
  end: { x: number; y: number };
}

/** The mapping overlay's page links and frame outlines, as the SVG has them. */
async function mapping(page: Page) {
  return page.locator("svg.mapping-links").evaluate((svg) => {
    const links = [...svg.querySelectorAll("path.mapping-link")].map((p) => {
      const key = p.getAttribute("data-page") ?? "";
      const [pid, addr] = key.split(":").map(Number);
      const nums = (p.getAttribute("d") ?? "").match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
      return {
        page: key,
        pid,
        addr,
        pfn: Number(p.getAttribute("data-pfn")),
        end: { x: nums[nums.length - 2], y: nums[nums.length - 1] },
      };
    });
    const frames = [...svg.querySelectorAll("rect.mapping-frame")].map((r) => {
      const n = (a: string) => Number(r.getAttribute(a));
      return {
        pfn: n("data-pfn"),
        links: n("data-links"),
        // The frame cell inside the outline (marks.ts pads it by 1.5 px): where links arrive, its top edge.
        top: { x: n("x") + n("width") / 2, y: n("y") + 1.5 },
        cell: n("width") - 3,
      };
    });
    const nodeLinks = [...svg.querySelectorAll("path.mapping-node-link")].map((p) => ({
      pfn: Number(p.getAttribute("data-pfn")),
      node: Number(p.getAttribute("data-node")),
    }));
    return { links, frames, nodeLinks };
  });
}

function endsAtFrame(link: Link, frames: { pfn: number; top: { x: number; y: number } }[]) {
  const f = frames.find((x) => x.pfn === link.pfn);
  expect(f, `an outlined frame ${link.pfn} at the end of ${link.page}`).toBeDefined();
  expect(Math.abs(link.end.x - f!.top.x)).toBeLessThan(0.3);
  expect(Math.abs(link.end.y - f!.top.y)).toBeLessThan(0.3);
}

/** The frame cell's centre on the page, from the frames canvas and the link's own end. */
async function frameCellUnder(page: Page, end: { x: number; y: number }) {
  const svg = await page.locator("svg.mapping-links").boundingBox();
  const canvas = await page.locator("canvas.frames-base").boundingBox();
  const x = svg!.x + end.x;
  const y = svg!.y + end.y;
  // (The link arrives on the cell's top edge: half a pixel in.)
  return (
    x >= canvas!.x &&
    x <= canvas!.x + canvas!.width &&
    y + 0.5 >= canvas!.y &&
    y <= canvas!.y + canvas!.height
  );
}

/**
 * The colour the frames canvas painted just inside a link's end: near the top
 * left of its frame cell (`cell` px wide), clear of the mapcount.
 */
async function paintedAt(page: Page, end: { x: number; y: number }, cell: number): Promise<string> {
  const svg = (await page.locator("svg.mapping-links").boundingBox())!;
  const canvas = (await page.locator("canvas.frames-base").boundingBox())!;
  return page.locator("canvas.frames-base").evaluate(
    (c: HTMLCanvasElement, at) => {
      const scale = c.width / c.getBoundingClientRect().width;
      const [r, g, b] = c
        .getContext("2d")!
        .getImageData(Math.round(at.x * scale), Math.round(at.y * scale), 1, 1).data;
      return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
    },
    { x: svg.x + end.x - canvas.x - Math.min(9, cell / 2 - 2), y: svg.y + end.y - canvas.y + 2 },
  );
}

test("a merge: both processes' pages come to point at one frame", async ({ page }) => {
  await open(page);
  await startProcess(page, /^Twins/, { advise: true });
  await startProcess(page, /^Twins/, { advise: true });
  await expect(page.locator("svg.mapping-links path.mapping-link")).toHaveCount(8);
  let m = await mapping(page);
  expect(new Set(m.links.map((l) => l.pfn)).size).toBe(8);
  for (const l of m.links) endsAtFrame(l, m.frames);
  expect(await frameCellUnder(page, m.links[0].end)).toBe(true);
  // The page buttons' layout function agrees with the browser's: each link leaves its button's bottom edge.
  const svgBox = (await page.locator("svg.mapping-links").boundingBox())!;
  for (const [i, l] of m.links.filter((x) => x.pid === 2).entries()) {
    const button = (await page
      .getByRole("button", { name: new RegExp(`^twins2 page ${i} `) })
      .boundingBox())!;
    const start = await page.locator(`svg.mapping-links path[data-page="${l.page}"]`).evaluate((p) =>
      (p.getAttribute("d") ?? "")
        .match(/^M(-?[\d.]+),(-?[\d.]+)/)!
        .slice(1)
        .map(Number),
    );
    expect(Math.abs(svgBox.x + start[0] - (button.x + button.width / 2))).toBeLessThan(0.6);
    expect(Math.abs(svgBox.y + start[1] - (button.y + button.height))).toBeLessThan(0.6);
  }

  await page.keyboard.press("f");
  await page.keyboard.press("f");
  await expect(sysfs(page, "pages_sharing")).toHaveText("7");
  await expect(page.locator("svg.mapping-links rect.mapping-frame")).toHaveCount(1);
  // The trees draw a moment after memory: wait for the node's link before reading the overlay.
  await expect(page.locator("svg.mapping-links path.mapping-node-link")).toHaveCount(1);
  m = await mapping(page);
  expect(m.links).toHaveLength(8);
  const kpfn = m.links[0].pfn;
  expect(m.links.every((l) => l.pfn === kpfn)).toBe(true);
  expect(new Set(m.links.map((l) => l.pid))).toEqual(new Set([1, 2]));
  for (const l of m.links) endsAtFrame(l, m.frames);
  expect(m.frames).toEqual([expect.objectContaining({ pfn: kpfn, links: 8 })]);
  // The KSM frame leads on to its node in the stable tree.
  expect(m.nodeLinks).toEqual([expect.objectContaining({ pfn: kpfn })]);
});

test("a COW fault: one link peels off to a new frame", async ({ page }) => {
  await open(page);
  await loadPreset(page, "two-processes-merge.json");
  await page.getByRole("button", { name: "Run to the end" }).click();
  await expect(sysfs(page, "pages_sharing")).toHaveText("6");
  let m = await mapping(page);
  const firstOf = (pid: number) => m.links.filter((l) => l.pid === pid).sort((a, b) => a.addr - b.addr)[0];
  const a0 = firstOf(1);
  const b0 = firstOf(2);
  expect(b0.pfn).toBe(a0.pfn); // merged: one KSM frame

  await writeByte(page, "B (pid 2)", 0, "0x41");
  await expect(page.locator(`svg.mapping-links path[data-page="${b0.page}"]`)).not.toHaveAttribute(
    "data-pfn",
    String(a0.pfn),
  );
  m = await mapping(page);
  const b1 = m.links.find((l) => l.page === b0.page)!;
  const a1 = m.links.find((l) => l.page === a0.page)!;
  expect(a1.pfn).toBe(a0.pfn); // A still maps the KSM page
  expect(b1.pfn).not.toBe(a0.pfn); // B's page peeled off to its own copy
  endsAtFrame(b1, m.frames);
  endsAtFrame(a1, m.frames);
  // And on the frames canvas: A's link ends on a KSM frame (orange), B's on its anonymous copy (sky blue).
  const cell = (l: Link) => m.frames.find((f) => f.pfn === l.pfn)!.cell;
  expect(await paintedAt(page, a1.end, cell(a1))).toBe("#e69f00");
  expect(await paintedAt(page, b1.end, cell(b1))).toBe("#56b4e9");
  expect(await frameCellUnder(page, b1.end)).toBe(true);
});

test("focus: selecting a page draws only its process's links", async ({ page }) => {
  await open(page);
  await startProcess(page, /^Twins/, { advise: true });
  await startProcess(page, /^Twins/, { advise: true });
  await expect(page.locator("svg.mapping-links path.mapping-link")).toHaveCount(8);
  await page.getByRole("button", { name: /^twins2 page 0 / }).click();
  await expect(page.locator("svg.mapping-links")).toHaveAttribute("data-pid", "2");
  const m = await mapping(page);
  expect(m.links.map((l) => l.pid)).toEqual([2, 2, 2, 2]);
});

test("fork: the child's pages share the parent's frames, links in the shared-by-fork colour", async ({
  page,
}) => {
  await open(page);
  await startProcess(page, /^Web worker/, { advise: true });
  await expect(page.locator("svg.mapping-links path.mapping-link")).toHaveCount(8);
  const parent = (await mapping(page)).links;
  await page.getByRole("button", { name: "Fork", exact: true }).click();
  await expect(page.locator("svg.mapping-links path.mapping-link")).toHaveCount(16);
  const m = await mapping(page);
  const child = m.links.filter((l) => l.pid === 2);
  expect(child.map((l) => l.pfn)).toEqual(parent.map((l) => l.pfn));
  for (const l of m.links) endsAtFrame(l, m.frames);
  await expect(page.locator("svg.mapping-links path.mapping-fork")).toHaveCount(16);
  expect(m.frames.every((f) => f.links === 2)).toBe(true);
});

test("a process scrolled out of the processes box draws no links that end in nowhere", async ({ page }) => {
  // Lesson 4 at 1366×768 with the drawer open: four processes, not all of them in sight.
  await page.setViewportSize({ width: 1366, height: 768 });
  await openStage(page, "#lesson=stable-tree&profile=linux-2.6.32&step=3");
  const box = (await page.locator(".stage-processes").boundingBox())!;
  const svg = (await page.locator("svg.mapping-links").boundingBox())!;
  const starts = await page.locator("svg.mapping-links path.mapping-link").evaluateAll((paths) =>
    paths.map((p) =>
      (p.getAttribute("d") ?? "")
        .match(/-?\d+(\.\d+)?/g)!
        .slice(0, 2)
        .map(Number),
    ),
  );
  expect(starts.length).toBeGreaterThan(0);
  for (const [x, y] of starts) {
    expect(svg.x + x).toBeGreaterThanOrEqual(box.x);
    expect(svg.x + x).toBeLessThanOrEqual(box.x + box.width);
    expect(svg.y + y).toBeGreaterThanOrEqual(box.y);
    expect(svg.y + y).toBeLessThanOrEqual(box.y + box.height);
  }
});
