import { defineLesson, numbers, processWith, prose, scans, sysfs, UP_SAME_DOWN, write } from "../build";

export const zeroPages = defineLesson({
  id: "zero-pages",
  title: "14. use_zero_pages: empty pages go to the zero page",
  summary: "With use_zero_pages, 6.18 maps all-zero pages to the kernel's zero page instead of a KSM page.",
  profile: "linux-6.18",
  frames: 64,
  beats: [
    {
      say: prose`
        Empty (all-zero) pages are the most common duplicates. The kernel already has one page of
        zeros, the zero page, which a read fault maps. With \`use_zero_pages\` 1 (since 4.11; default
        0), \`cmp_and_merge_page()\` calls \`try_to_merge_with_zero_page()\` first: a page whose
        checksum equals the zero page's, and whose bytes then compare equal (\`pages_identical()\`), is mapped to it read-only: no KSM page, no stable tree entry.

        A fills three pages with zeros (written, so each has its own frame) and one with 9s.`,
    },
    {
      steps: [
        sysfs("use_zero_pages", 1),
        ...processWith("A", "buf", [0, 0, 0, 9]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two scans, how many KSM pages (pages_shared) are there?",
        choices: numbers(0, 1, 3),
        probe: { kind: "value", of: "pages_shared" },
      },
      say: prose`
        0: the three empty pages now map the zero page, which is no KSM page and sits in no tree.
        They are counted apart, in \`ksm_zero_pages\` (3), globally and in A's \`ksm_stat\`, and
        \`general_profit\` counts them as saved pages.`,
    },
    {
      steps: [write("A", "buf", 1, 7)],
      ask: {
        prompt: "A writes a byte into its page 1. What happens to ksm_zero_pages?",
        choices: UP_SAME_DOWN,
        probe: { kind: "change", of: "ksm_zero_pages" },
      },
      say: prose`
        Down, at once: the write's COW fault gave A a new page, and the fault path
        (\`ksm_might_unmap_zero_page()\`) took it out of the count. Unlike \`pages_sharing\`,
        this counter does not wait for ksmd: there is no rmap_item on a stable node to clean up.`,
    },
  ],
});
