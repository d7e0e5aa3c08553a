import { defineLesson, numbers, processWith, prose, scans, sysfs, TREES, write } from "../build";

const X = 0x11111111;
const Y = 0x22222222;
const A_ONLY = 0x33333333;
const B_ONLY = 0x44444444;
const PAGE2 = { proc: "A", region: "heap", page: 2 };

export const checksumGate = defineLesson({
  id: "checksum-gate",
  title: "2. The checksum gate and pages_volatile",
  summary: "A page must look the same on two visits before ksmd puts it in a tree.",
  frames: 64,
  beats: [
    {
      say: prose`
        ksmd does not put a new page in its trees the first time it sees it. At each visit of a
        page that is not yet merged, \`cmp_and_merge_page()\` computes a checksum of it (jhash2
        in 2.6.32, xxhash in 6.18, xxh32 here) and compares it with the one it stored on the
        previous visit. Only a page whose checksum has not changed may go into the unstable tree:
        a page still being written is not worth merging, as its next write would copy it again.
        (2.6.32 first looks the page up in the stable tree, before the checksum, and does not
        call \`cmp_and_merge_page()\` at all for a KSM page already in that tree.)

        A and B each hold X and Y, and one page of their own.`,
    },
    {
      steps: [
        ...processWith("A", "heap", [X, Y, A_ONLY]),
        ...processWith("B", "heap", [X, Y, B_ONLY]),
        sysfs("run", 1),
        scans(1),
      ],
      ask: {
        prompt: "After ksmd's first full scan, which counters have moved?",
        choices: [
          "pages_shared, pages_sharing and full_scans",
          "pages_unshared and full_scans",
          "pages_volatile and full_scans",
          "none",
        ],
        probe: { kind: "moved" },
      },
      say: prose`
        Nothing merged. Each page was visited once and got its first checksum; its rmap_item
        (ksmd's record of the page) went into no tree. \`pages_volatile\` counts those: the
        kernel does not measure it but computes it as all rmap_items less those counted in
        \`pages_shared\`, \`pages_sharing\` and \`pages_unshared\` (patch 3 of the series).`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "A second full scan. What is pages_sharing now?",
        choices: numbers(0, 1, 2, 4),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        2. The checksums matched, so each page went on to the unstable tree: A's pages were
        inserted, B's equal pages found them and were merged into KSM pages (\`pages_shared\` 2,
        \`pages_sharing\` 2). The two pages of their own found no partner and wait in the
        unstable tree: \`pages_unshared\` 2.`,
    },
    {
      steps: [write("A", "heap", 2, 1), scans(1)],
      ask: {
        prompt:
          "A writes one byte into its own page 2, then ksmd scans again. Where is that page's rmap_item afterwards?",
        choices: TREES,
        probe: { kind: "page-tree", page: PAGE2 },
      },
      say: prose`
        In no tree: its checksum differed from the stored one, so ksmd stored the new checksum and
        went on. \`pages_unshared\` fell to 1 and \`pages_volatile\` rose to 1.`,
    },
    {
      steps: [write("A", "heap", 2, 2), scans(1)],
      ask: {
        prompt: "A writes the page again before the next scan. What is pages_volatile after it?",
        choices: numbers(0, 1, 2),
        probe: { kind: "value", of: "pages_volatile" },
      },
      say: prose`
        Still 1. A page written between every two visits never passes the gate and never enters
        the unstable tree. It still costs a stable tree search at every visit in 2.6.32, whose
        \`cmp_and_merge_page()\` calls \`stable_tree_search()\` before \`calc_checksum()\`;
        only 6.18, which checks the checksum first, spends nothing but a checksum on it.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "This time A leaves the page alone. After one scan, where is its rmap_item?",
        choices: TREES,
        probe: { kind: "page-tree", page: PAGE2 },
      },
      say: prose`
        In the unstable tree: the checksum matched at last (\`pages_volatile\` 0,
        \`pages_unshared\` 2). The gate costs every page one extra scan before it can merge and
        keeps busy pages out of the trees. A high \`pages_volatile\` suggests MADV_MERGEABLE on
        memory that changes too fast — or pages held out for other reasons, as lessons 6 and 8
        show.`,
    },
  ],
});
