import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "./kernel";
import { FRAME_ANON, FRAME_FREE, FRAME_KSM, ZERO_PFN } from "./memory";
import { pteWrite, VM_READ, VM_WRITE, vmaAt } from "./mm";
import {
  byteAt,
  expectSane,
  loadEngine,
  mergeableProc,
  newKernel,
  ofType,
  pageAddr,
  pfnAt,
  record,
  scans,
  spawnWithRegion,
} from "./testing";
import { MMAP_BASE, PAGE_SIZE, type Pid, type VirtAddr } from "./types";
import { WRITE_COST_NS } from "./writeCost";

beforeAll(loadEngine);

const FRAMES = 64;

/** Is the PTE at addr writable? */
function writable(k: Kernel, pid: Pid, addr: VirtAddr): boolean {
  const vma = vmaAt(k.task(pid)!.mm, addr)!;
  return pteWrite(vma.pte[vma.pteIndex(addr)]);
}

describe("page faults", () => {
  it("a write fault maps a zeroed writable page", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 4);
    const free = k.mem.freeFrames;
    const ev = record(k);
    expect(k.writeByte(p.pid, pageAddr(p, 2) + 5, 0xab)).toBe(0);
    const pfn = pfnAt(k, p, 2);
    expect(pfn).toBe(1); // the lowest free frame
    expect(k.mem.state[pfn]).toBe(FRAME_ANON);
    expect(k.mem.mapcount[pfn]).toBe(1);
    expect(writable(k, p.pid, pageAddr(p, 2))).toBe(true);
    expect(k.mem.freeFrames).toBe(free - 1);
    const bytes = k.mem.pageBytes(pfn);
    expect(bytes[5]).toBe(0xab);
    expect(bytes.reduce((s, b) => s + b, 0)).toBe(0xab); // all else zero
    expect(ev).toEqual([
      {
        type: "fault",
        fn: "do_anonymous_page",
        pid: p.pid,
        addr: pageAddr(p, 2),
        pfn,
        write: true,
        ns: WRITE_COST_NS["first-touch"],
      },
    ]);
    // other pages of the region are still not present
    expect([pfnAt(k, p, 0), pfnAt(k, p, 1), pfnAt(k, p, 3)]).toEqual([-1, -1, -1]);
    expectSane(k);
  });

  it("a zeroed page really is zeroed when its frame is reused", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 1);
    expect(k.fill(a.pid, a.start, 1, 0xffffffff)).toBe(0);
    const used = pfnAt(k, a, 0);
    expect(k.exit(a.pid)).toBe(0);
    const b = spawnWithRegion(k, "B", 1);
    expect(k.writeByte(b.pid, b.start, 1)).toBe(0);
    expect(pfnAt(k, b, 0)).toBe(used);
    expect(k.mem.readByte(used, 1)).toBe(0);
    expect(k.mem.readByte(used, 4095)).toBe(0);
    expectSane(k);
  });

  it("a read fault maps the zero page read-only; a later write gets a zeroed private page", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 2);
    const free = k.mem.freeFrames;
    expect(k.readByte(p.pid, pageAddr(p, 1) + 7)).toBe(0);
    expect(pfnAt(k, p, 1)).toBe(ZERO_PFN);
    expect(writable(k, p.pid, pageAddr(p, 1))).toBe(false);
    expect(k.mem.mapcount[ZERO_PFN]).toBe(1);
    expect(k.mem.freeFrames).toBe(free);
    expectSane(k);

    const ev = record(k);
    expect(k.writeByte(p.pid, pageAddr(p, 1) + 7, 9)).toBe(0);
    const pfn = pfnAt(k, p, 1);
    expect(pfn).not.toBe(ZERO_PFN);
    expect(k.mem.state[pfn]).toBe(FRAME_ANON);
    expect(writable(k, p.pid, pageAddr(p, 1))).toBe(true);
    expect(k.mem.mapcount[ZERO_PFN]).toBe(0);
    expect(k.mem.mapcount[pfn]).toBe(1);
    expect(k.mem.readByte(pfn, 7)).toBe(9);
    expect(k.mem.pageBytes(pfn).reduce((s, b) => s + b, 0)).toBe(9);
    expect(k.mem.pageBytes(ZERO_PFN).every((b) => b === 0)).toBe(true);
    expect(k.mem.freeFrames).toBe(free - 1);
    expect(ofType(ev, "cow-fault")).toEqual([
      {
        type: "cow-fault",
        fn: "do_wp_page",
        pid: p.pid,
        addr: pageAddr(p, 1),
        from: ZERO_PFN,
        to: pfn,
        ksm: false,
        ns: WRITE_COST_NS["first-touch"],
      },
    ]);
    expectSane(k);
  });

  it("a read of a present page does not fault", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 1);
    expect(k.writeByte(p.pid, p.start + 3, 0x42)).toBe(0);
    const ev = record(k);
    expect(k.readByte(p.pid, p.start + 3)).toBe(0x42);
    expect(ev).toEqual([]);
  });

  it("fork makes both PTEs read-only and the page's mapcount 2", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 3);
    expect(k.fill(a.pid, a.start, 2, 0x01010101)).toBe(0);
    expect(k.readByte(a.pid, pageAddr(a, 2))).toBe(0); // zero page
    const [p0, p1] = [pfnAt(k, a, 0), pfnAt(k, a, 1)];
    const free = k.mem.freeFrames;
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    expect(child.parent).toBe(a.pid);
    expect(child.pid).toBe(a.pid + 1);
    const b = { pid: child.pid, start: a.start };
    expect(k.mem.freeFrames).toBe(free); // nothing copied yet
    for (const [i, pfn] of [
      [0, p0],
      [1, p1],
      [2, ZERO_PFN],
    ]) {
      expect(pfnAt(k, b, i)).toBe(pfn);
      expect(writable(k, a.pid, pageAddr(a, i))).toBe(false);
      expect(writable(k, b.pid, pageAddr(b, i))).toBe(false);
    }
    expect([k.mem.mapcount[p0], k.mem.mapcount[p1], k.mem.mapcount[ZERO_PFN]]).toEqual([2, 2, 2]);
    expect([k.mem.refcount[p0], k.mem.refcount[p1]]).toEqual([2, 2]);
    // the child's VMAs are copies, not the parent's objects
    const [va, vb] = [k.task(a.pid)!.mm.vmas, child.mm.vmas];
    expect(vb.map((v) => [v.vmStart, v.vmEnd, v.vmFlags])).toEqual(
      va.map((v) => [v.vmStart, v.vmEnd, v.vmFlags]),
    );
    expect(vb[0]).not.toBe(va[0]);
    expect(vb[0].pte).not.toBe(va[0].pte);
    expectSane(k);
  });

  it("a write after fork copies the page; the other process still reads the old bytes", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 1);
    expect(k.fill(a.pid, a.start, 1, 0x05050505)).toBe(0);
    const old = pfnAt(k, a, 0);
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    const b = { pid: child.pid, start: a.start };
    const free = k.mem.freeFrames;
    const ev = record(k);

    expect(k.writeByte(b.pid, b.start + 10, 0x77)).toBe(0);
    const copy = pfnAt(k, b, 0);
    expect(copy).not.toBe(old);
    expect(k.mem.freeFrames).toBe(free - 1);
    expect(k.readByte(b.pid, b.start + 10)).toBe(0x77);
    expect(k.readByte(b.pid, b.start + 11)).toBe(0x05); // copied, not zeroed
    expect(k.readByte(a.pid, a.start + 10)).toBe(0x05);
    expect(pfnAt(k, a, 0)).toBe(old);
    expect(k.mem.mapcount[old]).toBe(1);
    expect(k.mem.mapcount[copy]).toBe(1);
    expect(writable(k, b.pid, b.start)).toBe(true);
    expect(writable(k, a.pid, a.start)).toBe(false); // until A writes
    expect(ofType(ev, "cow-fault")).toEqual([
      {
        type: "cow-fault",
        fn: "do_wp_page",
        pid: b.pid,
        addr: b.start,
        from: old,
        to: copy,
        ksm: false,
        ns: WRITE_COST_NS["cow-anon"],
      },
    ]);
    expectSane(k);

    // Now A is the only mapper: its write reuses the page.
    expect(k.writeByte(a.pid, a.start, 0x66)).toBe(0);
    expect(pfnAt(k, a, 0)).toBe(old);
    expect(k.mem.freeFrames).toBe(free - 1);
    expect(ofType(ev, "wp-reuse")).toEqual([
      {
        type: "wp-reuse",
        fn: "do_wp_page",
        pid: a.pid,
        addr: a.start,
        pfn: old,
        ns: WRITE_COST_NS["wp-reuse"],
      },
    ]);
    expect(k.readByte(b.pid, b.start)).toBe(0x05);
    expectSane(k);
  });

  it("a write to a read-only anonymous page with one mapper reuses it, no copy", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 1);
    expect(k.fill(a.pid, a.start, 1, 3)).toBe(0);
    const pfn = pfnAt(k, a, 0);
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    expect(k.exit(child.pid)).toBe(0);
    expect(k.mem.mapcount[pfn]).toBe(1);
    expect(writable(k, a.pid, a.start)).toBe(false);
    const free = k.mem.freeFrames;
    const ev = record(k);
    expect(k.writeByte(a.pid, a.start, 4)).toBe(0);
    expect(pfnAt(k, a, 0)).toBe(pfn);
    expect(writable(k, a.pid, a.start)).toBe(true);
    expect(k.mem.freeFrames).toBe(free);
    expect(ev.map((e) => e.type)).toEqual(["wp-reuse"]);
    expectSane(k);
  });

  it("a write to a KSM page copies it, even when it has a single mapper", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = mergeableProc(k, "A", [0x2a, 0x2a]);
    scans(k, 2);
    const kpage = pfnAt(k, a, 0);
    expect(pfnAt(k, a, 1)).toBe(kpage);
    expect(k.mem.state[kpage]).toBe(FRAME_KSM);
    expect(k.mem.mapcount[kpage]).toBe(2);
    k.ksm.knobs.run = 0;

    const ev = record(k);
    expect(k.writeByte(a.pid, pageAddr(a, 0), 1)).toBe(0);
    expect(k.mem.mapcount[kpage]).toBe(1);
    expectSane(k);

    const free = k.mem.freeFrames;
    expect(k.writeByte(a.pid, pageAddr(a, 1), 2)).toBe(0);
    const copy = pfnAt(k, a, 1);
    expect(copy).not.toBe(kpage);
    expect(k.mem.state[copy]).toBe(FRAME_ANON);
    // the copy took a frame, the KSM page lost its last mapper and went back
    expect(k.mem.freeFrames).toBe(free);
    expect(k.mem.state[kpage]).toBe(FRAME_FREE);
    expect(ofType(ev, "cow-fault").map((e) => [e.from, e.to])).toEqual([
      [kpage, pfnAt(k, a, 0)],
      [kpage, copy],
    ]);
    expect(ofType(ev, "cow-fault")[0].ksm).toBe(true);
    expect(ofType(ev, "wp-reuse")).toEqual([]);
    expect([byteAt(k, a, 0, 0), byteAt(k, a, 0, 4), byteAt(k, a, 1, 0), byteAt(k, a, 1, 4)]).toEqual([
      1, 0x2a, 2, 0x2a,
    ]);
    expectSane(k);
  });

  // Engine bug: Kernel.doWpPage computes the event's `ksm` field after put_page()
  // has freed the old frame, so the copy of a KSM page's last mapping is reported
  // as an ordinary COW (ksm: false).
  it("the cow-fault event of a KSM page's last mapper says ksm: true", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = mergeableProc(k, "A", [0x2a, 0x2a]);
    scans(k, 2);
    const kpage = pfnAt(k, a, 0);
    expect(k.mem.state[kpage]).toBe(FRAME_KSM);
    expect(k.writeByte(a.pid, pageAddr(a, 0), 1)).toBe(0);
    const ev = record(k);
    expect(k.writeByte(a.pid, pageAddr(a, 1), 2)).toBe(0);
    expect(ofType(ev, "cow-fault")).toEqual([
      {
        type: "cow-fault",
        fn: "do_wp_page",
        pid: a.pid,
        addr: pageAddr(a, 1),
        from: kpage,
        to: pfnAt(k, a, 1),
        ksm: true,
        ns: WRITE_COST_NS["cow-ksm"],
      },
    ]);
  });

  it("fill writes every page with the value repeated", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 3);
    expect(k.fill(p.pid, pageAddr(p, 1), 2, 0x0a0b0c0d)).toBe(0);
    expect(pfnAt(k, p, 0)).toBe(-1);
    for (const i of [1, 2]) {
      expect(Array.from(k.mem.pageBytes(pfnAt(k, p, i)).subarray(4088))).toEqual([
        0x0d, 0x0c, 0x0b, 0x0a, 0x0d, 0x0c, 0x0b, 0x0a,
      ]);
    }
    expectSane(k);
  });
});

