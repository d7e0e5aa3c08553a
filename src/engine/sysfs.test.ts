import { beforeAll, describe, expect, it } from "vitest";
import { PROFILES, type ProfileName } from "./ksm/profile";
import { SYSFS_DIR, sysfsFiles, sysfsRead, sysfsWritable, sysfsWrite } from "./sysfs";
import { ctr, loadEngine, mergeableProc, newKernel, ofType, record, scans } from "./testing";

beforeAll(loadEngine);

const FILES: Record<ProfileName, string[]> = {
  "linux-2.6.32": [
    "full_scans",
    "max_kernel_pages",
    "pages_shared",
    "pages_sharing",
    "pages_to_scan",
    "pages_unshared",
    "pages_volatile",
    "run",
    "sleep_millisecs",
  ],
  // As `ls /sys/kernel/mm/ksm/` lists them on a 6.18 kernel.
  "linux-6.18": [
    "advisor_max_cpu",
    "advisor_max_pages_to_scan",
    "advisor_min_pages_to_scan",
    "advisor_mode",
    "advisor_target_scan_time",
    "full_scans",
    "general_profit",
    "ksm_zero_pages",
    "max_page_sharing",
    "merge_across_nodes",
    "pages_scanned",
    "pages_shared",
    "pages_sharing",
    "pages_skipped",
    "pages_to_scan",
    "pages_unshared",
    "pages_volatile",
    "run",
    "sleep_millisecs",
    "smart_scan",
    "stable_node_chains",
    "stable_node_chains_prune_millisecs",
    "stable_node_dups",
    "use_zero_pages",
  ],
};

const DEFAULTS: Record<ProfileName, Record<string, string>> = {
  "linux-2.6.32": {
    full_scans: "0\n",
    max_kernel_pages: "2000\n",
    pages_shared: "0\n",
    pages_sharing: "0\n",
    pages_to_scan: "200\n",
    pages_unshared: "0\n",
    pages_volatile: "0\n",
    run: "1\n",
    sleep_millisecs: "20\n",
  },
  // As a freshly booted 6.18 reads them.
  "linux-6.18": {
    advisor_max_cpu: "70\n",
    advisor_max_pages_to_scan: "30000\n",
    advisor_min_pages_to_scan: "500\n",
    advisor_mode: "[none] scan-time\n",
    advisor_target_scan_time: "200\n",
    full_scans: "0\n",
    general_profit: "0\n",
    ksm_zero_pages: "0\n",
    max_page_sharing: "256\n",
    merge_across_nodes: "1\n",
    pages_scanned: "0\n",
    pages_shared: "0\n",
    pages_sharing: "0\n",
    pages_skipped: "0\n",
    pages_to_scan: "100\n",
    pages_unshared: "0\n",
    pages_volatile: "0\n",
    run: "0\n",
    sleep_millisecs: "20\n",
    smart_scan: "1\n",
    stable_node_chains: "0\n",
    stable_node_chains_prune_millisecs: "2000\n",
    stable_node_dups: "0\n",
    use_zero_pages: "0\n",
  },
};

const KNOBS: Record<ProfileName, string[]> = {
  "linux-2.6.32": ["max_kernel_pages", "pages_to_scan", "run", "sleep_millisecs"],
  "linux-6.18": [
    "advisor_max_cpu",
    "advisor_max_pages_to_scan",
    "advisor_min_pages_to_scan",
    "advisor_mode",
    "advisor_target_scan_time",
    "max_page_sharing",
    "merge_across_nodes",
    "pages_to_scan",
    "run",
    "sleep_millisecs",
    "smart_scan",
    "stable_node_chains_prune_millisecs",
    "use_zero_pages",
  ],
};

/** The knobs that take any unsigned number (the others: sysfs-618.test.ts). */
const NUMBER_KNOBS: Record<ProfileName, string[]> = {
  "linux-2.6.32": ["max_kernel_pages", "pages_to_scan", "sleep_millisecs"],
  "linux-6.18": [
    "advisor_max_cpu",
    "advisor_max_pages_to_scan",
    "advisor_min_pages_to_scan",
    "pages_to_scan",
    "sleep_millisecs",
    "stable_node_chains_prune_millisecs",
  ],
};

const BAD = ["", " 5", "5 ", "5\n\n", "\n5", "-1", "abc", "0x10", "5a", "1e3", "5.0", "\t5", "5\r\n"];

it("lives in /sys/kernel/mm/ksm", () => {
  expect(SYSFS_DIR).toBe("/sys/kernel/mm/ksm");
});

