/*
 * Pictures of the views for slides: the trees and the counters chart as
 * standalone SVG (styles inlined, since the app's CSS does not travel with
 * the file) or PNG, physical memory as PNG (it is a canvas).
 */

export type Picture = "trees" | "chart" | "frames";

export const PICTURES: { id: Picture; label: string; svg: boolean }[] = [
  { id: "trees", label: "stable and unstable trees", svg: true },
  { id: "chart", label: "counters chart", svg: true },
  { id: "frames", label: "physical memory", svg: false },
];

const SVG_NS = "http://www.w3.org/2000/svg";
/** The computed properties that decide how SVG shapes and text look. */
const STYLE_PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "text-anchor",
  "dominant-baseline",
  "visibility",
  "display",
];

/** A copy of an SVG element with every element's look written into its style attribute. */
function inlined(svg: SVGSVGElement): SVGSVGElement {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll("*")];
  const to = [copy, ...copy.querySelectorAll("*")];
  from.forEach((el, i) => {
    const cs = getComputedStyle(el);
    (to[i] as SVGElement).setAttribute(
      "style",
      STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(";"),
    );
  });
  return copy;
}

function background(): string {
  return getComputedStyle(document.body).backgroundColor || "#fff";
}

/** A legend entry of a picture: a line (the chart's series) or a swatch (frame kinds). */
export interface LegendItem {
  label: string;
  color: string;
  /** stroke-dasharray of a line; absent for a swatch. */
  dash?: string;
  line?: boolean;
}

const TITLE_H = 26;
const LEGEND_H = 22;
const FONT = "system-ui, sans-serif";

/** The legend the view shows beside its picture, read from the page (so the file says what the page says). */
function legendOf(picture: Picture): LegendItem[] {
  if (picture === "chart")
    return [...document.querySelectorAll(".ksm-chart-legend li")].map((li) => {
      const line = li.querySelector("line");
      return {
        label: li.textContent?.trim() ?? "",
        color: line?.getAttribute("stroke") ?? "#000",
        dash: line?.getAttribute("stroke-dasharray") ?? undefined,
        line: true,
      };
    });
  if (picture === "frames")
    return [...document.querySelectorAll<HTMLElement>(".frames-legend li[data-kind]")].map((li) => ({
      label: li.textContent?.replace(/\s+/g, " ").trim() ?? "",
      color: li.querySelector<HTMLElement>(".frames-swatch")?.style.background || "#ccc",
    }));
  return [];
}

/** Each picture's title, as the page heads it. */
function titlesOf(picture: Picture, count: number): string[] {
  if (picture === "trees")
    return [...document.querySelectorAll(".trees-view .trees-title")].map((h) => h.textContent ?? "");
  if (picture === "chart") return Array(count).fill("Counters per full scan");
  const headline = document.querySelector(".frames-headline")?.textContent;
  return [`Physical memory${headline ? ` — ${headline}` : ""}`];
}

function svgText(x: number, y: number, text: string, size: number, weight = 400): SVGTextElement {
  const t = document.createElementNS(SVG_NS, "text");
  t.setAttribute("x", String(x));
  t.setAttribute("y", String(y));
  t.setAttribute("style", `font-family:${FONT};font-size:${size}px;font-weight:${weight};fill:#1d2329`);
  t.textContent = text;
  return t;
}

/** The legend as one row of SVG marks and labels (about 8 px a character). */
function svgLegend(items: LegendItem[], y: number): SVGGElement {
  const g = document.createElementNS(SVG_NS, "g");
  let x = 0;
  for (const it of items) {
    const mark = document.createElementNS(SVG_NS, it.line ? "line" : "rect");
    if (it.line) {
      mark.setAttribute("x1", String(x));
      mark.setAttribute("x2", String(x + 24));
      mark.setAttribute("y1", String(y - 4));
      mark.setAttribute("y2", String(y - 4));
      mark.setAttribute("style", `stroke:${it.color};stroke-width:2.5;stroke-dasharray:${it.dash ?? "none"}`);
    } else {
      mark.setAttribute("x", String(x));
      mark.setAttribute("y", String(y - 11));
      mark.setAttribute("width", "12");
      mark.setAttribute("height", "12");
      mark.setAttribute("style", `fill:${it.color};stroke:#555;stroke-width:0.5`);
    }
    g.append(mark, svgText(x + (it.line ? 28 : 16), y, it.label, 12));
    x += (it.line ? 36 : 24) + it.label.length * 7.5 + 14;
  }
  return g;
}

