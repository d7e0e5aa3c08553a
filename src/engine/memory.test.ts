import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import { FRAME_ANON, FRAME_FREE, FRAME_KSM, FRAME_ZERO, PhysMem, ZERO_PFN } from "./memory";
import { PAGE_SIZE } from "./types";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const N = 8;
const newMem = (n = N) => new PhysMem(n, checksummer);

/** Frames in use (not free), the zero page included. */
function inUse(mem: PhysMem): number {
  let used = 0;
  for (let pfn = 0; pfn < mem.nrFrames; pfn++) if (mem.state[pfn] !== FRAME_FREE) used++;
  return used;
}

describe("PhysMem allocator", () => {
  it("starts with the zero page reserved and every other frame free", () => {
    const mem = newMem();
    expect(mem.freeFrames).toBe(N - 1);
    expect(mem.state[ZERO_PFN]).toBe(FRAME_ZERO);
    expect(mem.refcount[ZERO_PFN]).toBe(1);
    expect(inUse(mem)).toBe(1);
  });

  it("hands out the lowest frames first", () => {
    const mem = newMem();
    expect([mem.allocPage(true), mem.allocPage(true), mem.allocPage(true)]).toEqual([1, 2, 3]);
  });

  it("gives a new frame one reference, no mapping, anonymous state", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    expect(mem.state[pfn]).toBe(FRAME_ANON);
    expect(mem.refcount[pfn]).toBe(1);
    expect(mem.mapcount[pfn]).toBe(0);
  });

  it("reuses freed frames last-in first-out", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    const b = mem.allocPage(true);
    const c = mem.allocPage(true);
    expect([a, b, c]).toEqual([1, 2, 3]);
    mem.putPage(a);
    mem.putPage(c);
    // c was freed last, so it comes back first; then a; then fresh frames.
    expect(mem.allocPage(true)).toBe(c);
    expect(mem.allocPage(true)).toBe(a);
    expect(mem.allocPage(true)).toBe(4);
  });

  it("keeps frames free + in use = N through allocations and frees", () => {
    const mem = newMem();
    const held: number[] = [];
    for (let i = 0; i < 5; i++) {
      held.push(mem.allocPage(false));
      expect(mem.freeFrames + inUse(mem)).toBe(N);
      expect(mem.freeFrames).toBe(N - 2 - i);
    }
    for (const pfn of held.splice(1, 3)) {
      mem.putPage(pfn);
      expect(mem.freeFrames + inUse(mem)).toBe(N);
    }
    expect(mem.freeFrames).toBe(N - 1 - 2);
  });

  it("returns -1 when no frame is free, and a frame again after one is freed", () => {
    const mem = newMem(3);
    const a = mem.allocPage(true);
    const b = mem.allocPage(true);
    expect([a, b]).toEqual([1, 2]);
    expect(mem.allocPage(true)).toBe(-1);
    expect(mem.freeFrames).toBe(0);
    mem.putPage(a);
    expect(mem.allocPage(true)).toBe(a);
  });

  it("zeroes a reused frame when asked to", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    mem.fillPage(a, 0xdeadbeef);
    mem.putPage(a);
    const again = mem.allocPage(true);
    expect(again).toBe(a);
    expect(mem.pageBytes(again).every((b) => b === 0)).toBe(true);
  });

  it("rejects memories of fewer than 2 frames", () => {
    expect(() => newMem(1)).toThrow(RangeError);
    expect(() => newMem(2.5)).toThrow(RangeError);
  });
});

describe("PhysMem references", () => {
  it("frees a frame only when its last reference goes", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    mem.getPage(pfn);
    expect(mem.refcount[pfn]).toBe(2);
    mem.putPage(pfn);
    expect(mem.refcount[pfn]).toBe(1);
    expect(mem.state[pfn]).toBe(FRAME_ANON);
    expect(mem.freeFrames).toBe(N - 2);
    mem.putPage(pfn);
    expect(mem.refcount[pfn]).toBe(0);
    expect(mem.state[pfn]).toBe(FRAME_FREE);
    expect(mem.freeFrames).toBe(N - 1);
  });

  it("clears a freed KSM page's state and stable node", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    mem.state[pfn] = FRAME_KSM;
    mem.stableNode[pfn] = {};
    mem.putPage(pfn);
    expect(mem.state[pfn]).toBe(FRAME_FREE);
    expect(mem.stableNode[pfn]).toBeNull();
  });

  it("never frees the zero page", () => {
    const mem = newMem();
    mem.putPage(ZERO_PFN);
    mem.putPage(ZERO_PFN);
    expect(mem.state[ZERO_PFN]).toBe(FRAME_ZERO);
    expect(mem.refcount[ZERO_PFN]).toBe(1);
    expect(mem.freeFrames).toBe(N - 1);
  });

  it("refuses to free a frame that is still mapped", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    mem.mapcount[pfn] = 1;
    expect(() => mem.putPage(pfn)).toThrow(/freed while mapped/);
  });

  it("tells anonymous and KSM pages apart", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    expect([mem.isAnon(pfn), mem.isKsm(pfn)]).toEqual([true, false]);
    mem.state[pfn] = FRAME_KSM;
    expect([mem.isAnon(pfn), mem.isKsm(pfn)]).toEqual([true, true]);
    expect([mem.isAnon(ZERO_PFN), mem.isKsm(ZERO_PFN)]).toEqual([false, false]);
  });
});

