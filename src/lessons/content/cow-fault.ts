import {
  defineLesson,
  numbers,
  processWith,
  prose,
  scans,
  snapshot,
  sysfs,
  TREES,
  write,
  YES_NO,
} from "../build";

const B_PAGE1 = { proc: "B", region: "buf", page: 1 };

export const cowFault = defineLesson({
  id: "cow-fault",
  title: "5. A write to a merged page, and the lag",
  summary: "A COW fault copies a KSM page at once; the counters notice only when ksmd comes back.",
  frames: 64,
  beats: [
    {
      say: prose`
        A KSM page is mapped read-only everywhere. When a process writes to it, the CPU faults and
        the kernel copies the page for the writer (copy-on-write), as it does after fork. KSM is not
        told: its counters change only when ksmd visits the pages again.

        A and B each map two pages, all four with the same contents.`,
    },
    {
      steps: [
        ...processWith("A", "buf", [7, 7]),
        ...processWith("B", "buf", [7, 7]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two full scans, what is pages_sharing?",
        choices: numbers(1, 3, 4),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        3: all four pages map one KSM page (\`pages_shared\` 1), and three of them are counted in
        \`pages_sharing\`.`,
    },
    {
      steps: [write("B", "buf", 1, 255)],
      ask: {
        prompt: "B writes one byte into its page 1. Right after the write, is B's page 1 still the KSM page?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: B_PAGE1 },
      },
      say: prose`
        No. The write faulted and do_wp_page gave B a fresh copy with the byte changed, at once: one
        more frame in use. A KSM page is always copied on a write, however many map it.`,
    },
    {
      steps: [snapshot("just-after-write")],
      ask: {
        prompt: "What does pages_sharing say now?",
        choices: numbers(2, 3),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        Still 3. The counters describe ksmd's records, not the page tables: B's rmap_item is still
        listed on the KSM page's stable tree node (Trees view), though B no longer maps that page.`,
    },
    {
      steps: [scans(1), snapshot("ksmd-noticed")],
      ask: {
        prompt: "ksmd runs one full scan. Which counters move?",
        choices: [
          "pages_shared and full_scans",
          "pages_sharing, pages_unshared and full_scans",
          "pages_sharing, pages_volatile and full_scans",
        ],
        probe: { kind: "moved" },
      },
      say: prose`
        Visiting B's page 1, ksmd found it was no longer the KSM page and took its item out of the
        stable tree (\`pages_sharing\` 2). Its contents are new to ksmd — in 2.6.32 leaving the
        stable tree also clears the stored checksum, which shares its storage — so it is volatile
        for this scan (\`pages_volatile\` 1).`,
    },
    {
      steps: [scans(2), snapshot("settled")],
      ask: {
        prompt: "Two more scans. Where is the rmap_item of B's page 1?",
        choices: TREES,
        probe: { kind: "page-tree", page: B_PAGE1 },
      },
      say: prose`
        In the unstable tree: its checksum matched on the next visit (\`pages_unshared\` 1). Its
        contents are unique, so it will wait there, rechecked every scan. The copy happened at the
        write; the counters took one scan to notice it and another to settle.`,
    },
  ],
});
