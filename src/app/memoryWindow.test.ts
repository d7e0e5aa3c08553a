import { describe, expect, it } from "vitest";
import { FRAME_ANON, FRAME_FREE, FRAME_KSM, highestUsedFrame } from "../engine";
import { framesShown as shownFor } from "./memoryWindow";

/** framesShown of a machine whose frames are in these states, its highest used frame found as the index finds it. */
const framesShown = (state: Uint8Array, count: number) => shownFor(highestUsedFrame(state, count), count);

function memory(count: number, used: number[]): Uint8Array {
  const state = new Uint8Array(count).fill(FRAME_FREE);
  for (const pfn of used) state[pfn] = FRAME_ANON;
  return state;
}

describe("framesShown", () => {
  it("shows 64 frames while only the first few are used", () => {
    expect(framesShown(memory(1024, [0, 3, 7]), 1024)).toBe(64);
  });

  it("grows by doubling, up to the highest frame in use", () => {
    expect(framesShown(memory(1024, [64]), 1024)).toBe(128);
    const state = memory(1024, [2]);
    state[600] = FRAME_KSM;
    expect(framesShown(state, 1024)).toBe(1024);
  });

  it("never shows more frames than the machine has", () => {
    expect(framesShown(memory(32, [31]), 32)).toBe(32);
    expect(framesShown(memory(100, [99]), 100)).toBe(100);
  });
});