describe("munmap and exit", () => {
  it("munmap frees the region's frames and removes the VMA", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 4);
    const free0 = k.mem.freeFrames;
    expect(k.fill(p.pid, p.start, 4, 9)).toBe(0);
    expect(k.mem.freeFrames).toBe(free0 - 4);
    const pfns = [0, 1, 2, 3].map((i) => pfnAt(k, p, i));
    expect(k.munmap(p.pid, p.start, 4 * PAGE_SIZE)).toBe(0);
    expect(k.mem.freeFrames).toBe(free0);
    expect(pfns.map((pfn) => k.mem.state[pfn])).toEqual([FRAME_FREE, FRAME_FREE, FRAME_FREE, FRAME_FREE]);
    expect(k.task(p.pid)!.mm.vmas).toEqual([]);
    expect(k.writeByte(p.pid, p.start, 1)).toBe("EFAULT");
    expectSane(k);
  });

  it("munmap of part of a region splits it and frees only those frames", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 4);
    expect(k.fill(p.pid, p.start, 4, 9)).toBe(0);
    const free = k.mem.freeFrames;
    expect(k.munmap(p.pid, pageAddr(p, 1), 2 * PAGE_SIZE)).toBe(0);
    expect(k.mem.freeFrames).toBe(free + 2);
    expect(k.task(p.pid)!.mm.vmas.map((v) => [v.vmStart, v.vmEnd])).toEqual([
      [pageAddr(p, 0), pageAddr(p, 1)],
      [pageAddr(p, 3), pageAddr(p, 4)],
    ]);
    expect(k.readByte(p.pid, pageAddr(p, 3))).toBe(9);
    expect(k.readByte(p.pid, pageAddr(p, 2))).toBe("EFAULT");
    expectSane(k);
  });

  it("munmap of a page shared with a child keeps the frame for the child", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 1);
    expect(k.fill(a.pid, a.start, 1, 9)).toBe(0);
    const pfn = pfnAt(k, a, 0);
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    const free = k.mem.freeFrames;
    expect(k.munmap(a.pid, a.start, PAGE_SIZE)).toBe(0);
    expect(k.mem.freeFrames).toBe(free);
    expect(k.mem.mapcount[pfn]).toBe(1);
    expect(k.readByte(child.pid, a.start)).toBe(9);
    expectSane(k);
  });

  it("munmap rejects an unaligned start or a non-positive length", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 1);
    expect(k.munmap(p.pid, p.start + 1, PAGE_SIZE)).toBe("EINVAL");
    expect(k.munmap(p.pid, p.start, 0)).toBe("EINVAL");
    expect(k.munmap(p.pid, p.start, -PAGE_SIZE)).toBe("EINVAL");
    expect(k.munmap(99, p.start, PAGE_SIZE)).toBe("ESRCH");
    expect(k.task(p.pid)!.mm.vmas.length).toBe(1);
  });

  it("exit frees every frame the process alone mapped", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const free0 = k.mem.freeFrames;
    const a = spawnWithRegion(k, "A", 5);
    expect(k.fill(a.pid, a.start, 5, 1)).toBe(0);
    const b = spawnWithRegion(k, "B", 2);
    expect(k.fill(b.pid, b.start, 2, 1)).toBe(0);
    expect(k.mem.freeFrames).toBe(free0 - 7);
    const ev = record(k);
    expect(k.exit(a.pid)).toBe(0);
    expect(k.mem.freeFrames).toBe(free0 - 2);
    expect(k.task(a.pid)).toBeNull();
    expect([...k.tasks.keys()]).toEqual([b.pid]);
    expect(ev).toEqual([]); // an unregistered mm: no __ksm_exit
    expect(k.exit(a.pid)).toBe("ESRCH");
    expect(k.writeByte(a.pid, a.start, 1)).toBe("ESRCH");
    expectSane(k);
  });

  it("exit of a forked parent leaves the child's pages intact", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 2);
    expect(k.fill(a.pid, a.start, 2, 0x31)).toBe(0);
    const child = k.fork(a.pid, "B");
    if (typeof child === "string") throw new Error(child);
    const free = k.mem.freeFrames;
    expect(k.exit(a.pid)).toBe(0);
    expect(k.mem.freeFrames).toBe(free);
    expect(k.readByte(child.pid, a.start + PAGE_SIZE)).toBe(0x31);
    expectSane(k);
  });
});

