/**
 * Engine work that may be long, in pieces: it yields between them, at points
 * fixed by the work (as the kernel's cond_resched()), never by a clock, so a
 * host may go and do something else there (the worker answers its pings);
 * it returns its result at the end. Run at once, it is the same work.
 */
export type Slices<T> = Generator<void, T, void>;

/** Run work in pieces to its end at once. */
export function drain<T>(work: Slices<T>): T {
  for (;;) {
    const n = work.next();
    if (n.done) return n.value;
  }
}
