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

/** Several SVGs side by side in one standalone SVG document. */
function combineSvg(svgs: SVGSVGElement[]): { text: string; width: number; height: number } {
  const out = document.createElementNS(SVG_NS, "svg");
  let x = 0;
  let height = 0;
  const parts: SVGSVGElement[] = [];
  for (const svg of svgs) {
    const box = svg.getBoundingClientRect();
    const part = inlined(svg);
    part.setAttribute("x", String(x));
    part.setAttribute("width", String(box.width));
    part.setAttribute("height", String(box.height));
    parts.push(part);
    x += box.width + 16;
    height = Math.max(height, box.height);
  }
  const width = Math.max(1, x - 16);
  out.setAttribute("xmlns", SVG_NS);
  out.setAttribute("width", String(width));
  out.setAttribute("height", String(height));
  out.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const bg = document.createElementNS(SVG_NS, "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.setAttribute("fill", background());
  out.append(bg, ...parts);
  return { text: new XMLSerializer().serializeToString(out), width, height };
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

/** The frame map's two layers (frames, and the outlines drawn over them) as one PNG. */
function framesPng(): Promise<Blob> {
  const layers = [".frames-base", ".frames-overlay"].map((s) => document.querySelector<HTMLCanvasElement>(s));
  const [base, over] = layers;
  if (!base) throw new Error("physical memory is not on screen");
  const canvas = document.createElement("canvas");
  canvas.width = base.width;
  canvas.height = base.height;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = background();
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(base, 0, 0);
  if (over) ctx.drawImage(over, 0, 0);
  return toBlob(canvas);
}

/** A picture of a view in the chosen format, as a file's contents. */
export async function pictureOf(picture: Picture, format: "svg" | "png"): Promise<Blob> {
  if (picture === "frames") return framesPng();
  const svgs = svgsOf(picture);
  if (svgs.length === 0) throw new Error(`the ${picture} view is not on screen`);
  const svg = combineSvg(svgs);
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
