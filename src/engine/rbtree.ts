/*
 * Red-black trees, after the Linux kernel's lib/rbtree.c intrusive API.
 *
 * The tree never compares keys. Like the kernel's users, the caller walks
 * down from root.rbNode doing its own comparisons (KSM compares page
 * contents, which may change under it, so its unstable tree can be out of
 * order), then links the new node with rbLinkNode() and rebalances with
 * rbInsertColor(). Rebalancing only rotates and recolours, so whatever
 * in-order sequence the caller built is preserved.
 *
 * Nodes are embedded by inheritance (class RmapItem extends RbNode), the
 * TypeScript analogue of embedding struct rb_node in a larger struct.
 *
 * Red-black properties (numbering as in lib/rbtree.c):
 *  1) A node is either red or black
 *  2) The root is black
 *  3) All leaves (null) are black
 *  4) Both children of every red node are black
 *  5) Every simple path from root to leaves contains the same number
 *     of black nodes.
 *
 * 4) and 5) give the O(log n) bound: no path is more than twice as long as
 * any other, so height <= 2 * log2(n + 1).
 */

export const RB_RED = 0;
export const RB_BLACK = 1;
export type RbColor = 0 | 1;

/*
 * Plain fields only: subclasses are the tree nodes, and insert/erase must not
 * allocate. The kernel packs parent and colour into one word; we cannot.
 */
export class RbNode {
  rbParent: RbNode | null = null;
  rbLeft: RbNode | null = null;
  rbRight: RbNode | null = null;
  rbColor: RbColor = RB_RED;
}

/*
 * Told about every rotation, after its links are updated (so parent and child
 * pointers are consistent, though colours may still be mid-fixup). `pivot` is
 * the node that moves down: on a "left" rotation its right child takes its
 * place and pivot becomes that child's left child; "right" is the mirror.
 */
export interface RbObserver {
  rotate?(pivot: RbNode, direction: "left" | "right"): void;
}

export class RbRoot {
  rbNode: RbNode | null = null;
  observer: RbObserver | null = null;
}

/* Point parent's link (or the root) that referred to `old` at `replacement`. */
function changeChild(old: RbNode, replacement: RbNode | null, parent: RbNode | null, root: RbRoot): void {
  if (parent === null) root.rbNode = replacement;
  else if (parent.rbLeft === old) parent.rbLeft = replacement;
  else parent.rbRight = replacement;
}

/*
 * Finish a rotation: `replacement` takes over `old`'s parent and colour, and
 * `old` hangs below it with the given colour.
 */
function rotateSetParents(old: RbNode, replacement: RbNode, root: RbRoot, color: RbColor): void {
  const parent = old.rbParent;
  replacement.rbParent = parent;
  replacement.rbColor = old.rbColor;
  old.rbParent = replacement;
  old.rbColor = color;
  changeChild(old, replacement, parent, root);
}

/*
 * rb_link_node: attach `node` as a red leaf where the caller's search ended,
 * under `parent` (as its left child if goLeft), or as the root if parent is
 * null. The tree is not rebalanced until rbInsertColor().
 */
export function rbLinkNode(node: RbNode, parent: RbNode | null, goLeft: boolean, root: RbRoot): void {
  // The kernel trusts its caller here; an occupied slot would silently drop a subtree.
  const occupant = parent === null ? root.rbNode : goLeft ? parent.rbLeft : parent.rbRight;
  if (occupant !== null) throw new Error("rbLinkNode: link slot is already occupied");
  node.rbParent = parent;
  node.rbLeft = null;
  node.rbRight = null;
  node.rbColor = RB_RED;
  if (parent === null) root.rbNode = node;
  else if (goLeft) parent.rbLeft = node;
  else parent.rbRight = node;
}

/*
 * rb_insert_color: restore the red-black properties after rbLinkNode().
 *
 * Notation in the diagrams: N = node, P = parent, G = grandparent,
 * U = uncle; lowercase is red, uppercase is black.
 */
