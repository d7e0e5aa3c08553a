/**
 * Exceptions from the engine, as sentences for people. No JavaScript error
 * text reaches the app: a RangeError is the engine running out of room for
 * what was asked (the kernel would say ENOMEM); anything else is a fault in
 * the engine itself, said so plainly. The original goes to the console for
 * developers.
 */
export function failure(err: unknown, what: string): { errno: string; message: string } {
  console.error(err);
  if (err instanceof RangeError)
    return { errno: "ENOMEM", message: `${what} needs more memory than the simulated machine can hold` };
  return { errno: "EIO", message: `${what} made the engine fail (an internal fault, not your input)` };
}