describe("mmap", () => {
  it("places regions top-down, below the previous one, and maps nothing", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const t = k.spawn("A");
    const free = k.mem.freeFrames;
    const r1 = k.mmap(t.pid, 2);
    const r2 = k.mmap(t.pid, 3);
    expect(r1).toBe(MMAP_BASE - 2 * PAGE_SIZE);
    expect(r2).toBe(MMAP_BASE - 5 * PAGE_SIZE);
    expect(k.mem.freeFrames).toBe(free);
    expect(t.mm.totalVm).toBe(5);
    // adjacent anonymous mappings with equal flags are one VMA, as vma_merge makes them
    expect(t.mm.vmas.map((v) => [v.vmStart, v.vmEnd, v.vmFlags])).toEqual([
      [MMAP_BASE - 5 * PAGE_SIZE, MMAP_BASE, VM_READ | VM_WRITE],
    ]);
    expectSane(k);
  });

  it("each process has its own address space", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const a = spawnWithRegion(k, "A", 1);
    const b = spawnWithRegion(k, "B", 1);
    expect(a.start).toBe(b.start);
    expect(k.writeByte(a.pid, a.start, 1)).toBe(0);
    expect(k.writeByte(b.pid, b.start, 2)).toBe(0);
    expect([k.readByte(a.pid, a.start), k.readByte(b.pid, b.start)]).toEqual([1, 2]);
    expect(pfnAt(k, a, 0)).not.toBe(pfnAt(k, b, 0));
    expectSane(k);
  });

  it("rejects non-positive or fractional sizes, and unknown pids", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const t = k.spawn("A");
    expect(k.mmap(t.pid, 0)).toBe("EINVAL");
    expect(k.mmap(t.pid, -1)).toBe("EINVAL");
    expect(k.mmap(t.pid, 1.5)).toBe("EINVAL");
    expect(k.mmap(42, 1)).toBe("ESRCH");
    expect(t.mm.vmas).toEqual([]);
  });

  it("writing or reading outside any VMA gives EFAULT and maps nothing", () => {
    const k = newKernel("linux-2.6.32", FRAMES);
    const p = spawnWithRegion(k, "A", 2);
    const free = k.mem.freeFrames;
    expect(k.writeByte(p.pid, p.start - 1, 1)).toBe("EFAULT");
    expect(k.writeByte(p.pid, pageAddr(p, 2), 1)).toBe("EFAULT");
    expect(k.readByte(p.pid, pageAddr(p, 2) + 100)).toBe("EFAULT");
    expect(k.fill(p.pid, pageAddr(p, 1), 2, 5)).toBe("EFAULT"); // runs off the end
    expect(k.writeByte(p.pid, 0, 1)).toBe("EFAULT");
    expect(k.mem.freeFrames).toBe(free - 1); // fill mapped page 1 before failing
    expect(k.readByte(p.pid, pageAddr(p, 1))).toBe(5);
    expectSane(k);
  });
});
