import { defineLesson, numbers, processWith, prose, scans, sysfs } from "../build";

export const pageSharing = defineLesson({
  id: "page-sharing",
  title: "12. max_page_sharing: chains of dups",
  summary:
    "6.18 caps the mappings of one KSM page; beyond the cap equal pages get another KSM page, chained.",
  profile: "linux-6.18",
  frames: 64,
  beats: [
    {
      say: prose`
        Every mapping of a KSM page is an rmap_item on its stable node's list, and the kernel walks
        that whole list whenever it must find every mapping: to unmap the page for swap or
        migration (\`rmap_walk_ksm()\`, from \`try_to_unmap()\` and \`migrate_pages()\`). A page
        shared a million times would make each walk a million steps, under locks.

        Since 4.13 \`max_page_sharing\` (default 256, at least 2) caps the mappings per KSM page.
        Here it is set to 2, and A fills six pages with the same contents.`,
    },
    {
      steps: [
        sysfs("max_page_sharing", 2),
        ...processWith("A", "buf", [5, 5, 5, 5, 5, 5]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two scans, how many KSM pages (pages_shared) hold the six equal pages?",
        choices: numbers(1, 3, 6),
        probe: { kind: "value", of: "pages_shared" },
      },
      say: prose`
        3: each KSM page takes at most two mappings. When the KSM page found by
        \`stable_tree_search()\` is full (\`stable_node_dup()\` finds no dup with room), the next
        equal pair merges in the unstable tree into a new KSM page. \`pages_sharing\` is 3 too:
        merging saved three pages, not five.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "How many stable tree nodes does the Trees view show for the three KSM pages?",
        choices: numbers(1, 3),
        probe: { kind: "value", of: "stable_nodes" },
      },
      say: prose`
        1: equal contents keep one place in the tree. \`stable_tree_insert()\` found the node
        already there and turned it into a _chain_ (\`stable_node_chains\` 1) holding the KSM pages as
        _dups_ (\`stable_node_dups\` 3). A search picks the dup with room and the most mappings, so
        dups fill up rather than spread. The price of a short rmap walk is memory: a lower cap, more
        KSM pages.`,
    },
  ],
});
