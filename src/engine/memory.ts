import type { Checksummer } from "./checksum";
import { PAGE_SIZE, type Pfn } from "./types";

/** What a frame currently holds (struct page flags, reduced to what KSM cares about). */
export const FRAME_FREE = 0;
export const FRAME_ANON = 1; // an ordinary anonymous page
export const FRAME_KSM = 2; // a KSM page: write-protected wherever mapped, shared by merging
export const FRAME_ZERO = 3; // the shared zero page, mapped read-only by read faults
export type FrameState = typeof FRAME_FREE | typeof FRAME_ANON | typeof FRAME_KSM | typeof FRAME_ZERO;

/** The zero page is frame 0; it is never freed. */
export const ZERO_PFN: Pfn = 0;

const WORDS = PAGE_SIZE / 4;

/**
 * Simulated physical memory: N frames of 4096 real bytes in one ArrayBuffer,
 * with per-frame metadata in typed arrays, and the one page allocator.
 *
 * refcount is page_count(): mappings plus temporary references (ksmd holds
 * one on each page it is working on, as the kernel does with get_page()),
 * so a page cannot be freed and reused under ksmd's feet. mapcount is
 * page_mapcount(): the number of PTEs that map the frame.
 */
export class PhysMem {
  readonly nrFrames: number;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly state: Uint8Array;
  readonly mapcount: Int32Array;
  readonly refcount: Int32Array;
  /** Bumped on every write to the frame: lets views cache a content swatch. */
  readonly generation: Uint32Array;
  /** page->mapping of a KSM page in profiles with separate stable nodes (6.18). */
  readonly stableNode: (object | null)[];
  private readonly freeList: Int32Array;
  private nrFree = 0;

  constructor(
    nrFrames: number,
    private readonly checksummer: Checksummer,
  ) {
    if (!Number.isInteger(nrFrames) || nrFrames < 2) throw new RangeError("memory needs at least 2 frames");
    this.nrFrames = nrFrames;
    const buffer = new ArrayBuffer(nrFrames * PAGE_SIZE);
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer);
    this.state = new Uint8Array(nrFrames);
    this.mapcount = new Int32Array(nrFrames);
    this.refcount = new Int32Array(nrFrames);
    this.generation = new Uint32Array(nrFrames);
    this.stableNode = new Array<object | null>(nrFrames).fill(null);
    this.freeList = new Int32Array(nrFrames);
    // Push in reverse so the lowest frames are handed out first: easy to follow in the UI.
    for (let pfn = nrFrames - 1; pfn > ZERO_PFN; pfn--) this.freeList[this.nrFree++] = pfn;
    this.state[ZERO_PFN] = FRAME_ZERO;
    this.refcount[ZERO_PFN] = 1; // reserved forever
  }

  get freeFrames(): number {
    return this.nrFree;
  }

  /**
   * alloc_page(): a frame with one reference, or -1 when memory is exhausted
   * (the caller decides whether to call the OOM killer). Freed frames are
   * reused last-in first-out, like the kernel's per-cpu hot lists.
   */
  allocPage(zeroed: boolean): Pfn {
    if (this.nrFree === 0) return -1;
    const pfn = this.freeList[--this.nrFree];
    this.state[pfn] = FRAME_ANON;
    this.refcount[pfn] = 1;
    this.mapcount[pfn] = 0;
    if (zeroed) this.words.fill(0, pfn * WORDS, (pfn + 1) * WORDS);
    this.generation[pfn]++;
    return pfn;
  }

  getPage(pfn: Pfn): void {
    this.refcount[pfn]++;
  }

  /** put_page(): drop a reference; the frame goes back to the free list at zero. */
  putPage(pfn: Pfn): void {
    if (pfn === ZERO_PFN) return;
    if (--this.refcount[pfn] > 0) return;
    if (this.refcount[pfn] < 0 || this.mapcount[pfn] !== 0) {
      throw new Error(`put_page: frame ${pfn} freed while mapped or over-released`);
    }
    this.state[pfn] = FRAME_FREE;
    this.stableNode[pfn] = null;
    this.freeList[this.nrFree++] = pfn;
  }

  isAnon(pfn: Pfn): boolean {
    const s = this.state[pfn];
    return s === FRAME_ANON || s === FRAME_KSM; // PageAnon() is true for KSM pages too
  }

  isKsm(pfn: Pfn): boolean {
    return this.state[pfn] === FRAME_KSM;
  }

  copyPage(to: Pfn, from: Pfn): void {
    this.words.copyWithin(to * WORDS, from * WORDS, (from + 1) * WORDS);
    this.generation[to]++;
  }

  /** Fills a page with one 32-bit value repeated (little-endian), as the scenario `fill` op does. */
  fillPage(pfn: Pfn, value: number): void {
    this.words.fill(value >>> 0, pfn * WORDS, (pfn + 1) * WORDS);
    this.generation[pfn]++;
  }

  writeByte(pfn: Pfn, offset: number, byte: number): void {
    this.bytes[pfn * PAGE_SIZE + offset] = byte & 0xff;
    this.generation[pfn]++;
  }

  readByte(pfn: Pfn, offset: number): number {
    return this.bytes[pfn * PAGE_SIZE + offset];
  }

  pageBytes(pfn: Pfn): Uint8Array {
    return this.bytes.subarray(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
  }

  /** calc_checksum() */
  checksum(pfn: Pfn): number {
    return this.checksummer(this.pageBytes(pfn));
  }

  /**
   * memcmp_pages(): memcmp() order of the two pages' bytes. Compares a word
   * at a time to find the first difference, then orders by its bytes.
   */
  memcmpPages(p1: Pfn, p2: Pfn): number {
    const w = this.words;
    let i = p1 * WORDS;
    let j = p2 * WORDS;
    const end = i + WORDS;
    for (; i < end; i++, j++) {
      if (w[i] !== w[j]) {
        const b = this.bytes;
        for (let k = 0; k < 4; k++) {
          const d = b[i * 4 + k] - b[j * 4 + k];
          if (d !== 0) return d;
        }
      }
    }
    return 0;
  }
}
