/** Form input checks: a clear message for bad input, and nothing is sent. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A whole number in [min, max]; decimal, or hex with 0x. */
export function parseInteger(text: string, what: string, min: number, max: number): Parsed<number> {
  const s = text.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) return { ok: false, error: `${what} must be a whole number` };
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min || v > max)
    return { ok: false, error: `${what} must be from ${min} to ${max}` };
  return { ok: true, value: v };
}

/** A process name: 1–16 printable characters, like a comm. */
export function parseName(text: string): Parsed<string> {
  const s = text.trim();
  if (s.length === 0 || s.length > 16 || !/^[\x21-\x7e]+$/.test(s))
    return { ok: false, error: "a name is 1 to 16 letters, digits or symbols, no spaces" };
  return { ok: true, value: s };
}
