import { checkInvariants } from "./invariants";
import type { Kernel } from "./kernel";
import { PAGE_SIZE, type Pid, type VirtAddr } from "./types";

/**
 * What each process should read if KSM did not exist: every region's bytes,
 * kept apart from the engine. Tests drive the engine and this model with the
 * same operations and compare.
 */
export class Shadow {
  private readonly procs = new Map<Pid, Map<VirtAddr, Uint8Array>>();

  constructor(private readonly k: Kernel) {}

  pids(): Pid[] {
    return [...this.procs.keys()];
  }

  /** The i-th region (modulo the count) of pid, or null if it has none. */
  region(pid: Pid, i: number): { start: VirtAddr; pages: number } | null {
    const regions = [...(this.procs.get(pid)?.entries() ?? [])];
    if (regions.length === 0) return null;
    const [start, bytes] = regions[i % regions.length];
    return { start, pages: bytes.length / PAGE_SIZE };
  }

  spawn(pid: Pid): void {
    this.procs.set(pid, new Map());
  }

  mmap(pid: Pid, start: VirtAddr, pages: number): void {
    this.procs.get(pid)!.set(start, new Uint8Array(pages * PAGE_SIZE));
  }

  munmap(pid: Pid, start: VirtAddr): void {
    this.procs.get(pid)!.delete(start);
  }

  fork(parent: Pid, child: Pid): void {
    const copy = new Map<VirtAddr, Uint8Array>();
    for (const [start, bytes] of this.procs.get(parent)!) copy.set(start, bytes.slice());
    this.procs.set(child, copy);
  }

  exit(pid: Pid): void {
    this.procs.delete(pid);
  }

  private locate(pid: Pid, addr: VirtAddr): [Uint8Array, number] {
    for (const [start, bytes] of this.procs.get(pid)!) {
      if (addr >= start && addr < start + bytes.length) return [bytes, addr - start];
    }
    throw new Error(`shadow: pid ${pid} has nothing at ${addr}`);
  }

  fill(pid: Pid, addr: VirtAddr, pages: number, value: number): void {
    const [bytes, off] = this.locate(pid, addr);
    const word = new Uint8Array(new Uint32Array([value >>> 0]).buffer);
    for (let i = 0; i < pages * PAGE_SIZE; i++) bytes[off + i] = word[i % 4];
  }

  write(pid: Pid, addr: VirtAddr, byte: number): void {
    const [bytes, off] = this.locate(pid, addr);
    bytes[off] = byte;
  }

  read(pid: Pid, addr: VirtAddr): number {
    const [bytes, off] = this.locate(pid, addr);
    return bytes[off];
  }

  /** Differences between what the engine maps and what the model says, page by page. */
  compare(): string[] {
    const bad: string[] = [];
    for (const [pid, regions] of this.procs) {
      if (!this.k.task(pid)) {
        bad.push(`pid ${pid} is gone from the engine`);
        continue;
      }
      for (const [start, bytes] of regions) {
        for (let p = 0; p < bytes.length / PAGE_SIZE; p++) {
          const want = bytes.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
          const pfn = this.k.pageAt(pid, start + p * PAGE_SIZE);
          const got = pfn < 0 ? null : this.k.mem.pageBytes(pfn);
          const same = got ? got.every((b, i) => b === want[i]) : want.every((b) => b === 0);
          if (!same)
            bad.push(`pid ${pid} reads the wrong bytes at page ${p} of region ${start.toString(16)}`);
        }
      }
    }
    return bad;
  }
}

export function invariantsAndTransparency(k: Kernel, shadow: Shadow): string[] {
  return [...checkInvariants(k), ...shadow.compare()];
}