export function rbInsertColor(node: RbNode, root: RbRoot): void {
  let parent = node.rbParent;
  for (;;) {
    // Loop invariant: node is red.
    if (parent === null) {
      // node is the root (newly inserted, or reached by case 1): a black
      // root adds one black to every path, so property 5 still holds.
      node.rbColor = RB_BLACK;
      break;
    }
    // A red node under a black parent violates nothing.
    if (parent.rbColor === RB_BLACK) break;

    // parent is red, so it is not the root and gparent exists (and is black).
    const gparent = parent.rbParent!;
    let tmp = gparent.rbRight;
    if (parent !== tmp) {
      // parent is gparent's left child
      if (tmp !== null && tmp.rbColor === RB_RED) {
        /*
         * Case 1 - the uncle is red: flip colours.
         *
         *       G            g
         *      / \          / \
         *     p   u  -->   P   U
         *    /            /
         *   n            n
         *
         * Black heights through G are unchanged, but g may now sit under
         * a red parent, so carry on from g.
         */
        tmp.rbColor = RB_BLACK;
        parent.rbColor = RB_BLACK;
        node = gparent;
        parent = node.rbParent;
        node.rbColor = RB_RED;
        continue;
      }

      tmp = parent.rbRight;
      if (node === tmp) {
        /*
         * Case 2 - the uncle is black and node is the right child:
         * left rotate at parent, which turns this into case 3.
         *
         *      G             G
         *     / \           / \
         *    p   U  -->    n   U
         *     \           /
         *      n         p
         */
        tmp = node.rbLeft;
        parent.rbRight = tmp;
        node.rbLeft = parent;
        if (tmp !== null) tmp.rbParent = parent;
        parent.rbParent = node;
        // The kernel leaves these two links to case 3; set them now so the
        // observer sees a consistent tree.
        node.rbParent = gparent;
        gparent.rbLeft = node;
        root.observer?.rotate?.(parent, "left");
        parent = node;
        tmp = node.rbRight;
      }

      /*
       * Case 3 - the uncle is black and node is the left child:
       * right rotate at gparent.
       *
       *        G           P
       *       / \         / \
       *      p   U  -->  n   g
       *     /                 \
       *    n                   U
       */
      gparent.rbLeft = tmp;
      parent.rbRight = gparent;
      if (tmp !== null) tmp.rbParent = gparent;
      rotateSetParents(gparent, parent, root, RB_RED);
      root.observer?.rotate?.(gparent, "right");
      break;
    }

    // parent is gparent's right child: the mirror image of the above.
    tmp = gparent.rbLeft;
    if (tmp !== null && tmp.rbColor === RB_RED) {
      // Case 1 - colour flips
      tmp.rbColor = RB_BLACK;
      parent.rbColor = RB_BLACK;
      node = gparent;
      parent = node.rbParent;
      node.rbColor = RB_RED;
      continue;
    }

    tmp = parent.rbLeft;
    if (node === tmp) {
      // Case 2 - right rotate at parent
      tmp = node.rbRight;
      parent.rbLeft = tmp;
      node.rbRight = parent;
      if (tmp !== null) tmp.rbParent = parent;
      parent.rbParent = node;
      node.rbParent = gparent;
      gparent.rbRight = node;
      root.observer?.rotate?.(parent, "right");
      parent = node;
      tmp = node.rbLeft;
    }

    // Case 3 - left rotate at gparent
    gparent.rbRight = tmp;
    parent.rbLeft = gparent;
    if (tmp !== null) tmp.rbParent = gparent;
    rotateSetParents(gparent, parent, root, RB_RED);
    root.observer?.rotate?.(gparent, "left");
    break;
  }
}

/*
 * Unlink `node`, splicing in its in-order successor when it has two
 * children. Returns the parent of the spot that lost a black node (where
 * rebalancing must start), or null when no rebalancing is needed.
 */
