import { describe, expect, it } from "vitest";
import { cloneSized, deepClone } from "./clone";

class Node {
  next: Node | null = null;
  constructor(
    readonly id: number,
    public data: Uint32Array,
  ) {}
  label(): string {
    return `node ${this.id}`;
  }
}

describe("deepClone", () => {
  it("copies a graph: classes keep their prototypes, cycles and shared references stay, kept objects are shared", () => {
    const buffer = new ArrayBuffer(64);
    const a = new Node(1, new Uint32Array(buffer, 0, 4));
    const b = new Node(2, new Uint32Array(buffer, 16, 4));
    a.next = b;
    b.next = a;
    const shared = { big: new Uint8Array(1024) };
    const world = { nodes: [a, b], byId: new Map([[1, a]]), seen: new Set([b]), shared };
    const { copy, bytes } = cloneSized(world, new Set([shared]));
    expect(copy).toEqual(world);
    expect(copy.nodes[0]).not.toBe(a);
    expect(copy.nodes[0].label()).toBe("node 1");
    expect(copy.nodes[0].next?.next).toBe(copy.nodes[0]);
    expect(copy.byId.get(1)).toBe(copy.nodes[0]);
    expect(copy.seen.has(copy.nodes[1])).toBe(true);
    expect(copy.shared).toBe(shared);
    // The two views still share one (copied) buffer.
    expect(copy.nodes[0].data.buffer).toBe(copy.nodes[1].data.buffer);
    expect(copy.nodes[0].data.buffer).not.toBe(buffer);
    copy.nodes[1].data[0] = 7;
    expect(b.data[0]).toBe(0);
    expect(bytes).toBeGreaterThanOrEqual(64); // the buffer's bytes, not the kept object's
    expect(bytes).toBeLessThan(1024);
  });

  it("copies instances of one class whatever their properties, however many lists of them", () => {
    const odd = Array.from({ length: 20 }, (_, i) => {
      const n = new Node(i, new Uint32Array(1));
      for (let j = 0; j <= i; j++) (n as unknown as Record<string, number>)[`extra${(i * 7 + j) % 20}`] = j;
      return n;
    });
    const copy = deepClone(odd);
    expect(copy).toEqual(odd);
    expect(copy.every((n) => n instanceof Node)).toBe(true);
    expect(copy.map((n) => Object.keys(n))).toEqual(odd.map((n) => Object.keys(n)));
  });
});
