import { beforeAll, describe, expect, it } from "vitest";
import { skipAge } from "./ksm/ksm-618";
import { UNSTABLE_FLAG } from "./ksm/rmap";
import { sysfsRead, sysfsWrite } from "./sysfs";
import { ctr, expectSane, loadEngine, mergeableProc, newKernel, ofType, record, scans } from "./testing";

beforeAll(loadEngine);

describe("linux-6.18 smart scan (smart_scan 1, the default)", () => {
  it("skip_age(): 1 scan up to age 3, 2 up to 5, 4 up to 8, then 8", () => {
    expect([0, 3, 4, 5, 6, 8, 9, 200, 255].map(skipAge)).toEqual([1, 1, 2, 2, 4, 4, 8, 8, 8]);
  });

  it("a unique page is visited at ages 0-3, then skipped 1, 2, 4 scans between visits", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1]);
    const seen: string[] = [];
    for (let scan = 1; scan <= 12; scan++) {
      const before = k.ksm.pagesScanned;
      scans(k, 1);
      seen.push(k.ksm.pagesScanned > before ? "v" : "s");
    }
    // Ages 0-2 visited; age 3 arms skip_age(3) = 1 skip, age 5 arms 2, age 8 arms 4.
    expect(seen.join("")).toBe("vvvvsvssvsss");
    const item = k.ksm.slots()[0].rmapList!;
    expect([item.age, item.remainingSkips, k.ksm.pagesSkipped, k.ksm.pagesScanned]).toEqual([12, 1, 6, 6]);
    expectSane(k);
  });

  it("a skipped page leaves the unstable tree: volatile, and costs no pages_to_scan", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1, 2, 3]);
    scans(k, 4);
    expect(ctr(k)).toEqual([0, 0, 3, 0, 4]);
    expect(sysfsWrite(k, "pages_to_scan", "1")).toBe(0);
    const ev = record(k);
    scans(k, 1); // every page skipped: the scan ends within one batch of pages_to_scan 1
    expect(ctr(k)).toEqual([0, 0, 0, 3, 5]);
    expect(ofType(ev, "ksmd-batch").map((e) => e.scanned)).toEqual([0]);
    expect([sysfsRead(k, "pages_skipped"), sysfsRead(k, "pages_scanned")]).toEqual(["3\n", "12\n"]);
    for (let it = k.ksm.slots()[0].rmapList; it; it = it.rmapList) expect(it.flags & UNSTABLE_FLAG).toBe(0);
    expectSane(k);
  });

  it("KSM pages are never skipped nor aged", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [5, 5]);
    scans(k, 12);
    expect(ctr(k)).toEqual([1, 1, 0, 0, 12]);
    expect(k.ksm.pagesSkipped).toBe(0);
    for (let it = k.ksm.slots()[0].rmapList; it; it = it.rmapList) expect(it.age).toBe(2); // aged before the merge only
  });

  it("smart_scan 0 visits every page every scan, ages untouched", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "smart_scan", "0")).toBe(0);
    mergeableProc(k, "A", [1, 2]);
    scans(k, 10);
    expect([k.ksm.pagesScanned, k.ksm.pagesSkipped]).toEqual([20, 0]);
    expect(k.ksm.slots()[0].rmapList!.age).toBe(0);
  });
});