describe("PhysMem contents", () => {
  it("fills a page with a little-endian 32-bit value", () => {
    const mem = newMem();
    const pfn = mem.allocPage(true);
    mem.fillPage(pfn, 0x04030201);
    const bytes = mem.pageBytes(pfn);
    expect(bytes.length).toBe(PAGE_SIZE);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(Array.from(bytes.subarray(PAGE_SIZE - 4))).toEqual([1, 2, 3, 4]);
  });

  it("copies a page and bumps the target's generation", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    const b = mem.allocPage(true);
    mem.fillPage(a, 0x11223344);
    mem.writeByte(a, 4095, 0x99);
    const gen = mem.generation[b];
    mem.copyPage(b, a);
    expect(mem.memcmpPages(a, b)).toBe(0);
    expect(mem.readByte(b, 4095)).toBe(0x99);
    expect(mem.generation[b]).toBe(gen + 1);
  });

  it("writes single bytes, masked to 8 bits", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    mem.writeByte(a, 10, 0x1ff);
    expect(mem.readByte(a, 10)).toBe(0xff);
    expect(mem.readByte(a, 9)).toBe(0);
    expect(mem.readByte(a, 11)).toBe(0);
  });
});

describe("memcmpPages", () => {
  function pair(mem: PhysMem): [number, number] {
    return [mem.allocPage(true), mem.allocPage(true)];
  }

  it("is 0 for equal pages", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.fillPage(a, 7);
    mem.fillPage(b, 7);
    expect(mem.memcmpPages(a, b)).toBe(0);
  });

  it("orders by byte 0 before byte 1 of the first word (not by the little-endian word)", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(a, 0, 1); // word 0x00000001
    mem.writeByte(b, 1, 1); // word 0x00000100: larger as a word, smaller for memcmp
    const word0 = (pfn: number) => new DataView(mem.pageBytes(pfn).buffer).getUint32(0, true);
    expect([word0(a), word0(b)]).toEqual([0x00000001, 0x00000100]);
    expect(mem.memcmpPages(a, b)).toBeGreaterThan(0);
    expect(mem.memcmpPages(b, a)).toBeLessThan(0);
  });

  it("orders by byte 0 before byte 3 of a word", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(a, 3, 0xff); // word 0xff000000
    mem.writeByte(b, 0, 0x01); // word 0x00000001
    expect(mem.memcmpPages(a, b)).toBeLessThan(0);
    expect(mem.memcmpPages(b, a)).toBeGreaterThan(0);
  });

  it("returns the difference of the first differing bytes", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(a, 2, 0x30);
    mem.writeByte(b, 2, 0x10);
    expect(mem.memcmpPages(a, b)).toBe(0x20);
    expect(mem.memcmpPages(b, a)).toBe(-0x20);
  });

  it("lets an earlier difference decide over a later one", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(a, 100, 1);
    mem.writeByte(b, 4000, 0xff);
    expect(mem.memcmpPages(a, b)).toBe(1);
  });

  it("lets the first bytes decide over later ones across the whole page", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(a, 63, 1);
    mem.writeByte(b, 64, 0xff);
    expect(mem.memcmpPages(a, b)).toBe(1);
    expect(mem.memcmpPages(b, a)).toBe(-1);
    const [c, d] = pair(mem);
    mem.writeByte(c, 64, 2);
    mem.writeByte(d, 65, 0xff);
    expect(mem.memcmpPages(c, d)).toBe(2);
  });

  it("finds a difference in the last byte of the page", () => {
    const mem = newMem();
    const [a, b] = pair(mem);
    mem.writeByte(b, PAGE_SIZE - 1, 5);
    expect(mem.memcmpPages(a, b)).toBe(-5);
  });

  it("agrees in sign with a byte-wise memcmp on assorted pages", () => {
    const patterns: [number, number][] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [3, 0x80],
      [4, 1],
      [5, 0xff],
      [8, 3],
      [12, 3],
      [15, 1],
      [16, 1],
      [60, 9],
      [63, 9],
      [64, 9],
      [67, 9],
      [68, 1],
      [2048, 7],
      [1023 * 4, 2],
      [1023 * 4 + 3, 2],
    ];
    const mem = newMem(patterns.length + 1);
    const pages: number[] = [];
    for (const [off, byte] of patterns) {
      const p = mem.allocPage(true);
      mem.writeByte(p, off, byte);
      pages.push(p);
    }
    const bytewise = (x: number, y: number) => {
      const bx = mem.pageBytes(x);
      const by = mem.pageBytes(y);
      for (let i = 0; i < PAGE_SIZE; i++) if (bx[i] !== by[i]) return Math.sign(bx[i] - by[i]);
      return 0;
    };
    for (const x of pages)
      for (const y of pages) expect(Math.sign(mem.memcmpPages(x, y))).toBe(bytewise(x, y));
  });
});

describe("checksum", () => {
  it("is equal for equal pages and changes with one byte", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    const b = mem.allocPage(true);
    mem.fillPage(a, 42);
    mem.fillPage(b, 42);
    const sum = mem.checksum(a);
    expect(mem.checksum(b)).toBe(sum);
    mem.writeByte(b, 2048, 43);
    expect(mem.checksum(b)).not.toBe(sum);
    mem.writeByte(b, 2048, 42);
    expect(mem.checksum(b)).toBe(sum);
  });

  it("is a 32-bit unsigned number that depends on the contents only", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    const zero = mem.checksum(a);
    expect(Number.isInteger(zero) && zero >= 0 && zero <= 0xffff_ffff).toBe(true);
    expect(mem.checksum(ZERO_PFN)).toBe(zero);
    expect(checksummer(new Uint8Array(PAGE_SIZE))).toBe(zero);
  });

  it("differs for pages differing only in the last byte", () => {
    const mem = newMem();
    const a = mem.allocPage(true);
    const b = mem.allocPage(true);
    mem.writeByte(b, PAGE_SIZE - 1, 1);
    expect(mem.checksum(a)).not.toBe(mem.checksum(b));
  });
});
