/*
 * Plain geometry shared by the views' layout functions and the mapping
 * links: rectangles and points in CSS pixels, and cell grids (row-major,
 * a fixed pitch, cells a little smaller than the pitch).
 */

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A grid of equal cells: `cols` per row, `pitch` apart, each `cell` wide, starting at (left, top). */
export interface CellGrid {
  cols: number;
  pitch: number;
  cell: number;
  left: number;
  top: number;
}

/** Cell `index`'s rectangle in the grid's own coordinates. */
export function cellRect(g: CellGrid, index: number): Rect {
  const col = index % g.cols;
  const row = Math.floor(index / g.cols);
  return { x: g.left + col * g.pitch, y: g.top + row * g.pitch, w: g.cell, h: g.cell };
}

/** A grid moved by (dx, dy) and scaled by s about the origin of its coordinates. */
export function placeGrid(g: CellGrid, dx: number, dy: number, s = 1): CellGrid {
  return { cols: g.cols, pitch: g.pitch * s, cell: g.cell * s, left: dx + g.left * s, top: dy + g.top * s };
}

/**
 * Where a link between two cells leaves and arrives: the facing edges' midpoints
 * (bottom to top when b lies below a, top to bottom when above).
 */
export function facingEdges(a: Rect, b: Rect): { from: Point; to: Point } {
  const down = b.y + b.h / 2 >= a.y + a.h / 2;
  return {
    from: { x: a.x + a.w / 2, y: down ? a.y + a.h : a.y },
    to: { x: b.x + b.w / 2, y: down ? b.y : b.y + b.h },
  };
}

/** Where a link from a cell to a point leaves the cell: the edge facing the point. */
export function edgeToward(a: Rect, p: Point): Point {
  return { x: a.x + a.w / 2, y: p.y >= a.y + a.h / 2 ? a.y + a.h : a.y };
}
