import {
  defineLesson,
  fill,
  numbers,
  processWith,
  prose,
  scans,
  sysfs,
  TREES,
  write,
  YES_NO,
} from "../build";

const A_PAGE0 = { proc: "A", region: "data", page: 0 };

export const unstableTree = defineLesson({
  id: "unstable-tree",
  title: "3. The unstable tree",
  summary: "Built every scan, emptied every scan, possibly out of order — and why that is acceptable.",
  frames: 64,
  beats: [
    {
      say: prose`
        A page whose checksum has settled, and which matches no KSM page, goes into the unstable
        tree: a red-black tree sorted by page contents (memcmp), so that one search finds an equal
        page among all candidates. It is "unstable" because its pages are ordinary writable pages
        whose contents may change after they were inserted.

        A and B map four pages each, eight different contents. Keep the Trees view in sight.`,
    },
    {
      steps: [
        ...processWith("A", "data", [0x10, 0x20, 0x30, 0x40]),
        ...processWith("B", "data", [0x50, 0x60, 0x70, 0x80]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two full scans (the first only records checksums), what is pages_unshared?",
        choices: numbers(0, 4, 8),
        probe: { kind: "value", of: "pages_unshared" },
      },
      show: "unstable-tree",
      say: prose`
        8: all eight pages passed the checksum gate on the second scan and, finding no equal page,
        were inserted into the unstable tree, in the order ksmd visited them. The tree keeps them
        sorted by contents and balanced by red-black rotations.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "One more full scan, with nothing changed. What is pages_unshared now?",
        choices: numbers(0, 8, 16),
        probe: { kind: "value", of: "pages_unshared" },
      },
      say: prose`
        8 again, not 16. At the start of every full scan ksmd empties the unstable tree — it just
        forgets the root — and this scan inserted the same pages again as it visited them. The
        tree holds only pages seen in the latest scan.`,
    },
    {
      steps: [write("A", "data", 0, 0xff)],
      ask: {
        prompt:
          "A writes a byte into its page 0, which sits in the unstable tree. Before ksmd runs again, where is that page's rmap_item?",
        choices: TREES,
        probe: { kind: "page-tree", page: A_PAGE0 },
      },
      say: prose`
        Still in the unstable tree — but its contents changed under it, so the tree is now out of
        order: that node sorts as if it still held its old bytes. Nothing re-sorts it. Here
        programs only run between full scans, when nothing searches the tree; on a real machine
        they also run during a scan, and a search may then follow a stale comparison down the
        wrong branch.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "ksmd scans again. Where is A's page 0's rmap_item now?",
        choices: TREES,
        probe: { kind: "page-tree", page: A_PAGE0 },
      },
      say: prose`
        In no tree. The scan began by emptying the tree, so the misplaced node was dropped without
        ever misleading a search, and the page's checksum had changed, so it was not inserted again
        (\`pages_unshared\` 7, \`pages_volatile\` 1). That is why an unordered tree is acceptable:
        the worst a wrong turn can do is miss a match for one scan, and the next scan builds a fresh
        tree. A wrong merge is impossible: before merging, ksmd write-protects both pages and
        compares their full contents again.`,
    },
    {
      steps: [fill("B", "data", 3, 1, 0x20), scans(2)],
      ask: {
        prompt:
          "B overwrites its page 3 with the contents of A's page 1. After two more scans, do the two pages share a frame?",
        choices: YES_NO,
        probe: {
          kind: "same-frame",
          a: { proc: "A", region: "data", page: 1 },
          b: { proc: "B", region: "data", page: 3 },
        },
      },
      say: prose`
        Yes. The first scan found B's page 3 with a new checksum (volatile); the second found A's
        page 1 in the rebuilt unstable tree, merged the two into a KSM page and moved it to the
        stable tree: \`pages_shared\` 1, \`pages_sharing\` 1.`,
    },
  ],
});
