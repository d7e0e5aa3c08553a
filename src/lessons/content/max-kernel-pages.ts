import {
  defineLesson,
  mergeable,
  numbers,
  processWith,
  prose,
  scans,
  snapshot,
  sysfs,
  TREES,
} from "../build";

export const maxKernelPages = defineLesson({
  id: "max-kernel-pages",
  title: "8. max_kernel_pages, and what replaced it",
  summary: "2.6.32 caps the number of unswappable KSM pages; later kernels swap them instead.",
  frames: 64,
  compare: true,
  beats: [
    {
      say: prose`
        In 2.6.32 KSM pages are locked in memory: they cannot be swapped out. \`max_kernel_pages\`
        caps how many there may be (\`pages_shared\`); the series' default, 2000, was "chosen for
        demonstration purposes", and 0 means no limit. A holds three values, three pages each, and
        we set the cap to 2. The table shows 2.6.32 beside 6.18, which has no such file.`,
    },
    {
      steps: [
        ...processWith("A", "r", [1, 1, 1, 2, 2, 2, 3, 3, 3], false),
        sysfs("max_kernel_pages", 2),
        mergeable("A", "r", 9),
        sysfs("run", 1),
        scans(2),
        snapshot("limited"),
      ],
      ask: {
        prompt: "After two full scans, what will pages_shared be on Linux 6.18?",
        choices: numbers(2, 3),
        probe: { kind: "compared", profile: "linux-6.18", label: "limited", counter: "pages_shared" },
      },
      say: prose`
        6.18 merged all three values (\`pages_shared\` 3): it has no \`max_kernel_pages\`, and the
        scenario's write to it was skipped. 2.6.32 stopped at 2: for the third value,
        try_to_merge_two_pages refused to make another KSM page.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "On 2.6.32, one more scan: where is the rmap_item of A's page 7 (the third value)?",
        choices: TREES,
        probe: { kind: "page-tree", page: { proc: "A", region: "r", page: 7 } },
      },
      say: prose`
        In no tree. Page 6 went into the unstable tree; page 7 found it equal, the merge was
        refused, and a page whose merge failed is not inserted either: it is counted in
        \`pages_volatile\` (2), one of the "edge conditions" patch 3 says that counter gathers. The
        cap only stops new KSM pages: merging into an existing one is never refused.`,
    },
    {
      steps: [sysfs("max_kernel_pages", 0), scans(1), snapshot("unlimited")],
      ask: {
        prompt: "echo 0 > max_kernel_pages lifts the cap. After one scan, what is pages_shared on 2.6.32?",
        choices: numbers(2, 3),
        probe: { kind: "value", of: "pages_shared" },
      },
      say: prose`
        3, in a single scan: page 7 merged with page 6 into a new KSM page, and page 8 found that
        page in the stable tree (\`pages_sharing\` 6). Linux 2.6.33 made KSM pages swappable and
        removed \`max_kernel_pages\`. 6.18's nearest relative, \`max_page_sharing\` (default
        256), limits how many pages may share one KSM page, not how many KSM pages there are, to
        bound the reverse-map walk: a full KSM page is no longer offered by
        \`stable_tree_search()\`, equal pages pair up into a new one, and \`stable_tree_insert()\`
        makes the tree node a chain of such dups (\`stable_node_chains\`, \`stable_node_dups\`).`,
    },
  ],
});
