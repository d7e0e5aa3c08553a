import { describe, expect, it } from "vitest";
import { ContentIds, sysfsWrite, takeSnapshot } from "../../engine";
import { testKernel } from "../frames/fixtures";
import {
  changedNames,
  emptyEntries,
  formatBytes,
  formatRatio,
  formatSignedBytes,
  memorySaved,
  modeString,
  profitLine,
  ratioLines,
  sysfsEntries,
} from "./format";
import { fakeSnapshot } from "./testing";

describe("sysfs listing", () => {
  it("lists 2.6.32's files as ls sorts them, knobs rw and counters ro", () => {
    const s = fakeSnapshot("linux-2.6.32", { pages_shared: 3, pages_sharing: 9, full_scans: 4 });
    expect(sysfsEntries(s)).toEqual([
      { name: "full_scans", value: "4", writable: false },
      { name: "max_kernel_pages", value: "2000", writable: true },
      { name: "pages_shared", value: "3", writable: false },
      { name: "pages_sharing", value: "9", writable: false },
      { name: "pages_to_scan", value: "200", writable: true },
      { name: "pages_unshared", value: "0", writable: false },
      { name: "pages_volatile", value: "0", writable: false },
      { name: "run", value: "1", writable: true },
      { name: "sleep_millisecs", value: "20", writable: true },
    ]);
  });

  it("has pages_scanned and no max_kernel_pages on 6.18", () => {
    const names = sysfsEntries(fakeSnapshot("linux-6.18", { pages_scanned: 77 })).map((e) => e.name);
    expect(names).toContain("pages_scanned");
    expect(names).not.toContain("max_kernel_pages");
    const scanned = sysfsEntries(fakeSnapshot("linux-6.18", { pages_scanned: 77 })).find(
      (e) => e.name === "pages_scanned",
    );
    expect(scanned).toEqual({ name: "pages_scanned", value: "77", writable: false });
  });

  it("shows each file as the engine's sysfs text, even a knob too large for a number", () => {
    const k = testKernel("linux-2.6.32", 2);
    expect(sysfsWrite(k, "max_kernel_pages", "18446744073709551615\n")).toBe(0);
    const s = takeSnapshot(k, new ContentIds());
    expect(sysfsEntries(s).find((e) => e.name === "max_kernel_pages")?.value).toBe("18446744073709551615");
    expect(String(s.knobs.maxKernelPages)).not.toBe("18446744073709551615");
  });

  it("lists the files with no values before the first update", () => {
    expect(emptyEntries("linux-6.18").every((e) => e.value === "")).toBe(true);
    expect(emptyEntries("linux-6.18")).toHaveLength(24);
  });

  it("gives sysfs's modes", () => {
    expect(modeString(true)).toBe("-rw-r--r--");
    expect(modeString(false)).toBe("-r--r--r--");
  });

  it("finds the files whose values changed", () => {
    const a = sysfsEntries(fakeSnapshot("linux-2.6.32", { pages_shared: 1 }));
    const b = sysfsEntries(fakeSnapshot("linux-2.6.32", { pages_shared: 2, full_scans: 1 }, { run: 0 }));
    expect(changedNames(a, b)).toEqual(["full_scans", "pages_shared", "run"]);
    expect(changedNames(a, a)).toEqual([]);
    expect(changedNames([], b)).toEqual([]);
  });
});

describe("memory saved", () => {
  it("is pages_sharing × 4 KiB in binary units", () => {
    expect(memorySaved(0)).toEqual({ bytes: 0, text: "0 bytes" });
    expect(memorySaved(1)).toEqual({ bytes: 4096, text: "4 KiB" });
    expect(memorySaved(3).text).toBe("12 KiB");
    expect(memorySaved(256).text).toBe("1 MiB");
    expect(memorySaved(384).text).toBe("1.5 MiB");
    expect(memorySaved(1000).text).toBe("3.91 MiB");
    expect(memorySaved(262144 * 5).text).toBe("5 GiB");
  });

  it("formats bytes with at most three significant digits", () => {
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(1023)).toBe("1023 bytes");
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(10.5 * 1024)).toBe("10.5 KiB");
    expect(formatBytes(123.4 * 1024)).toBe("123 KiB");
    expect(formatBytes(-1)).toBe("—");
  });
});

describe("ratios", () => {
  it("divides with at most two decimals, and shows — for a zero denominator", () => {
    expect(formatRatio(9, 3)).toBe("3");
    expect(formatRatio(5, 2)).toBe("2.5");
    expect(formatRatio(1, 3)).toBe("0.33");
    expect(formatRatio(0, 4)).toBe("0");
    expect(formatRatio(5, 0)).toBe("—");
    expect(formatRatio(0, 0)).toBe("—");
  });

  it("reads the two ratios as Documentation/vm/ksm.txt does", () => {
    const [sharing, unshared] = ratioLines(
      fakeSnapshot("linux-2.6.32", { pages_shared: 2, pages_sharing: 8, pages_unshared: 4 }).counters,
    );
    expect(sharing.label).toBe("pages_sharing / pages_shared");
    expect(sharing.value).toBe("4");
    expect(sharing.meaning).toMatch(/^high is good sharing/);
    expect(unshared.label).toBe("pages_unshared / pages_sharing");
    expect(unshared.value).toBe("0.5");
    expect(unshared.meaning).toMatch(/^high means wasted effort/);
    const none = ratioLines(fakeSnapshot("linux-6.18").counters);
    expect(none.map((r) => r.value)).toEqual(["—", "—"]);
  });
});

describe("general_profit", () => {
  it("signs bytes with a true minus sign", () => {
    expect(formatSignedBytes(-384)).toBe("\u2212384 bytes");
    expect(formatSignedBytes(4224)).toBe("+4224 bytes");
    expect(formatSignedBytes(-1)).toBe("\u22121 byte");
    expect(formatSignedBytes(-20480)).toBe("\u221220 KiB");
    expect(formatSignedBytes(0)).toBe("0 bytes");
  });

  it("takes the value from the snapshot and states the kernel's formula with its inputs", () => {
    const s = fakeSnapshot("linux-6.18", {
      pages_sharing: 3,
      ksm_zero_pages: 2,
      rmap_items: 10,
      general_profit: 19840,
    });
    expect(profitLine(s)).toEqual({
      bytes: 19840,
      text: "+19.4 KiB",
      negative: false,
      formula: "(pages_sharing 3 + ksm_zero_pages 2) × 4096 − rmap_items 10 × 64",
    });
    expect(profitLine({ ...s, counters: { ...s.counters, general_profit: -1 } })?.negative).toBe(true);
  });

  it("is absent on 2.6.32", () => {
    expect(profitLine(fakeSnapshot("linux-2.6.32", { general_profit: 0 }))).toBeNull();
  });
});