function eraseUnlink(node: RbNode, root: RbRoot): RbNode | null {
  const child = node.rbRight;
  let tmp = node.rbLeft;
  let rebalance: RbNode | null;

  if (tmp === null) {
    /*
     * Case 1: at most one child, on the right. If there is one, property 5
     * forces it to be red and node black; the child inherits node's colour
     * (black) and no path loses a black node, so no fixup is needed.
     */
    const parent = node.rbParent;
    changeChild(node, child, parent, root);
    if (child !== null) {
      child.rbParent = parent;
      child.rbColor = node.rbColor;
      rebalance = null;
    } else {
      // Removing a black leaf shortens the paths through parent.
      rebalance = node.rbColor === RB_BLACK ? parent : null;
    }
  } else if (child === null) {
    // Still case 1, with the only child on the left (and so red).
    const parent = node.rbParent;
    tmp.rbParent = parent;
    tmp.rbColor = node.rbColor;
    changeChild(node, tmp, parent, root);
    rebalance = null;
  } else {
    // Two children: the successor (leftmost of the right subtree) takes node's place.
    let successor = child;
    let parent: RbNode;
    let child2: RbNode | null;

    tmp = child.rbLeft;
    if (tmp === null) {
      /*
       * Case 2: the successor is node's right child.
       *
       *     (n)          (s)
       *     / \          / \
       *   (x) (s)  ->  (x) (c)
       *         \
       *         (c)
       */
      parent = successor;
      child2 = successor.rbRight;
    } else {
      /*
       * Case 3: the successor is deeper, leftmost under node's right child.
       * Detach it, handing its right child to its parent.
       *
       *     (n)          (s)
       *     / \          / \
       *   (x) (y)  ->  (x) (y)
       *       /            /
       *     (p)          (p)
       *     /            /
       *   (s)          (c)
       *     \
       *     (c)
       */
      parent = successor;
      successor = tmp;
      tmp = tmp.rbLeft;
      while (tmp !== null) {
        parent = successor;
        successor = tmp;
        tmp = tmp.rbLeft;
      }
      child2 = successor.rbRight;
      parent.rbLeft = child2;
      successor.rbRight = child;
      child.rbParent = successor;
    }

    // Non-null: this branch is for two children.
    const left = node.rbLeft!;
    successor.rbLeft = left;
    left.rbParent = successor;

    const nodeParent = node.rbParent;
    changeChild(node, successor, nodeParent, root);

    if (child2 !== null) {
      // As in case 1, a lone child under the successor is red: painting it
      // black replaces the black lost from that path.
      child2.rbParent = parent;
      child2.rbColor = RB_BLACK;
      rebalance = null;
    } else {
      // Must read the successor's own colour before it takes node's.
      rebalance = successor.rbColor === RB_BLACK ? parent : null;
    }
    successor.rbParent = nodeParent;
    successor.rbColor = node.rbColor;
  }
  return rebalance;
}

/*
 * The erase fixup (the kernel's ____rb_erase_color). Notation as for
 * insert, with S = sibling, Sl/Sr = its children; (p) is either colour.
 */
