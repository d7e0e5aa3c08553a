import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RB_BLACK,
  RB_RED,
  type RbColor,
  RbNode,
  type RbObserver,
  RbRoot,
  rbCount,
  rbErase,
  rbFirst,
  rbHeight,
  rbInsertColor,
  rbLast,
  rbLinkNode,
  rbNext,
  rbPrev,
  rbReplaceNode,
  rbValidate,
} from "./rbtree";

class KeyNode extends RbNode {
  key: number;
  constructor(key: number) {
    super();
    this.key = key;
  }
}

/* The caller-side search, as a kernel user writes it. Equal keys go right. */
function insert(root: RbRoot, node: KeyNode): void {
  let parent: KeyNode | null = null;
  let goLeft = false;
  let cur = root.rbNode as KeyNode | null;
  while (cur !== null) {
    parent = cur;
    goLeft = node.key < cur.key;
    cur = (goLeft ? cur.rbLeft : cur.rbRight) as KeyNode | null;
  }
  rbLinkNode(node, parent, goLeft, root);
  rbInsertColor(node, root);
}

/* Model insert matching the tree: after all equal keys (upper bound). */
function modelInsert(model: KeyNode[], node: KeyNode): void {
  let lo = 0;
  let hi = model.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model[mid].key <= node.key) lo = mid + 1;
    else hi = mid;
  }
  model.splice(lo, 0, node);
}

/* In-order walks, stopping after `limit` nodes in case a bug made them cycle. */
function forward(root: RbRoot, limit = Infinity): RbNode[] {
  const out: RbNode[] = [];
  for (let n = rbFirst(root); n !== null && out.length < limit; n = rbNext(n)) out.push(n);
  return out;
}

function backward(root: RbRoot, limit = Infinity): RbNode[] {
  const out: RbNode[] = [];
  for (let n = rbLast(root); n !== null && out.length < limit; n = rbPrev(n)) out.push(n);
  return out;
}

/*
 * Everything that must hold after every operation, compared by node identity.
 * Returns a description rather than asserting node by node: expect() on nodes
 * would try to pretty-print the whole (cyclic) tree on failure, and is slow.
 */
function problem(root: RbRoot, model: readonly RbNode[]): string | null {
  const v = rbValidate(root);
  if (v !== null) return v;
  const n = model.length;
  const fwd = forward(root, n + 1);
  if (fwd.length !== n) return `forward walk has ${fwd.length} nodes, model ${n}`;
  for (let i = 0; i < n; i++) if (fwd[i] !== model[i]) return `forward walk differs at ${i}`;
  const bwd = backward(root, n + 1);
  if (bwd.length !== n) return `backward walk has ${bwd.length} nodes, model ${n}`;
  for (let i = 0; i < n; i++) if (bwd[i] !== model[n - 1 - i]) return `backward walk differs at ${n - 1 - i}`;
  if (rbCount(root) !== n) return `rbCount ${rbCount(root)}, model ${n}`;
  const h = rbHeight(root);
  if (h > 2 * Math.log2(n + 1)) return `height ${h} exceeds 2*log2(${n}+1)`;
  return null;
}

function check(root: RbRoot, model: readonly RbNode[]): void {
  expect(problem(root, model)).toBeNull();
}

function expectCleared(node: RbNode): void {
  expect(node.rbParent === null && node.rbLeft === null && node.rbRight === null).toBe(true);
}

function build(keys: readonly number[]): { root: RbRoot; model: KeyNode[] } {
  const root = new RbRoot();
  const model: KeyNode[] = [];
  for (const k of keys) {
    const n = new KeyNode(k);
    insert(root, n);
    modelInsert(model, n);
  }
  return { root, model };
}

/* Hand-built node for the corruption tests. */
function node(
  key: number,
  color: RbColor,
  left: KeyNode | null = null,
  right: KeyNode | null = null,
): KeyNode {
  const n = new KeyNode(key);
  n.rbColor = color;
  n.rbLeft = left;
  n.rbRight = right;
  if (left !== null) left.rbParent = n;
  if (right !== null) right.rbParent = n;
  return n;
}

function rootOf(top: RbNode | null): RbRoot {
  const root = new RbRoot();
  root.rbNode = top;
  return root;
}

