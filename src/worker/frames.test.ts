import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer, PAGE_SIZE, PhysMem } from "../engine";
import { FrameHistory } from "./frames";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

/** Every frame's bytes (base64, which compares fast), to compare whole memories. */
const contents = (mem: PhysMem) =>
  Array.from({ length: mem.nrFrames }, (_, pfn) => Buffer.from(mem.pageBytes(pfn)).toString("base64"));

describe("copy-on-write frame history", () => {
  it("saves a frame once, before its first write after a freeze, and puts every checkpoint's bytes back", () => {
    const mem = new PhysMem(16, checksummer);
    const history = new FrameHistory(mem);
    mem.fillPage(1, 7); // before any checkpoint: nothing to keep
    expect(history.savedPages).toBe(0);
    const zero = history.freeze();
    const atZero = contents(mem);
    mem.fillPage(1, 8);
    mem.writeByte(1, 100, 9); // the same frame again: already saved
    mem.copyPage(2, 1);
    expect(history.savedPages).toBe(2);
    const one = history.freeze();
    const atOne = contents(mem);
    mem.writeByte(2, 5, 1);
    mem.fillPage(3, 3);
    const atTwo = contents(mem);

    history.restore(mem, zero);
    expect(contents(mem)).toEqual(atZero);
    history.restore(mem, one); // forward again: the bytes zero replaced were kept
    expect(contents(mem)).toEqual(atOne);
    mem.fillPage(3, 3); // replayed as before
    mem.writeByte(2, 5, 1);
    expect(contents(mem)).toEqual(atTwo);
    history.restore(mem, zero);
    expect(contents(mem)).toEqual(atZero);
  });

  it("keeps a page that repeats one word as that word, any other page whole", () => {
    const mem = new PhysMem(16, checksummer);
    const history = new FrameHistory(mem);
    history.freeze();
    mem.fillPage(1, 0x1234); // was zeros: one word
    const filled = history.bytes;
    expect(filled).toBeLessThan(100);
    history.freeze();
    mem.writeByte(1, 0, 1); // was 0x1234 repeated: one word
    expect(history.bytes).toBe(2 * filled);
    history.freeze();
    mem.writeByte(1, 1, 1); // no longer one word repeated: whole
    expect(history.bytes).toBeGreaterThan(2 * filled + PAGE_SIZE);
  });

  it("forgets the pages no checkpoint kept refers to", () => {
    const mem = new PhysMem(16, checksummer);
    const history = new FrameHistory(mem);
    const zero = history.freeze();
    mem.fillPage(1, 1);
    const one = history.freeze();
    mem.fillPage(2, 2);
    mem.fillPage(3, 3);
    expect(history.savedPages).toBe(3);
    const two = history.freeze();
    history.forget([zero], [one, two]); // frame 1's zeros go; frames 2 and 3 are still 0 in `one`
    expect(history.savedPages).toBe(2);
    const atOne = contents(mem);
    history.restore(mem, one);
    expect(contents(mem)[1]).toEqual(atOne[1]);
    expect(contents(mem)[3]).toEqual(Buffer.alloc(PAGE_SIZE).toString("base64"));
    history.forget([one, two], []);
    expect([history.savedPages, history.bytes]).toEqual([0, 0]);
  });
});
