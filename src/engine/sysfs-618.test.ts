import { beforeAll, describe, expect, it } from "vitest";
import { sysfsRead, sysfsWrite } from "./sysfs";
import { expectSane, fillPages, loadEngine, mergeableProc, newKernel, scans } from "./testing";

beforeAll(loadEngine);

/*
 * What a 6.18 kernel answered to these writes on this machine (each value
 * written to /sys/kernel/mm/ksm/<file> by root, the knob restored after):
 * the value the file then read, or the errno.
 */
const OBSERVED: Record<string, [string, string][]> = {
  max_page_sharing: [
    ["+5", "5"],
    ["5\n", "5"],
    ["2", "2"],
    ["2147483647", "2147483647"],
    ["1", "EINVAL"],
    ["0", "EINVAL"],
    ["-1", "EINVAL"],
    ["-0", "EINVAL"],
    ["5\n\n", "EINVAL"],
    ["0x10", "EINVAL"],
    ["yes", "EINVAL"],
    ["\n", "EINVAL"],
    ["2147483648", "ERANGE"],
    ["4294967295", "ERANGE"],
    ["18446744073709551616", "ERANGE"],
    ["99999999999999999999999x", "ERANGE"],
  ],
  merge_across_nodes: [
    ["0", "0"],
    ["1", "1"],
    ["+5", "EINVAL"],
    ["2", "EINVAL"],
    ["-0", "EINVAL"],
    ["18446744073709551615", "EINVAL"],
    ["18446744073709551616", "ERANGE"],
  ],
  smart_scan: [
    ["0", "0"],
    ["1", "1"],
    ["10", "1"],
    ["0x10", "0"],
    ["yes", "1"],
    ["no", "0"],
    ["none", "0"],
    ["None", "0"],
    ["on", "1"],
    ["of", "0"],
    ["off", "0"],
    ["Y", "1"],
    ["t", "1"],
    ["18446744073709551616", "1"],
    ["o", "EINVAL"],
    ["2", "EINVAL"],
    ["-0", "EINVAL"],
    ["+5", "EINVAL"],
    [" 5", "EINVAL"],
    ["\n", "EINVAL"],
    ["abc", "EINVAL"],
    ["scan-time", "EINVAL"],
  ],
  advisor_mode: [
    ["scan-time", "none [scan-time]"],
    ["scan-time\n", "none [scan-time]"],
    ["none", "[none] scan-time"],
    ["none\n", "[none] scan-time"],
    [" none", "EINVAL"],
    ["None", "EINVAL"],
    ["0", "EINVAL"],
    ["\n", "EINVAL"],
  ],
  advisor_target_scan_time: [
    ["1", "1"],
    ["0", "EINVAL"],
    ["18446744073709551615", "18446744073709551615"],
  ],
  advisor_max_cpu: [
    ["4294967296", "0"],
    ["18446744073709551615", "4294967295"],
    ["18446744073709551616", "EINVAL"],
  ],
  stable_node_chains_prune_millisecs: [
    ["4294967295", "4294967295"],
    ["4294967296", "EINVAL"],
    ["-0", "EINVAL"],
  ],
};

describe("linux-6.18 sysfs parses as the kernel does", () => {
  for (const [file, cases] of Object.entries(OBSERVED)) {
    it(`${file}: as observed on a 6.18 kernel`, () => {
      for (const [value, want] of cases) {
        const k = newKernel("linux-6.18");
        const before = sysfsRead(k, file);
        const err = sysfsWrite(k, file, value);
        const got = err || (sysfsRead(k, file) as string).trimEnd();
        expect([file, value, got]).toEqual([file, value, want]);
        if (err) expect(sysfsRead(k, file)).toBe(before);
      }
    });
  }
  it("use_zero_pages parses like smart_scan (kstrtobool)", () => {
    const k = newKernel("linux-6.18");
    for (const [value, want] of OBSERVED.smart_scan) {
      const err = sysfsWrite(k, "use_zero_pages", value);
      expect([value, err || (sysfsRead(k, "use_zero_pages") as string).trimEnd()]).toEqual([value, want]);
    }
  });
});

describe("linux-6.18 sysfs refusals", () => {
  it("max_page_sharing and merge_across_nodes: EBUSY while KSM pages exist, fine after run=2", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [7, 7, 7]);
    scans(k, 2);
    expect(sysfsRead(k, "pages_shared")).toBe("1\n");
    expect(sysfsWrite(k, "max_page_sharing", "256")).toBe(0); // unchanged: no check
    expect(sysfsWrite(k, "max_page_sharing", "3")).toBe("EBUSY");
    expect(sysfsWrite(k, "merge_across_nodes", "0")).toBe("EBUSY");
    expect(sysfsRead(k, "max_page_sharing")).toBe("256\n");
    expect(sysfsWrite(k, "run", "2")).toBe(0);
    expect(sysfsWrite(k, "max_page_sharing", "3")).toBe(0);
    expect(sysfsWrite(k, "merge_across_nodes", "0")).toBe(0);
    expect([sysfsRead(k, "max_page_sharing"), sysfsRead(k, "merge_across_nodes")]).toEqual(["3\n", "0\n"]);
  });

  it("EBUSY also while a KSM page is mapped though no rmap_item lists it any more", () => {
    const k = newKernel("linux-6.18");
    const a = mergeableProc(k, "A", [7, 7]);
    scans(k, 2);
    expect(k.fork(a.pid, "B")).not.toBeTypeOf("string"); // B maps the KSM page, with no items yet
    fillPages(k, a, [8, 8]); // A's two items now name pages that are not the KSM page
    expect(sysfsWrite(k, "run", "1")).toBe(0);
    expect(k.ksm.ksmDoScan(2)).toBe(2); // ksmd revisits A's two pages only
    expect(sysfsRead(k, "pages_shared")).toBe("0\n");
    expect(sysfsWrite(k, "max_page_sharing", "4")).toBe("EBUSY"); // remove_all_stable_nodes() fails
    expect(sysfsRead(k, "max_page_sharing")).toBe("256\n");
    expectSane(k);
  });

  it("pages_to_scan is the advisor's while advisor_mode is scan-time: EINVAL", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "pages_to_scan", "300")).toBe(0);
    expect(sysfsWrite(k, "advisor_mode", "scan-time")).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("500\n"); // advisor_min_pages_to_scan
    expect(sysfsWrite(k, "pages_to_scan", "300")).toBe("EINVAL");
    expect(sysfsWrite(k, "advisor_mode", "scan-time")).toBe(0); // unchanged: no reset
    expect(sysfsWrite(k, "advisor_mode", "none")).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("100\n"); // DEFAULT_PAGES_TO_SCAN
    expect(sysfsWrite(k, "pages_to_scan", "300")).toBe(0);
  });

  it("counters are read-only: EACCES", () => {
    const k = newKernel("linux-6.18");
    for (const f of [
      "pages_skipped",
      "ksm_zero_pages",
      "general_profit",
      "stable_node_chains",
      "stable_node_dups",
    ])
      expect([f, sysfsWrite(k, f, "1")]).toEqual([f, "EACCES"]);
  });
});
