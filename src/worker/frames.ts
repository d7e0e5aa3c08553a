import { type FrameWriteHook, PAGE_SIZE, type PhysMem } from "../engine";

/** A saved page: its 4096 bytes, or the one 32-bit word it repeats (most pages here are fills). */
type SavedPage = Uint8Array | number;

/** Rough bytes of one saved page's Map entry and, for a whole page, its ArrayBuffer besides the bytes. */
const ENTRY_BYTES = 48;
const BUFFER_BYTES = 96;

/**
 * The frames' bytes at every checkpoint, without a copy of memory each:
 * copy-on-write. Each frame's contents carry a version number; a checkpoint
 * records the versions (4 bytes a frame) and freezes them. The first write to
 * a frozen frame saves its bytes under its version, and the frame gets a new
 * one. Going back to a checkpoint puts the saved bytes of every frame whose
 * version differs back into the live memory (first saving the live bytes a
 * later checkpoint still needs). So the checkpoints together take the pages
 * written between them, once each, not N frames each.
 */
export class FrameHistory implements FrameWriteHook {
  readonly version: Uint32Array;
  frozenBelow = 0;
  /** Bytes the saved pages take, roughly. */
  bytes = 0;
  private next: number;
  /** Saved pages by version, with the frame each belongs to. */
  private readonly saved = new Map<number, { pfn: number; page: SavedPage }>();

  constructor(private mem: PhysMem) {
    // A version names one frame's contents: each frame starts with its own.
    this.version = Uint32Array.from({ length: mem.nrFrames }, (_, pfn) => pfn);
    this.next = mem.nrFrames;
    mem.cow = this;
  }

  /** The memory checkpoints now share: deepClone must not copy it. */
  get shared(): Set<object> {
    return new Set([this.mem.frameBuffer, this]);
  }

  /** The versions the frames have now, all frozen from here on: what a checkpoint records. */
  freeze(): Uint32Array {
    this.frozenBelow = this.next;
    return this.version.slice();
  }

  save(pfn: number): void {
    this.keep(this.version[pfn], pfn);
    this.version[pfn] = this.next++;
  }

  /** Make `mem` (a restored copy of the engine's, on the same buffer) hold the frames as `versions` recorded them. */
  restore(mem: PhysMem, versions: Uint32Array): void {
    this.mem = mem;
    mem.cow = this;
    const now = this.version;
    for (let pfn = 0; pfn < now.length; pfn++) {
      if (now[pfn] === versions[pfn]) continue;
      // Bytes no checkpoint recorded (written since the last freeze) are not needed again.
      if (now[pfn] < this.frozenBelow) this.keep(now[pfn], pfn);
      const saved = this.saved.get(versions[pfn]);
      if (saved === undefined) throw new Error(`time travel: frame ${pfn} was not saved`);
      mem.restorePage(pfn, saved.page);
      now[pfn] = versions[pfn];
    }
    this.frozenBelow = this.next;
  }

  /**
   * Checkpoints were dropped: forget the saved pages they refer to that none
   * of the kept ones does. (Usually the next kept checkpoint has the same
   * version of a frame, which is checked first.)
   */
  forget(dropped: readonly Uint32Array[], kept: readonly Uint32Array[]): void {
    for (const versions of dropped)
      for (let pfn = 0; pfn < versions.length; pfn++) {
        const v = versions[pfn];
        const saved = this.saved.get(v);
        if (saved === undefined || kept.some((k) => k[pfn] === v)) continue;
        this.saved.delete(v);
        this.bytes -= sizeOf(saved.page);
      }
  }

  /** How many pages are saved, for tests and figures. */
  get savedPages(): number {
    return this.saved.size;
  }

  private keep(version: number, pfn: number): void {
    if (this.saved.has(version)) return;
    const page = this.mem.pageBytes(pfn);
    const words = new Uint32Array(page.buffer, page.byteOffset, PAGE_SIZE / 4);
    const first = words[0];
    let uniform = true;
    for (let i = 1; i < words.length && uniform; i++) uniform = words[i] === first;
    const kept = uniform ? first : page;
    this.saved.set(version, { pfn, page: kept });
    this.bytes += sizeOf(kept);
  }
}

function sizeOf(page: SavedPage): number {
  return typeof page === "number" ? ENTRY_BYTES : ENTRY_BYTES + BUFFER_BYTES + page.byteLength;
}
