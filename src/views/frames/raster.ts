/*
 * Small raster helpers for drawing many cells straight into an ImageData
 * buffer: colours packed as 32-bit pixels, and filled or hatched rectangles.
 * Far cheaper than tens of thousands of fillRect calls with style changes.
 */

/**
 * An RGBA colour packed for an Int32Array view of ImageData (little-endian:
 * ABGR). Signed on purpose: opaque colours are then small negative integers,
 * which V8 keeps unboxed, so the pixel loops run several times faster.
 */
export type Pixel = number;

export function packRgba(r: number, g: number, b: number, a = 255): Pixel {
  return ((a & 255) << 24) | ((b & 255) << 16) | ((g & 255) << 8) | (r & 255);
}

export function unpackRgba(p: Pixel): [number, number, number, number] {
  return [p & 255, (p >>> 8) & 255, (p >>> 16) & 255, (p >>> 24) & 255];
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  // CSS Color 4 algorithm; s and l in 0..1, h in degrees.
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

const TRANSPARENT: Pixel = 0;

/**
 * Parse the colour forms the palette produces: #rgb, #rrggbb, #rrggbbaa,
 * hsl(h s% l%) / hsl(h, s%, l%), rgb(r g b) and "transparent".
 * Unknown strings give transparent.
 */
export function parseColor(css: string): Pixel {
  const c = css.trim().toLowerCase();
  if (c === "transparent") return TRANSPARENT;
  if (c.startsWith("#")) {
    const hex = c.slice(1);
    if (hex.length === 3) {
      const [r, g, b] = [...hex].map((d) => Number.parseInt(d + d, 16));
      return packRgba(r, g, b);
    }
    if (hex.length === 6 || hex.length === 8) {
      const r = Number.parseInt(hex.slice(0, 2), 16);
      const g = Number.parseInt(hex.slice(2, 4), 16);
      const b = Number.parseInt(hex.slice(4, 6), 16);
      const a = hex.length === 8 ? Number.parseInt(hex.slice(6, 8), 16) : 255;
      return packRgba(r, g, b, a);
    }
    return TRANSPARENT;
  }
  const m = /^(hsl|rgb)a?\(([^)]*)\)$/.exec(c);
  if (!m) return TRANSPARENT;
  const parts = m[2]
    .split(/[\s,/]+/)
    .filter((p) => p !== "")
    .map((p) => Number.parseFloat(p));
  if (parts.length < 3 || parts.slice(0, 3).some((n) => Number.isNaN(n))) return TRANSPARENT;
  const alpha = parts.length > 3 ? Math.round(Math.max(0, Math.min(1, parts[3])) * 255) : 255;
  if (m[1] === "rgb") return packRgba(parts[0], parts[1], parts[2], alpha);
  const [r, g, b] = hslToRgb(((parts[0] % 360) + 360) % 360, parts[1] / 100, parts[2] / 100);
  return packRgba(r, g, b, alpha);
}

/** Fill a w×h rectangle at (x, y) in a width-wide pixel buffer, clipped to the buffer. */
export function fillRectPx(
  buf: Int32Array,
  width: number,
  x: number,
  y: number,
  w: number,
  h: number,
  color: Pixel,
): void {
  const height = (buf.length / width) | 0;
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w);
  const y1 = Math.min(height, y + h);
  if (x1 <= x0) return;
  for (let row = y0; row < y1; row++) buf.fill(color, row * width + x0, row * width + x1);
}

/**
 * Fill a rectangle with diagonal hatching: every `period`-th diagonal in
 * `stripe`, the rest in `color`. Marks write-protected pages at any size.
 */
export function hatchRectPx(
  buf: Int32Array,
  width: number,
  x: number,
  y: number,
  w: number,
  h: number,
  color: Pixel,
  stripe: Pixel,
  period = 3,
): void {
  const height = (buf.length / width) | 0;
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w);
  const y1 = Math.min(height, y + h);
  for (let row = y0; row < y1; row++) {
    const base = row * width;
    // Phase of the first pixel on this row, then a counter instead of a modulo per pixel.
    let phase = (((x0 - x + row - y) % period) + period) % period;
    for (let col = x0; col < x1; col++) {
      buf[base + col] = phase === 0 ? stripe : color;
      if (++phase === period) phase = 0;
    }
  }
}

/** Content ids remembered before the id cache starts over (a long session sees many). */
const MAX_IDS = 1 << 18;

/**
 * A cache of parsed colours, and of content swatch colours by content id:
 * a repaint of 65,536 frames then costs a map lookup per frame rather than
 * building and parsing a colour string. Keep one per view for its lifetime.
 */
export class ColorCache {
  private readonly map = new Map<string, Pixel>();
  private readonly ids = new Map<number, Pixel>();

  get(css: string): Pixel {
    let p = this.map.get(css);
    if (p === undefined) {
      p = parseColor(css);
      this.map.set(css, p);
    }
    return p;
  }

  /** The pixel for a content id, given how the palette colours ids. */
  content(id: number, colorOf: (id: number) => string): Pixel {
    let p = this.ids.get(id);
    if (p === undefined) {
      if (this.ids.size >= MAX_IDS) this.ids.clear();
      p = this.get(colorOf(id));
      this.ids.set(id, p);
    }
    return p;
  }
}