function eraseColor(parent: RbNode, root: RbRoot): void {
  let node: RbNode | null = null;
  for (;;) {
    /*
     * Loop invariants:
     * - node is black (or null on the first iteration)
     * - node is not the root (parent is not null)
     * - every path through parent and node has one black node fewer
     *   than the other paths.
     */
    let sibling = parent.rbRight;
    if (node !== sibling) {
      // node is parent's left child. The other side has a black height
      // of at least one, so the sibling exists.
      let s = sibling!;
      if (s.rbColor === RB_RED) {
        /*
         * Case 1 - left rotate at parent, giving node a black sibling.
         *
         *     P               S
         *    / \             / \
         *   N   s    -->    p   Sr
         *      / \         / \
         *     Sl  Sr      N   Sl
         */
        const sl = s.rbLeft!;
        parent.rbRight = sl;
        s.rbLeft = parent;
        sl.rbParent = parent;
        sl.rbColor = RB_BLACK;
        rotateSetParents(parent, s, root, RB_RED);
        root.observer?.rotate?.(parent, "left");
        s = sl;
      }

      let tmp1 = s.rbRight;
      if (tmp1 === null || tmp1.rbColor === RB_BLACK) {
        const tmp2 = s.rbLeft;
        if (tmp2 === null || tmp2.rbColor === RB_BLACK) {
          /*
           * Case 2 - sibling colour flip (p could be either colour here)
           *
           *    (p)           (p)
           *    / \           / \
           *   N   S    -->  N   s
           *      / \           / \
           *     Sl  Sr        Sl  Sr
           *
           * This balances the two sides of parent. A red parent turned
           * black restores the lost black; otherwise parent's whole subtree
           * is now one short, so recurse upwards.
           */
          s.rbColor = RB_RED;
          if (parent.rbColor === RB_RED) {
            parent.rbColor = RB_BLACK;
          } else {
            node = parent;
            const up = node.rbParent;
            if (up !== null) {
              parent = up;
              continue;
            }
          }
          break;
        }

        /*
         * Case 3 - right rotate at sibling, so the sibling's red child is
         * on the outside for case 4.
         *
         *   (p)           (p)
         *   / \           / \
         *  N   S    -->  N   sl
         *     / \             \
         *    sl  Sr            s
         *                       \
         *                        Sr
         *
         * The kernel skips the parent pointers and colours here because case
         * 4 overwrites them; we set them so the observer sees a consistent tree.
         */
        tmp1 = tmp2.rbRight;
        s.rbLeft = tmp1;
        tmp2.rbRight = s;
        parent.rbRight = tmp2;
        if (tmp1 !== null) tmp1.rbParent = s;
        tmp2.rbParent = parent;
        s.rbParent = tmp2;
        tmp2.rbColor = RB_BLACK;
        s.rbColor = RB_RED;
        root.observer?.rotate?.(s, "right");
        tmp1 = s;
        s = tmp2;
      }

      /*
       * Case 4 - left rotate at parent, then recolour.
       *
       *      (p)             (s)
       *      / \             / \
       *     N   S     -->   P   Sr
       *        / \         / \
       *      (sl) sr      N  (sl)
       *
       * The extra black on the left path comes from P, and Sr turning black
       * replaces the black that S took up from the right path.
       */
      const tmp2 = s.rbLeft;
      parent.rbRight = tmp2;
      s.rbLeft = parent;
      tmp1.rbParent = s;
      tmp1.rbColor = RB_BLACK;
      if (tmp2 !== null) tmp2.rbParent = parent;
      rotateSetParents(parent, s, root, RB_BLACK);
      root.observer?.rotate?.(parent, "left");
      break;
    }

    // node is parent's right child: the mirror image of the above.
    sibling = parent.rbLeft;
    let s = sibling!;
    if (s.rbColor === RB_RED) {
      // Case 1 - right rotate at parent
      const sr = s.rbRight!;
      parent.rbLeft = sr;
      s.rbRight = parent;
      sr.rbParent = parent;
      sr.rbColor = RB_BLACK;
      rotateSetParents(parent, s, root, RB_RED);
      root.observer?.rotate?.(parent, "right");
      s = sr;
    }

    let tmp1 = s.rbLeft;
    if (tmp1 === null || tmp1.rbColor === RB_BLACK) {
      const tmp2 = s.rbRight;
      if (tmp2 === null || tmp2.rbColor === RB_BLACK) {
        // Case 2 - sibling colour flip
        s.rbColor = RB_RED;
        if (parent.rbColor === RB_RED) {
          parent.rbColor = RB_BLACK;
        } else {
          node = parent;
          const up = node.rbParent;
          if (up !== null) {
            parent = up;
            continue;
          }
        }
        break;
      }

      // Case 3 - left rotate at sibling
      tmp1 = tmp2.rbLeft;
      s.rbRight = tmp1;
      tmp2.rbLeft = s;
      parent.rbLeft = tmp2;
      if (tmp1 !== null) tmp1.rbParent = s;
      tmp2.rbParent = parent;
      s.rbParent = tmp2;
      tmp2.rbColor = RB_BLACK;
      s.rbColor = RB_RED;
      root.observer?.rotate?.(s, "left");
      tmp1 = s;
      s = tmp2;
    }

    // Case 4 - right rotate at parent + colour flips
    const tmp2 = s.rbRight;
    parent.rbLeft = tmp2;
    s.rbRight = parent;
    tmp1.rbParent = s;
    tmp1.rbColor = RB_BLACK;
    if (tmp2 !== null) tmp2.rbParent = parent;
    rotateSetParents(parent, s, root, RB_BLACK);
    root.observer?.rotate?.(parent, "right");
    break;
  }
}

/*
 * rb_erase: remove `node` and rebalance. Unlike the kernel, node's own
 * pointers are cleared afterwards so a stale node cannot reach into the tree.
 */
export function rbErase(node: RbNode, root: RbRoot): void {
  const rebalance = eraseUnlink(node, root);
  node.rbParent = null;
  node.rbLeft = null;
  node.rbRight = null;
  if (rebalance !== null) eraseColor(rebalance, root);
}

/*
 * rb_replace_node: put `replacement` exactly where `victim` is, with its
 * colour and links. Nothing is rebalanced, so the caller must ensure that
 * replacement sorts where victim did. victim's pointers are cleared.
 */
export function rbReplaceNode(victim: RbNode, replacement: RbNode, root: RbRoot): void {
  if (victim === replacement) return;
  const parent = victim.rbParent;
  const left = victim.rbLeft;
  const right = victim.rbRight;
  replacement.rbParent = parent;
  replacement.rbLeft = left;
  replacement.rbRight = right;
  replacement.rbColor = victim.rbColor;
  if (left !== null) left.rbParent = replacement;
  if (right !== null) right.rbParent = replacement;
  changeChild(victim, replacement, parent, root);
  victim.rbParent = null;
  victim.rbLeft = null;
  victim.rbRight = null;
}

