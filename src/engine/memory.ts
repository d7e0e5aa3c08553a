import type { Checksummer } from "./checksum";
import { PAGE_SIZE, type Pfn } from "./types";

/** What a frame currently holds (struct page flags, reduced to what KSM cares about). */
export const FRAME_FREE = 0;
export const FRAME_ANON = 1; // an ordinary anonymous page
export const FRAME_KSM = 2; // a KSM page: write-protected wherever mapped, shared by merging
export const FRAME_ZERO = 3; // the shared zero page, mapped read-only by read faults
export type FrameState = typeof FRAME_FREE | typeof FRAME_ANON | typeof FRAME_KSM | typeof FRAME_ZERO;

/**
 * Time travel's copy-on-write (src/worker/frames.ts), kept outside the
 * engine's state: a frame whose version is below frozenBelow still belongs to
 * a checkpoint, so `save` is called once, before the frame is first written,
 * to keep its bytes.
 */
export interface FrameWriteHook {
  readonly version: Uint32Array;
  frozenBelow: number;
  save(pfn: Pfn): void;
}

/** The zero page is frame 0; it is never freed. */
export const ZERO_PFN: Pfn = 0;

/*
 * Layout. Each frame's first HEAD_BYTES live together in one dense area and
 * the rest of its bytes in a second area, both in the one ArrayBuffer. Two
 * different pages nearly always differ in their first bytes, so a tree walk
 * (memcmp at every level) mostly reads the dense area, which stays in the
 * CPU's caches, instead of touching a far-away 4 KiB page per comparison.
 * The contents are all real: a comparison goes on into the rest of the
 * page whenever the heads are equal.
 */
const HEAD_BYTES = 64;
const HEAD_WORDS = HEAD_BYTES / 4;
const BODY_BYTES = PAGE_SIZE - HEAD_BYTES;
const BODY_WORDS = BODY_BYTES / 4;

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
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private readonly bodyWords: number; // word index where the bodies start
  /** A page-sized area after the frames, where a page is assembled for hashing. */
  private readonly scratch: Uint8Array;
  private readonly scratchWords: number;
  readonly state: Uint8Array;
  readonly mapcount: Int32Array;
  readonly refcount: Int32Array;
  /** Bumped on every write to the frame: lets views cache a content swatch. */
  readonly generation: Uint32Array;
  /** page->mapping of a KSM page in profiles with separate stable nodes (6.18). */
  readonly stableNode: (object | null)[];
  private readonly freeList: Int32Array;
  private nrFree = 0;
  /** Set by time travel; every write to a frame's bytes checks it first. */
  cow: FrameWriteHook | null = null;

  constructor(
    nrFrames: number,
    private readonly checksummer: Checksummer,
  ) {
    if (!Number.isInteger(nrFrames) || nrFrames < 2) throw new RangeError("memory needs at least 2 frames");
    this.nrFrames = nrFrames;
    const buffer = new ArrayBuffer((nrFrames + 1) * PAGE_SIZE);
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer);
    this.bodyWords = nrFrames * HEAD_WORDS;
    this.scratchWords = nrFrames * (PAGE_SIZE / 4);
    this.scratch = this.bytes.subarray(nrFrames * PAGE_SIZE);
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

  private head(pfn: Pfn): number {
    return pfn * HEAD_WORDS;
  }

  private body(pfn: Pfn): number {
    return this.bodyWords + pfn * BODY_WORDS;
  }

  /** Index in `bytes` of byte `offset` of page pfn. */
  private byteIndex(pfn: Pfn, offset: number): number {
    return offset < HEAD_BYTES ? pfn * HEAD_BYTES + offset : this.body(pfn) * 4 + offset - HEAD_BYTES;
  }

  /** The ArrayBuffer holding every frame's bytes (a checkpoint shares it). */
  get frameBuffer(): ArrayBuffer {
    return this.bytes.buffer as ArrayBuffer;
  }

  private willWrite(pfn: Pfn): void {
    const cow = this.cow;
    if (cow !== null && cow.version[pfn] < cow.frozenBelow) cow.save(pfn);
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
    if (zeroed) this.fillPage(pfn, 0);
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
    this.willWrite(to);
    const w = this.words;
    w.copyWithin(this.head(to), this.head(from), this.head(from) + HEAD_WORDS);
    w.copyWithin(this.body(to), this.body(from), this.body(from) + BODY_WORDS);
    this.generation[to]++;
  }

  /** Fills a page with one 32-bit value repeated (little-endian), as the scenario `fill` op does. */
  fillPage(pfn: Pfn, value: number): void {
    this.willWrite(pfn);
    this.words.fill(value >>> 0, this.head(pfn), this.head(pfn) + HEAD_WORDS);
    this.words.fill(value >>> 0, this.body(pfn), this.body(pfn) + BODY_WORDS);
    this.generation[pfn]++;
  }

  writeByte(pfn: Pfn, offset: number, byte: number): void {
    this.willWrite(pfn);
    this.bytes[this.byteIndex(pfn, offset)] = byte & 0xff;
    this.generation[pfn]++;
  }

  readByte(pfn: Pfn, offset: number): number {
    return this.bytes[this.byteIndex(pfn, offset)];
  }

  /**
   * Time travel: puts back a page's bytes as they were saved, whole or as one
   * repeated 32-bit word. Not a write: no generation bump, no copy-on-write.
   */
  restorePage(pfn: Pfn, saved: Uint8Array | number): void {
    if (typeof saved === "number") {
      this.words.fill(saved, this.head(pfn), this.head(pfn) + HEAD_WORDS);
      this.words.fill(saved, this.body(pfn), this.body(pfn) + BODY_WORDS);
    } else {
      this.bytes.set(saved.subarray(0, HEAD_BYTES), pfn * HEAD_BYTES);
      this.bytes.set(saved.subarray(HEAD_BYTES), this.body(pfn) * 4);
    }
  }

  /** Assemble the page in the scratch area; returns that area (valid until the next call). */
  private assemble(pfn: Pfn): Uint8Array {
    const w = this.words;
    w.copyWithin(this.scratchWords, this.head(pfn), this.head(pfn) + HEAD_WORDS);
    w.copyWithin(this.scratchWords + HEAD_WORDS, this.body(pfn), this.body(pfn) + BODY_WORDS);
    return this.scratch;
  }

  /** A copy of the page's 4096 bytes. */
  pageBytes(pfn: Pfn): Uint8Array {
    return this.assemble(pfn).slice();
  }

  /** calc_checksum() */
  checksum(pfn: Pfn): number {
    return this.checksummer(this.assemble(pfn));
  }

  /**
   * memcmp_pages(): memcmp() order of the two pages' bytes. Compares a word
   * at a time to find the first difference, then orders by its bytes.
   */
  memcmpPages(p1: Pfn, p2: Pfn): number {
    const ret = this.memcmpWords(this.head(p1), this.head(p2), HEAD_WORDS);
    return ret !== 0 ? ret : this.memcmpWords(this.body(p1), this.body(p2), BODY_WORDS);
  }

  private memcmpWords(i: number, j: number, n: number): number {
    const w = this.words;
    const end = i + n;
    // Four words a step (n is a multiple of 4): equal pages are compared in full.
    while (
      i < end &&
      w[i] === w[j] &&
      w[i + 1] === w[j + 1] &&
      w[i + 2] === w[j + 2] &&
      w[i + 3] === w[j + 3]
    ) {
      i += 4;
      j += 4;
    }
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