/** Several SVGs side by side in one standalone SVG document, each under its title, the legend below. */
function combineSvg(
  svgs: SVGSVGElement[],
  titles: string[],
  legend: LegendItem[],
): { text: string; width: number; height: number } {
  const out = document.createElementNS(SVG_NS, "svg");
  let x = 0;
  let height = 0;
  const parts: SVGElement[] = [];
  svgs.forEach((svg, i) => {
    const box = svg.getBoundingClientRect();
    const part = inlined(svg);
    part.setAttribute("x", String(x));
    part.setAttribute("y", String(TITLE_H));
    part.setAttribute("width", String(box.width));
    part.setAttribute("height", String(box.height));
    if (titles[i]) parts.push(svgText(x, 18, titles[i], 16, 600));
    parts.push(part);
    x += box.width + 16;
    height = Math.max(height, box.height);
  });
  const width = Math.max(1, x - 16);
  const total = TITLE_H + height + (legend.length ? LEGEND_H + 6 : 0);
  if (legend.length) parts.push(svgLegend(legend, TITLE_H + height + LEGEND_H));
  out.setAttribute("xmlns", SVG_NS);
  out.setAttribute("width", String(width));
  out.setAttribute("height", String(total));
  out.setAttribute("viewBox", `0 0 ${width} ${total}`);
  const bg = document.createElementNS(SVG_NS, "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.setAttribute("fill", background());
  out.append(bg, ...parts);
  return { text: new XMLSerializer().serializeToString(out), width, height: total };
}

function svgsOf(picture: Picture): SVGSVGElement[] {
  const selector = picture === "trees" ? ".trees-view svg.trees-svg" : ".ksm-chart-box > svg";
  return [...document.querySelectorAll<SVGSVGElement>(selector)];
}

async function svgToPng(svg: { text: string; width: number; height: number }): Promise<Blob> {
  const img = new Image();
  img.src = URL.createObjectURL(new Blob([svg.text], { type: "image/svg+xml" }));
  await img.decode();
  const scale = 2; // sharp on a projector
  const canvas = document.createElement("canvas");
  canvas.width = svg.width * scale;
  canvas.height = svg.height * scale;
  const ctx = canvas.getContext("2d")!;
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0);
  URL.revokeObjectURL(img.src);
  return toBlob(canvas);
}

function toBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error("the picture could not be encoded"))),
      "image/png",
    ),
  );
}

/** The frame map's two layers (frames, and the outlines drawn over them) as one PNG, under its title, the legend below. */
function framesPng(): Promise<Blob> {
  const layers = [".frames-base", ".frames-overlay"].map((s) => document.querySelector<HTMLCanvasElement>(s));
  const [base, over] = layers;
  if (!base) throw new Error("physical memory is not on screen");
  const legend = legendOf("frames");
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(base.width, 520);
  canvas.height = TITLE_H + base.height + (legend.length ? LEGEND_H + 6 : 0);
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = background();
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#1d2329";
  ctx.font = `600 16px ${FONT}`;
  ctx.fillText(titlesOf("frames", 1)[0], 0, 18);
  ctx.drawImage(base, 0, TITLE_H);
  if (over) ctx.drawImage(over, 0, TITLE_H);
  ctx.font = `12px ${FONT}`;
  let x = 0;
  const y = TITLE_H + base.height + LEGEND_H;
  for (const it of legend) {
    ctx.fillStyle = it.color;
    ctx.fillRect(x, y - 11, 12, 12);
    ctx.fillStyle = "#1d2329";
    ctx.fillText(it.label, x + 16, y);
    x += 16 + ctx.measureText(it.label).width + 14;
  }
  return toBlob(canvas);
}

/** A picture of a view in the chosen format, as a file's contents. */
export async function pictureOf(picture: Picture, format: "svg" | "png"): Promise<Blob> {
  if (picture === "frames") return framesPng();
  const svgs = svgsOf(picture);
  if (svgs.length === 0) throw new Error(`the ${picture} view is not on screen`);
  const svg = combineSvg(svgs, titlesOf(picture, svgs.length), legendOf(picture));
  return format === "svg" ? new Blob([svg.text], { type: "image/svg+xml" }) : svgToPng(svg);
}

/** Hand a file to the browser to save. */
export function download(name: string, blob: Blob): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
