import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "./kernel";
import { FRAME_KSM } from "./memory";
import { loadEngine, mergeableProc, newKernel, ofType, pageAddr, pfnAt, record, scans } from "./testing";
import { formatWriteNs, WRITE_COST_NS } from "./writeCost";

beforeAll(loadEngine);

/** Write one byte and return the modelled time the kernel gives it. */
function timedWrite(k: Kernel, pid: number, addr: number): number {
  expect(k.writeByte(pid, addr, 0xee)).toBe(0);
  expect(k.lastWrite).toMatchObject({ pid, addr });
  return k.lastWrite!.ns;
}

describe("the write cost model", () => {
  it("prices a plain write, a COW after fork and a COW of a KSM page apart, as measured", () => {
    const k = newKernel("linux-6.18", 64);
    const a = mergeableProc(k, "A", [1, 2]);
    mergeableProc(k, "B", [1]);
    const plain = timedWrite(k, a.pid, pageAddr(a, 1)); // A's own writable page
    scans(k, 3); // A's page 0 and B's page 0 merge
    expect(k.mem.state[pfnAt(k, a, 0)]).toBe(FRAME_KSM);
    const ev = record(k);
    const ksmCow = timedWrite(k, a.pid, pageAddr(a, 0));
    const c = mergeableProc(k, "D", [9]); // a fresh, unmerged page to share by fork
    expect(typeof k.fork(c.pid, "E")).not.toBe("string");
    const forkCow = timedWrite(k, c.pid, pageAddr(c, 0));

    expect([plain, forkCow, ksmCow]).toEqual([
      WRITE_COST_NS.plain,
      WRITE_COST_NS["cow-anon"],
      WRITE_COST_NS["cow-ksm"],
    ]);
    expect(new Set([plain, forkCow, ksmCow]).size).toBe(3);
    // The fault event carries the same time the log prints.
    expect(ofType(ev, "cow-fault")[0]).toMatchObject({ ksm: true, ns: WRITE_COST_NS["cow-ksm"] });
  });

  it("prices the first touch of a fresh page as do_anonymous_page's fault", () => {
    const k = newKernel("linux-6.18", 16);
    const t = k.spawn("A");
    const start = k.mmap(t.pid, 1, "r") as number;
    expect(timedWrite(k, t.pid, start)).toBe(WRITE_COST_NS["first-touch"]);
    expect(timedWrite(k, t.pid, start)).toBe(WRITE_COST_NS.plain);
  });

  it("lets an attacker tell, by time alone, whether a neighbour holds the guessed page", () => {
    for (const secret of [42, 7]) {
      const k = newKernel("linux-6.18", 64);
      mergeableProc(k, "V", [secret]);
      const a = mergeableProc(k, "A", [42]); // the guess
      scans(k, 3);
      const merged = k.mem.state[pfnAt(k, a, 0)] === FRAME_KSM;
      const slow = timedWrite(k, a.pid, pageAddr(a, 0)) > 1000; // the attacker's threshold: 1 µs
      expect(slow).toBe(merged);
      expect(slow).toBe(secret === 42);
    }
  });

  it("prints times in µs to two digits", () => {
    expect([150, 2800, 1600].map(formatWriteNs)).toEqual(["0.15 µs", "2.8 µs", "1.6 µs"]);
  });
});
