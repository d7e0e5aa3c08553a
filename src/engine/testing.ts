/**
 * Helpers shared by the engine's unit tests: a kernel per test, processes
 * with one region, page fills, full scans, event capture and counters.
 * Not part of the engine's public surface.
 */
import { expect } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import type { KsmEvent, KsmEventType } from "./events";
import { checkInvariants } from "./invariants";
import { Kernel, MADV_MERGEABLE } from "./kernel";
import type { ProfileName } from "./ksm/profile";
import { waitScans } from "./ksmd";
import { counters } from "./scenario";
import { PAGE_SIZE, type Pid, type VirtAddr } from "./types";

let checksummer: Checksummer | null = null;

/** Load xxhash-wasm once; call from a beforeAll. */
export async function loadEngine(): Promise<void> {
  checksummer ??= await loadChecksummer();
}

/** A new machine with `frames` page frames. */
export function newKernel(profile: ProfileName = "linux-2.6.32", frames = 256): Kernel {
  if (!checksummer) throw new Error("call loadEngine() in a beforeAll first");
  return new Kernel({ frames, profile, checksummer });
}

/** A process with one anonymous region of `pages` pages (nothing faulted in). */
export interface Proc {
  pid: Pid;
  start: VirtAddr;
}

export function spawnWithRegion(k: Kernel, name: string, pages: number): Proc {
  const t = k.spawn(name);
  const start = k.mmap(t.pid, pages, "r");
  if (typeof start === "string") throw new Error(`mmap: ${start}`);
  return { pid: t.pid, start };
}

/** Address of page `i` of a process's region. */
export function pageAddr(p: Proc, i: number): VirtAddr {
  return p.start + i * PAGE_SIZE;
}

/** Fill pages of a region with the 32-bit value repeated (the scenario `fill` op); asserts success. */
export function fillPages(k: Kernel, p: Proc, values: number[], from = 0): void {
  values.forEach((v, i) => {
    expect(k.fill(p.pid, pageAddr(p, from + i), 1, v)).toBe(0);
  });
}

/** madvise(MADV_MERGEABLE) on `pages` pages of the region; asserts success. */
export function mergeable(k: Kernel, p: Proc, pages: number, from = 0): void {
  expect(k.madvise(p.pid, pageAddr(p, from), pages * PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
}

/** A process with a mergeable region filled with these page values. */
export function mergeableProc(k: Kernel, name: string, values: number[]): Proc {
  const p = spawnWithRegion(k, name, values.length);
  fillPages(k, p, values);
  mergeable(k, p, values.length);
  return p;
}

/** Let ksmd complete n full scans (sets run = 1 first). */
export function scans(k: Kernel, n: number): void {
  k.ksm.knobs.run = 1;
  expect(waitScans(k, n)).toBeNull();
}

/** The five counters a snapshot prints. */
export function snap(k: Kernel) {
  return counters(k);
}

/** Shorthand for the counters as [shared, sharing, unshared, volatile, full_scans]. */
export function ctr(k: Kernel): [number, number, number, number, number] {
  const c = counters(k);
  return [c.pages_shared, c.pages_sharing, c.pages_unshared, c.pages_volatile, c.full_scans];
}

/** Record every event from now on. */
export function record(k: Kernel): KsmEvent[] {
  const events: KsmEvent[] = [];
  k.tracer = (e) => events.push(e);
  return events;
}

/** Events of one type, narrowed. */
export function ofType<T extends KsmEventType>(
  events: KsmEvent[],
  type: T,
): Extract<KsmEvent, { type: T }>[] {
  return events.filter((e): e is Extract<KsmEvent, { type: T }> => e.type === type);
}

/** The engine's invariant checker must find nothing wrong. */
export function expectSane(k: Kernel): void {
  expect(checkInvariants(k)).toEqual([]);
}

/** The byte at offset 0 of page `i` of the region, read without faulting (0 when not mapped). */
export function byteAt(k: Kernel, p: Proc, i: number, offset = 0): number {
  const pfn = k.pageAt(p.pid, pageAddr(p, i));
  return pfn < 0 ? 0 : k.mem.readByte(pfn, offset);
}

/** The frame mapped at page `i` of the region (-1 if none). */
export function pfnAt(k: Kernel, p: Proc, i: number): number {
  return k.pageAt(p.pid, pageAddr(p, i));
}
