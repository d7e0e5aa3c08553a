/*
 * How the kernels parse what is written to a sysfs file (lib/kstrtox.c,
 * lib/string.c). Numbers come back as bigints, so that no value above 2^53
 * is rounded; an error comes back as the errno the parser returns.
 */

const ULLONG_MAX = 2n ** 64n - 1n;

/**
 * 2.6.32's strict_strtoul(): decimal digits and one optional trailing
 * newline; no overflow check (the value wraps modulo 2^64). null: EINVAL.
 */
export function strictStrtoul(buf: string): bigint | null {
  const m = /^([0-9]+)\n?$/.exec(buf);
  return m ? BigInt(m[1]) & ULLONG_MAX : null;
}

/**
 * _kstrtoull() in base 10: digits, then one optional newline, nothing else.
 * More than 64 bits is ERANGE (checked before what follows the digits).
 */
function kstrtoullDigits(s: string): bigint | "EINVAL" | "ERANGE" {
  const m = /^[0-9]+/.exec(s);
  if (!m) return "EINVAL";
  const v = BigInt(m[0]);
  if (v > ULLONG_MAX) return "ERANGE";
  const rest = s.slice(m[0].length);
  return rest === "" || rest === "\n" ? v : "EINVAL";
}

/** kstrtoull() / kstrtoul(): also a leading '+'. */
export function kstrtoul(buf: string): bigint | "EINVAL" | "ERANGE" {
  return kstrtoullDigits(buf.startsWith("+") ? buf.slice(1) : buf);
}

/** kstrtouint(): kstrtoull(), and ERANGE above UINT_MAX. */
export function kstrtouint(buf: string): bigint | "EINVAL" | "ERANGE" {
  const v = kstrtoul(buf);
  return typeof v === "bigint" && v > 2n ** 32n - 1n ? "ERANGE" : v;
}

/** kstrtoint(): a leading '-' (then digits only) or '+', within INT_MIN..INT_MAX else ERANGE. */
export function kstrtoint(buf: string): bigint | "EINVAL" | "ERANGE" {
  const v = buf.startsWith("-") ? kstrtoullDigits(buf.slice(1)) : kstrtoul(buf);
  if (typeof v === "string") return v;
  const n = buf.startsWith("-") ? -v : v;
  return n < -(2n ** 31n) || n > 2n ** 31n - 1n ? "ERANGE" : n;
}

/**
 * kstrtobool(): only the first character counts (y Y t T 1 are true, n N f
 * F 0 false), or the first two for "on" and "of(f)". null: EINVAL.
 */
export function kstrtobool(buf: string): boolean | null {
  const c = buf[0] ?? "";
  if ("yYtT1".includes(c) && c !== "") return true;
  if ("nNfF0".includes(c) && c !== "") return false;
  if (c === "o" || c === "O") {
    const d = buf[1] ?? "";
    if (d === "n" || d === "N") return true;
    if (d === "f" || d === "F") return false;
  }
  return null;
}

/** sysfs_streq(): equal, but for one trailing newline on either side. */
export function sysfsStreq(a: string, b: string): boolean {
  const strip = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}