/* rb_first: the leftmost node, first in sort order. */
export function rbFirst(root: RbRoot): RbNode | null {
  let n = root.rbNode;
  if (n === null) return null;
  while (n.rbLeft !== null) n = n.rbLeft;
  return n;
}

/* rb_last: the rightmost node, last in sort order. */
export function rbLast(root: RbRoot): RbNode | null {
  let n = root.rbNode;
  if (n === null) return null;
  while (n.rbRight !== null) n = n.rbRight;
  return n;
}

/* rb_next: the in-order successor of `node`, or null. */
export function rbNext(node: RbNode): RbNode | null {
  // With a right subtree, the successor is its leftmost node.
  let n = node.rbRight;
  if (n !== null) {
    while (n.rbLeft !== null) n = n.rbLeft;
    return n;
  }
  // Otherwise go up until we arrive from a left child: that parent is next.
  // Arriving from the right means it sorts before us.
  n = node;
  let parent = n.rbParent;
  while (parent !== null && n === parent.rbRight) {
    n = parent;
    parent = n.rbParent;
  }
  return parent;
}

/* rb_prev: the in-order predecessor of `node`, or null (mirror of rbNext). */
export function rbPrev(node: RbNode): RbNode | null {
  let n = node.rbLeft;
  if (n !== null) {
    while (n.rbRight !== null) n = n.rbRight;
    return n;
  }
  n = node;
  let parent = n.rbParent;
  while (parent !== null && n === parent.rbLeft) {
    n = parent;
    parent = n.rbParent;
  }
  return parent;
}

/*
 * Check the structure and the red-black properties. Returns null if the tree
 * is valid, else a description of the first problem found, naming the node by
 * its path from the root ("root", "root.L.R", ...). Keys are the caller's
 * business, so sort order is not checked.
 */
export function rbValidate(root: RbRoot): string | null {
  const top = root.rbNode;
  if (top === null) return null;
  if (top.rbParent !== null) return "root has a non-null parent pointer";
  if (top.rbColor !== RB_BLACK) return "root is red (property 2)";
  const path: string[] = [];
  const result = validateSubtree(top, path);
  return typeof result === "string" ? result : null;
}

function pathName(path: string[]): string {
  return path.length === 0 ? "root" : `root.${path.join(".")}`;
}

/*
 * Returns the subtree's black height, or a description of a violation.
 * Checking each child's parent pointer before descending also guarantees
 * termination on corrupted trees: a cycle or shared subtree must contain a
 * child whose parent pointer names some other node.
 */
function validateSubtree(node: RbNode, path: string[]): number | string {
  const color = node.rbColor;
  if (color !== RB_RED && color !== RB_BLACK) return `${pathName(path)} has invalid colour ${String(color)}`;
  const left = node.rbLeft;
  const right = node.rbRight;
  if (left !== null && left === right) return `${pathName(path)} has the same node as both children`;

  let leftHeight = 0;
  if (left !== null) {
    path.push("L");
    if (left.rbParent !== node) return `${pathName(path)} has a wrong parent pointer`;
    if (color === RB_RED && left.rbColor === RB_RED)
      return `${pathName(path)} is red with a red parent (property 4)`;
    const h = validateSubtree(left, path);
    if (typeof h === "string") return h;
    leftHeight = h;
    path.pop();
  }

  let rightHeight = 0;
  if (right !== null) {
    path.push("R");
    if (right.rbParent !== node) return `${pathName(path)} has a wrong parent pointer`;
    if (color === RB_RED && right.rbColor === RB_RED)
      return `${pathName(path)} is red with a red parent (property 4)`;
    const h = validateSubtree(right, path);
    if (typeof h === "string") return h;
    rightHeight = h;
    path.pop();
  }

  if (leftHeight !== rightHeight) {
    return `${pathName(path)} has unequal black heights: ${leftHeight} on the left, ${rightHeight} on the right (property 5)`;
  }
  return leftHeight + (color === RB_BLACK ? 1 : 0);
}

/* Number of nodes in the tree. */
export function rbCount(root: RbRoot): number {
  let count = 0;
  for (let n = rbFirst(root); n !== null; n = rbNext(n)) count++;
  return count;
}

/* Nodes on the longest root-to-leaf path (0 for an empty tree). */
export function rbHeight(root: RbRoot): number {
  return subtreeHeight(root.rbNode);
}

function subtreeHeight(node: RbNode | null): number {
  if (node === null) return 0;
  return 1 + Math.max(subtreeHeight(node.rbLeft), subtreeHeight(node.rbRight));
}
