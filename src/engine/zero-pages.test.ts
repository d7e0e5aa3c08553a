import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "./kernel";
import { MADV_UNMERGEABLE } from "./kernel";
import { ksmStat } from "./ksm/ksm-618";
import { ZERO_PFN } from "./memory";
import { sysfsRead, sysfsWrite } from "./sysfs";
import {
  byteAt,
  ctr,
  expectSane,
  fillPages,
  loadEngine,
  mergeableProc,
  newKernel,
  type Proc,
  pageAddr,
  pfnAt,
  scans,
} from "./testing";
import { PAGE_SIZE } from "./types";

beforeAll(loadEngine);

/** A 6.18 machine with use_zero_pages 1 and process A: four zero-filled pages and one of sevens. */
function zeroMachine(): { k: Kernel; a: Proc } {
  const k = newKernel("linux-6.18");
  expect(sysfsWrite(k, "use_zero_pages", "1")).toBe(0);
  const a = mergeableProc(k, "A", [0, 0, 0, 0, 7]);
  scans(k, 2);
  return { k, a };
}

const zeroPages = (k: Kernel) => Number(sysfsRead(k, "ksm_zero_pages"));

describe("linux-6.18 use_zero_pages", () => {
  it("maps zero-filled pages to the zero page, in no tree, counted in ksm_zero_pages and per process", () => {
    const { k, a } = zeroMachine();
    expect([0, 1, 2, 3].map((i) => pfnAt(k, a, i))).toEqual([ZERO_PFN, ZERO_PFN, ZERO_PFN, ZERO_PFN]);
    expect(zeroPages(k)).toBe(4);
    expect(ctr(k)).toEqual([0, 0, 1, 4, 2]); // the four items stay, volatile, until the next scan
    expect(ksmStat(k.task(a.pid)!.mm)).toMatchObject({ ksm_zero_pages: 4, ksm_rmap_items: 5 });
    scans(k, 1); // their pages are no longer anonymous: the items go
    expect(ctr(k)).toEqual([0, 0, 1, 0, 3]);
    // general_profit = (pages_sharing + ksm_zero_pages) * 4096 - rmap_items * 64
    expect(sysfsRead(k, "general_profit")).toBe(`${4 * 4096 - 1 * 64}\n`);
    expect([0, 1, 4].map((i) => byteAt(k, a, i))).toEqual([0, 0, 7]);
    expectSane(k);
  });

  it("off (the default): zero-filled pages merge into a KSM page like any other", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [0, 0, 0]);
    scans(k, 2);
    expect([zeroPages(k), ...ctr(k).slice(0, 2)]).toEqual([0, 1, 2]);
  });

  it("a write to such a page takes it out of the count (COW from the zero page)", () => {
    const { k, a } = zeroMachine();
    expect(k.writeByte(a.pid, pageAddr(a, 0), 1)).toBe(0);
    expect(zeroPages(k)).toBe(3);
    expect(byteAt(k, a, 0)).toBe(1);
    expectSane(k);
  });

  it("munmap and exit take theirs out of the count", () => {
    const { k, a } = zeroMachine();
    expect(k.munmap(a.pid, pageAddr(a, 2), 2 * PAGE_SIZE)).toBe(0);
    expect(zeroPages(k)).toBe(2);
    expect(k.exit(a.pid)).toBe(0);
    expect(zeroPages(k)).toBe(0);
    expectSane(k);
  });

  it("fork: the child maps them too, and its count joins the total", () => {
    const { k, a } = zeroMachine();
    const b = k.fork(a.pid, "B");
    if (typeof b === "string") throw new Error(b);
    expect(zeroPages(k)).toBe(8);
    expect(ksmStat(b.mm).ksm_zero_pages).toBe(4);
    expect(k.exit(b.pid)).toBe(0);
    expect(zeroPages(k)).toBe(4);
    expectSane(k);
  });

  it("MADV_UNMERGEABLE and run=2 unshare them: each gets a private zeroed page again", () => {
    const { k, a } = zeroMachine();
    const free = k.mem.freeFrames;
    expect(k.madvise(a.pid, a.start, 2 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect([zeroPages(k), k.mem.freeFrames]).toEqual([2, free - 2]);
    expect(pfnAt(k, a, 0)).not.toBe(ZERO_PFN);
    expect(sysfsWrite(k, "run", "2")).toBe(0);
    expect([zeroPages(k), k.mem.freeFrames]).toEqual([0, free - 4]);
    expect([0, 1, 2, 3].map((i) => byteAt(k, a, i))).toEqual([0, 0, 0, 0]);
    expectSane(k);
  });

  it("a page whose checksum is not that of zeros goes to the trees as usual", () => {
    const { k, a } = zeroMachine();
    fillPages(k, a, [0], 4); // now zero, but its oldchecksum is the sevens'
    scans(k, 1);
    expect(pfnAt(k, a, 4)).not.toBe(ZERO_PFN);
    scans(k, 1);
    expect(pfnAt(k, a, 4)).toBe(ZERO_PFN);
    expect(zeroPages(k)).toBe(5);
  });
});
