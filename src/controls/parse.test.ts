import { describe, expect, it } from "vitest";
import { parseInteger, parseName } from "./parse";

describe("form input", () => {
  it("accepts decimal and hex whole numbers in range", () => {
    expect(parseInteger(" 12 ", "pages", 1, 64)).toEqual({ ok: true, value: 12 });
    expect(parseInteger("0x10", "value", 0, 0xffffffff)).toEqual({ ok: true, value: 16 });
  });
  it("rejects everything else with a message naming the field", () => {
    for (const bad of ["", "-1", "1.5", "abc", "1e3", "0x"])
      expect(parseInteger(bad, "pages", 1, 64)).toEqual({ ok: false, error: "pages must be a whole number" });
    expect(parseInteger("65", "pages", 1, 64)).toEqual({ ok: false, error: "pages must be from 1 to 64" });
  });
  it("checks process names", () => {
    expect(parseName("web-1")).toEqual({ ok: true, value: "web-1" });
    expect(parseName("two words").ok).toBe(false);
    expect(parseName("").ok).toBe(false);
    expect(parseName("x".repeat(17)).ok).toBe(false);
  });
});
