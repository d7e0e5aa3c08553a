/*
 * The modelled time of a one-byte user write, by what the kernel had to do
 * for it. Deterministic constants (no clock): medians measured on this
 * project's machine, Linux 6.18, 2000 pages each (README "Write cost model"):
 * /work/shared/tools/cowtime.c for the KSM and plain writes, a companion
 * program timing first touch, fork COW and reuse the same way.
 */
export type WriteKind =
  /** the PTE was writable: a plain store, no fault */
  | "plain"
  /** do_wp_page() found the page mapped only here: made writable, no copy */
  | "wp-reuse"
  /** do_anonymous_page() (or a write to the zero page): a new zeroed frame */
  | "first-touch"
  /** do_wp_page() copied an anonymous page still shared after fork */
  | "cow-anon"
  /** do_wp_page() copied a KSM page: the side channel */
  | "cow-ksm";

/** Nanoseconds per write kind: round figures within the measured medians (151–197, 768–803, 1548–1743, 2753–3019, 2558–3286 ns). */
export const WRITE_COST_NS: Readonly<Record<WriteKind, number>> = {
  plain: 150,
  "wp-reuse": 800,
  "first-touch": 1600,
  "cow-anon": 2900,
  "cow-ksm": 2800,
};

/** A time in µs as the views print it: 0.15 µs, 2.8 µs. */
export function formatWriteNs(ns: number): string {
  return `${Number((ns / 1000).toPrecision(2))} µs`;
}