type Which = "any" | "root" | "twoChildren" | "leaf";
type Op =
  | { kind: "insert"; key: number }
  | { kind: "erase"; which: Which; pick: number }
  | { kind: "replace"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("insert" as const), key: fc.integer({ min: 0, max: 40 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("erase" as const),
      which: fc.constantFrom<Which>("any", "root", "twoChildren", "leaf"),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), pick: fc.nat() }) },
);

function candidates(model: KeyNode[], root: RbRoot, which: Which): KeyNode[] {
  switch (which) {
    case "any":
      return model;
    case "root":
      return root.rbNode === null ? [] : [root.rbNode as KeyNode];
    case "twoChildren":
      return model.filter((n) => n.rbLeft !== null && n.rbRight !== null);
    case "leaf":
      return model.filter((n) => n.rbLeft === null && n.rbRight === null);
  }
}

describe("rbtree", () => {
  it("starts empty", () => {
    const root = new RbRoot();
    expect(rbFirst(root)).toBeNull();
    expect(rbLast(root)).toBeNull();
    expect(rbCount(root)).toBe(0);
    expect(rbHeight(root)).toBe(0);
    expect(rbValidate(root)).toBeNull();
  });

  it("links the first node as a black root", () => {
    const root = new RbRoot();
    const n = new KeyNode(1);
    insert(root, n);
    expect(root.rbNode === n).toBe(true);
    expect(n.rbColor).toBe(RB_BLACK);
    expect(n.rbParent).toBeNull();
    check(root, [n]);
    rbErase(n, root);
    expect(root.rbNode).toBeNull();
    expectCleared(n);
  });

  it("rbLinkNode refuses an occupied slot", () => {
    const { root, model } = build([1, 2, 3]);
    expect(() => rbLinkNode(new KeyNode(9), null, false, root)).toThrow(/occupied/);
    expect(() => rbLinkNode(new KeyNode(9), model[1], true, root)).toThrow(/occupied/);
    check(root, model);
  });

  it("stays balanced under ascending, descending and alternating inserts", () => {
    const n = 4096;
    for (const keys of [
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, (_, i) => n - i),
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n * 2 - i)),
    ]) {
      const { root, model } = build(keys);
      check(root, model);
      // Erase in ascending order: always the leftmost node.
      for (let i = 0; i < n; i++) {
        const victim = rbFirst(root)!;
        expect(victim === model[i]).toBe(true);
        rbErase(victim, root);
        if (i % 256 === 0) check(root, model.slice(i + 1));
      }
      expect(root.rbNode).toBeNull();
    }
  });

  it("property: random inserts, erases and replacements keep it valid and in order", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150, size: "max" }), (ops) => {
        const root = new RbRoot();
        const model: KeyNode[] = [];
        for (const op of ops) {
          if (op.kind === "insert") {
            const n = new KeyNode(op.key);
            insert(root, n);
            modelInsert(model, n);
          } else if (op.kind === "erase") {
            const c = candidates(model, root, op.which);
            if (c.length === 0) continue;
            const victim = c[op.pick % c.length];
            rbErase(victim, root);
            model.splice(model.indexOf(victim), 1);
            expectCleared(victim);
          } else {
            if (model.length === 0) continue;
            const i = op.pick % model.length;
            const victim = model[i];
            const replacement = new KeyNode(victim.key);
            const color = victim.rbColor;
            const wasRoot = root.rbNode === victim;
            rbReplaceNode(victim, replacement, root);
            model[i] = replacement;
            expectCleared(victim);
            expect(replacement.rbColor).toBe(color);
            expect(root.rbNode === replacement).toBe(wasRoot);
          }
          check(root, model);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("property: erasing every node in random order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 120, size: "max" }),
        fc.infiniteStream(fc.nat()),
        (keys, picks) => {
          const { root, model } = build(keys);
          check(root, model);
          const pickIter = picks[Symbol.iterator]();
          while (model.length > 0) {
            const i = (pickIter.next().value as number) % model.length;
            const victim = model[i];
            rbErase(victim, root);
            model.splice(i, 1);
            expectCleared(victim);
            check(root, model);
          }
          expect(root.rbNode).toBeNull();
        },
      ),
      { numRuns: 150 },
    );
  });

  it("property: never compares keys, so any caller-chosen link position keeps its in-order place", () => {
    // The caller descends by arbitrary left/right choices (as KSM may in an
    // unstable tree whose contents changed); the in-order sequence must be
    // exactly where each node was linked, regardless of any key.
    fc.assert(
      fc.property(
        fc.array(fc.record({ path: fc.array(fc.boolean(), { maxLength: 20 }), erase: fc.nat() }), {
          maxLength: 120,
          size: "max",
        }),
        (steps) => {
          const root = new RbRoot();
          const model: RbNode[] = [];
          for (const [i, step] of steps.entries()) {
            if (i % 4 === 3 && model.length > 0) {
              const j = step.erase % model.length;
              rbErase(model[j], root);
              model.splice(j, 1);
              check(root, model);
              continue;
            }
            let parent: RbNode | null = null;
            let goLeft = false;
            let cur = root.rbNode;
            for (let d = 0; cur !== null; d++) {
              parent = cur;
              goLeft = step.path[d % Math.max(step.path.length, 1)] ?? false;
              cur = goLeft ? cur.rbLeft : cur.rbRight;
            }
            const n = new RbNode();
            rbLinkNode(n, parent, goLeft, root);
            // A left child sorts just before its parent, a right child just after.
            const at = parent === null ? 0 : model.indexOf(parent) + (goLeft ? 0 : 1);
            model.splice(at, 0, n);
            rbInsertColor(n, root);
            check(root, model);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("rbReplaceNode swaps in place, including the root, without rebalancing", () => {
    const { root, model } = build([5, 3, 8, 1, 4, 7, 9, 2, 6]);
    const rotations: string[] = [];
    root.observer = { rotate: (_p, d) => rotations.push(d) };
    for (let i = 0; i < model.length; i++) {
      const victim = model[i];
      const { rbParent, rbLeft, rbRight, rbColor } = victim;
      const height = rbHeight(root);
      const replacement = new KeyNode(victim.key);
      rbReplaceNode(victim, replacement, root);
      model[i] = replacement;
      expect(replacement.rbParent === rbParent).toBe(true);
      expect(replacement.rbLeft === rbLeft && replacement.rbRight === rbRight).toBe(true);
      expect(replacement.rbColor).toBe(rbColor);
      expect(rbHeight(root)).toBe(height);
      expectCleared(victim);
      check(root, model);
    }
    expect(rotations).toEqual([]);
    // Replacing a node by itself is a no-op.
    const top = root.rbNode!;
    rbReplaceNode(top, top, root);
    expect(root.rbNode === top).toBe(true);
    check(root, model);
  });

  describe("observer", () => {
    function recordingRoot(): { root: RbRoot; log: Array<[number, string]> } {
      const root = new RbRoot();
      const log: Array<[number, string]> = [];
      root.observer = { rotate: (pivot, dir) => log.push([(pivot as KeyNode).key, dir]) };
      return { root, log };
    }

    it("sees a single left rotation for ascending inserts", () => {
      const { root, log } = recordingRoot();
      for (const k of [1, 2, 3]) insert(root, new KeyNode(k));
      expect(log).toEqual([[1, "left"]]);
      expect((root.rbNode as KeyNode).key).toBe(2);
    });

    it("sees a single right rotation for descending inserts", () => {
      const { root, log } = recordingRoot();
      for (const k of [3, 2, 1]) insert(root, new KeyNode(k));
      expect(log).toEqual([[3, "right"]]);
    });

    it("sees both rotations of the zig-zag cases", () => {
      const a = recordingRoot();
      for (const k of [1, 3, 2]) insert(a.root, new KeyNode(k));
      expect(a.log).toEqual([
        [3, "right"],
        [1, "left"],
      ]);
      const b = recordingRoot();
      for (const k of [3, 1, 2]) insert(b.root, new KeyNode(k));
      expect(b.log).toEqual([
        [1, "left"],
        [3, "right"],
      ]);
    });

    it("sees rotations during erase", () => {
      const { root, model } = build([2, 1, 3, 4]);
      const log: Array<[number, string]> = [];
      root.observer = { rotate: (pivot, dir) => log.push([(pivot as KeyNode).key, dir]) };
      // Tree: 2(B) with 1(B) and 3(B) -> 4(r). Erasing 1 leaves the left side
      // a black short and 3's red outer child makes it case 4: left rotate at 2.
      rbErase(model[0], root);
      expect(log).toEqual([[2, "left"]]);
      check(root, model.slice(1));
    });

    it("property: each rotation leaves links consistent and order intact; at most 2 per insert, 3 per erase", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -1, max: 60 }), { maxLength: 150, size: "max" }), (keys) => {
          const root = new RbRoot();
          const model: KeyNode[] = [];
          let count = 0;
          const observer: RbObserver = {
            rotate(pivot, dir) {
              count++;
              // The pivot moved down on the side named by the direction.
              const up = pivot.rbParent!;
              expect((dir === "left" ? up.rbLeft : up.rbRight) === pivot).toBe(true);
              // Rotations preserve the in-order sequence and the parent links,
              // even though colours may be mid-fixup.
              const fwd = forward(root, model.length + 1);
              expect(fwd.length).toBe(model.length);
              expect(fwd.every((n, i) => n === model[i])).toBe(true);
              const v = rbValidate(root);
              expect(v === null || !/wrong parent|non-null parent|both children/.test(v)).toBe(true);
            },
          };
          root.observer = observer;
          for (const k of keys) {
            count = 0;
            if (k < 0 || (model.length > 0 && k % 3 === 0)) {
              if (model.length === 0) continue;
              const victim = model[Math.abs(k) % model.length];
              model.splice(model.indexOf(victim), 1);
              rbErase(victim, root);
              expect(count).toBeLessThanOrEqual(3);
            } else {
              const n = new KeyNode(k);
              modelInsert(model, n);
              insert(root, n);
              expect(count).toBeLessThanOrEqual(2);
            }
            check(root, model);
          }
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("rbValidate detects corruption", () => {
    it("accepts a correct hand-built tree", () => {
      // 2(B) -> 1(r), 3(r)
      expect(rbValidate(rootOf(node(2, RB_BLACK, node(1, RB_RED), node(3, RB_RED))))).toBeNull();
    });

    it("red root", () => {
      expect(rbValidate(rootOf(node(1, RB_RED)))).toMatch(/root is red/);
    });

    it("root with a parent", () => {
      const top = node(1, RB_BLACK);
      top.rbParent = node(0, RB_BLACK);
      expect(rbValidate(rootOf(top))).toMatch(/root has a non-null parent/);
    });

    it("red node with a red child", () => {
      // 2(B) -> 1(r) -> 0(r), 3(r): black heights are all equal, only property 4 fails.
      const top = node(2, RB_BLACK, node(1, RB_RED, node(0, RB_RED)), node(3, RB_RED));
      expect(rbValidate(rootOf(top))).toMatch(/root\.L\.L is red with a red parent/);
    });

    it("wrong parent pointer", () => {
      const { root, model } = build([1, 2, 3, 4, 5, 6, 7]);
      expect(rbValidate(root)).toBeNull();
      // A leaf two levels down, pointed at the root instead of its parent.
      const leaf = model.find((n) => n.rbLeft === null && n.rbRight === null && n.rbParent !== root.rbNode)!;
      leaf.rbParent = root.rbNode;
      expect(rbValidate(root)).toMatch(/wrong parent pointer/);
    });

    it("unequal black height", () => {
      // 2(B) -> 1(B), nothing on the right: no red-red, but 2 blacks vs 1.
      expect(rbValidate(rootOf(node(2, RB_BLACK, node(1, RB_BLACK))))).toMatch(
        /root has unequal black heights: 1 on the left, 0 on the right/,
      );
      // Deeper: recolouring a red leaf black in an otherwise valid tree.
      const { root, model } = build([1, 2, 3, 4, 5, 6, 7, 8]);
      const red = model.find((n) => n.rbColor === RB_RED && n.rbLeft === null && n.rbRight === null)!;
      red.rbColor = RB_BLACK;
      expect(rbValidate(root)).toMatch(/unequal black heights/);
    });

    it("same child on both sides", () => {
      const child = node(1, RB_RED);
      const top = node(2, RB_BLACK, child);
      top.rbRight = child;
      expect(rbValidate(rootOf(top))).toMatch(/both children/);
    });

    it("terminates on a cycle", () => {
      const { root, model } = build([1, 2, 3, 4, 5]);
      const leaf = model.find((n) => n.rbLeft === null && n.rbRight === null)!;
      leaf.rbLeft = root.rbNode;
      expect(rbValidate(root)).toMatch(/wrong parent pointer/);
    });

    it("invalid colour value", () => {
      const top = node(1, RB_BLACK, node(0, 7 as RbColor), node(2, RB_RED));
      expect(rbValidate(rootOf(top))).toMatch(/invalid colour 7/);
    });
  });
});