for (const profile of PROFILES) {
  describe(`${profile} sysfs`, () => {
    it("lists its files, sorted", () => {
      expect(sysfsFiles(profile)).toEqual(FILES[profile]);
    });

    it("reads the defaults, each as a number and a newline", () => {
      const k = newKernel(profile);
      const read = Object.fromEntries(sysfsFiles(profile).map((f) => [f, sysfsRead(k, f)]));
      expect(read).toEqual(DEFAULTS[profile]);
    });

    it("says which files are writable", () => {
      expect(sysfsFiles(profile).filter((f) => sysfsWritable(profile, f))).toEqual(KNOBS[profile]);
      expect(sysfsWritable(profile, "nonexistent")).toBe(false);
    });

    it("reads an unknown file as ENOENT", () => {
      const k = newKernel(profile);
      expect(sysfsRead(k, "nonexistent")).toBe("ENOENT");
      expect(sysfsRead(k, "")).toBe("ENOENT");
    });

    for (const file of NUMBER_KNOBS[profile]) {
      it(`${file}: accepts "5" and "5\\n"`, () => {
        const k = newKernel(profile);
        expect(sysfsWrite(k, file, "5")).toBe(0);
        expect(sysfsRead(k, file)).toBe("5\n");
        expect(sysfsWrite(k, file, "7\n")).toBe(0);
        expect(sysfsRead(k, file)).toBe("7\n");
        expect(sysfsWrite(k, file, "0")).toBe(0);
        expect(sysfsRead(k, file)).toBe("0\n");
        expect(sysfsWrite(k, file, "0012")).toBe(0);
        expect(sysfsRead(k, file)).toBe("12\n");
      });

      it(`${file}: rejects malformed numbers with EINVAL and keeps its value`, () => {
        const k = newKernel(profile);
        const before = sysfsRead(k, file);
        for (const value of BAD) {
          expect([value, sysfsWrite(k, file, value)]).toEqual([value, "EINVAL"]);
          expect(sysfsRead(k, file)).toBe(before);
        }
      });
    }

    it("run: accepts 0, 1 and 2, and rejects 3 and malformed values with EINVAL", () => {
      const k = newKernel(profile);
      for (const v of ["1", "0\n", "2", "1\n"]) {
        expect(sysfsWrite(k, "run", v)).toBe(0);
        expect(sysfsRead(k, "run")).toBe(`${v.trim()}\n`);
      }
      for (const v of ["3", "4294967295", ...BAD]) {
        expect([v, sysfsWrite(k, "run", v)]).toEqual([v, "EINVAL"]);
        expect(sysfsRead(k, "run")).toBe("1\n");
      }
    });

    it("pages_to_scan and sleep_millisecs hold an unsigned int: above 4294967295 is EINVAL", () => {
      const k = newKernel(profile);
      for (const file of ["pages_to_scan", "sleep_millisecs"]) {
        expect(sysfsWrite(k, file, "4294967295")).toBe(0);
        expect(sysfsRead(k, file)).toBe("4294967295\n");
        expect(sysfsWrite(k, file, "4294967296")).toBe("EINVAL");
        expect(sysfsWrite(k, file, "99999999999999999999999")).toBe("EINVAL");
        expect(sysfsRead(k, file)).toBe("4294967295\n");
      }
    });

    it("read-only counters and unknown files give EACCES and change nothing", () => {
      const k = newKernel(profile);
      const files = sysfsFiles(profile).filter((f) => !KNOBS[profile].includes(f));
      expect(files.length).toBe(profile === "linux-6.18" ? 11 : 5);
      for (const f of [
        ...files,
        "nonexistent",
        profile === "linux-6.18" ? "max_kernel_pages" : "smart_scan",
      ]) {
        expect([f, sysfsWrite(k, f, "5")]).toEqual([f, "EACCES"]);
      }
      expect(Object.fromEntries(sysfsFiles(profile).map((f) => [f, sysfsRead(k, f)]))).toEqual(
        DEFAULTS[profile],
      );
    });

    it("emits a sysfs-write event for each write, with the errno of a failed one", () => {
      const k = newKernel(profile);
      const ev = record(k);
      sysfsWrite(k, "sleep_millisecs", "30\n");
      sysfsWrite(k, "sleep_millisecs", "x");
      sysfsWrite(k, "full_scans", "1");
      expect(ofType(ev, "sysfs-write")).toEqual([
        { type: "sysfs-write", fn: "sleep_millisecs_store", file: "sleep_millisecs", value: "30\n" },
        {
          type: "sysfs-write",
          fn: "sleep_millisecs_store",
          file: "sleep_millisecs",
          value: "x",
          errno: "EINVAL",
          why: "parse",
        },
        {
          type: "sysfs-write",
          fn: "full_scans_store",
          file: "full_scans",
          value: "1",
          errno: "EACCES",
          why: "readonly",
        },
      ]);
    });

    it("the counter files show the engine's counters", () => {
      const k = newKernel(profile);
      mergeableProc(k, "A", [1, 1, 1, 2]);
      mergeableProc(k, "B", [3]);
      scans(k, 1);
      expect(sysfsRead(k, "pages_volatile")).toBe("5\n");
      scans(k, 1);
      expect(ctr(k)).toEqual([1, 2, 2, 0, 2]);
      expect(
        ["pages_shared", "pages_sharing", "pages_unshared", "pages_volatile", "full_scans"].map((f) =>
          sysfsRead(k, f),
        ),
      ).toEqual(["1\n", "2\n", "2\n", "0\n", "2\n"]);
    });
  });
}

