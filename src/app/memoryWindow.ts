/** The fewest frames the stage shows: a small machine's grid stays the same until it fills. */
const MIN_SHOWN = 64;

/**
 * How many frames (from frame 0) the stage shows: up to the highest frame in
 * use (the snapshot index's topFrame), rounded up to a power of two (at least 64), so the cells are as large
 * as the box allows and the grid changes size only when memory use doubles.
 * Every frame above is free.
 */
export function framesShown(top: number, count: number): number {
  let shown = MIN_SHOWN;
  while (shown < top + 1) shown *= 2;
  return Math.min(count, shown);
}
