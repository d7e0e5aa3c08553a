/** The drawn sizes of the trees' marks, in viewBox units. */
export const NODE_R = 13;
/** A "more" placeholder (collapsed or unsent subtrees). */
export const MORE_W = 50;
export const MORE_H = 30;
export const STALE_STROKE = "#777777";