describe("profile differences", () => {
  it('"+5": EINVAL on linux-2.6.32 (strict_strtoul), accepted on linux-6.18 (kstrtouint)', () => {
    const old = newKernel("linux-2.6.32");
    expect(sysfsWrite(old, "pages_to_scan", "+5")).toBe("EINVAL");
    expect(sysfsRead(old, "pages_to_scan")).toBe("200\n");
    expect(sysfsWrite(old, "run", "+0")).toBe("EINVAL");
    expect(sysfsRead(old, "run")).toBe("1\n");

    const now = newKernel("linux-6.18");
    expect(sysfsWrite(now, "pages_to_scan", "+5")).toBe(0);
    expect(sysfsRead(now, "pages_to_scan")).toBe("5\n");
    expect(sysfsWrite(now, "sleep_millisecs", "+5\n")).toBe(0);
    expect(sysfsRead(now, "sleep_millisecs")).toBe("5\n");
    expect(sysfsWrite(now, "run", "+1")).toBe(0);
    expect(sysfsRead(now, "run")).toBe("1\n");
    expect(sysfsWrite(now, "run", "++1")).toBe("EINVAL");
    expect(sysfsWrite(now, "run", "-0")).toBe("EINVAL");
  });

  it("max_kernel_pages is a 2.6.32 knob only", () => {
    const now = newKernel("linux-6.18");
    expect(sysfsRead(now, "max_kernel_pages")).toBe("ENOENT");
    expect(sysfsWrite(now, "max_kernel_pages", "5")).toBe("EACCES");
    const old = newKernel("linux-2.6.32");
    expect(sysfsRead(old, "pages_scanned")).toBe("ENOENT");
  });

  it("linux-2.6.32: strict_strtoul wraps on overflow instead of failing", () => {
    const old = newKernel("linux-2.6.32");
    expect(sysfsWrite(old, "max_kernel_pages", "18446744073709551617")).toBe(0); // 2^64 + 1
    expect(sysfsRead(old, "max_kernel_pages")).toBe("1\n");
    expect(sysfsWrite(old, "pages_to_scan", "18446744073709551623")).toBe(0); // 2^64 + 7
    expect(sysfsRead(old, "pages_to_scan")).toBe("7\n");
  });

  // Engine bug: sysfs.ts store() converts the parsed BigInt with Number() and the
  // knobs are JS numbers, so an unsigned long above 2^53 is rounded. The kernel
  // keeps ksm_max_kernel_pages as an unsigned long and shows it with "%lu\n".
  it("linux-2.6.32: max_kernel_pages reads back any unsigned long exactly", () => {
    const old = newKernel("linux-2.6.32");
    expect(sysfsWrite(old, "max_kernel_pages", "18446744073709551615")).toBe(0);
    expect(sysfsRead(old, "max_kernel_pages")).toBe("18446744073709551615\n");
    expect(sysfsWrite(old, "max_kernel_pages", "9007199254740993")).toBe(0);
    expect(sysfsRead(old, "max_kernel_pages")).toBe("9007199254740993\n");
  });

  it("linux-6.18 counts pages_scanned", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1, 2, 3]);
    scans(k, 2);
    expect(sysfsRead(k, "pages_scanned")).toBe("6\n");
  });
});

describe("a refused write's event says which check refused it", () => {
  /** The errno and why of each write, in order. */
  function refusals(k: ReturnType<typeof newKernel>, writes: [string, string][]) {
    const ev = record(k);
    for (const [file, value] of writes) sysfsWrite(k, file, value);
    return ofType(ev, "sysfs-write").map((e) => [e.errno, e.why]);
  }

  it("on 2.6.32: no file, read-only, no number (or one past the C type), run past 2", () => {
    const k = newKernel("linux-2.6.32");
    expect(
      refusals(k, [
        ["nosuch", "1"],
        ["pages_shared", "1"],
        ["pages_to_scan", "+5"],
        ["pages_to_scan", "4294967296"],
        ["run", "3"],
        ["run", "1"],
      ]),
    ).toEqual([
      ["EACCES", "nofile"],
      ["EACCES", "readonly"],
      ["EINVAL", "parse"],
      ["EINVAL", "parse"],
      ["EINVAL", "range"],
      [undefined, undefined],
    ]);
  });

  it("on 6.18: kstrto*()'s own errno, the minimum, the range, EBUSY and the advisor, in the store's order", () => {
    const k = newKernel("linux-6.18");
    expect(
      refusals(k, [
        ["max_page_sharing", "99999999999"],
        ["max_page_sharing", "1"],
        ["merge_across_nodes", "2"],
        ["advisor_target_scan_time", "0"],
        ["smart_scan", "maybe"],
        ["advisor_mode", "scan-time"],
        ["pages_to_scan", "x"], // the advisor's check comes before the number is read
      ]),
    ).toEqual([
      ["ERANGE", "parse"],
      ["EINVAL", "min"],
      ["EINVAL", "range"],
      ["EINVAL", "min"],
      ["EINVAL", "parse"],
      [undefined, undefined],
      ["EINVAL", "advisor"],
    ]);
    mergeableProc(k, "A", [7, 7]);
    scans(k, 2);
    expect(refusals(k, [["merge_across_nodes", "0"]])).toEqual([["EBUSY", "busy"]]);
  });
});
