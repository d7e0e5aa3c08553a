import { defineLesson, numbers, processWith, prose, scans, snapshot, sysfs, write, YES_NO } from "../build";

const X = 0x11111111;

export const sideBySide = defineLesson({
  id: "side-by-side",
  title: "11. Linux 2.6.32 and 6.18 side by side",
  summary: "One scenario on both kernels: where their counters part and why.",
  frames: 64,
  compare: true,
  beats: [
    {
      say: prose`
        Linux 6.18 still has ksmd, the two trees and the same counters, but several decisions have
        changed since 2.6.32. The same scenario runs on both kernels: the live engine runs 2.6.32,
        and the table shows both kernels' counters at each snapshot as the live run reaches it.`,
    },
    {
      steps: [
        ...processWith("A", "r", [X]),
        ...processWith("B", "r", [X]),
        sysfs("run", 1),
        scans(2),
        snapshot("merged"),
      ],
      ask: {
        prompt: "A and B hold the same page. After two scans, what will pages_sharing be on 6.18?",
        choices: numbers(0, 1),
        probe: { kind: "compared", profile: "linux-6.18", label: "merged", counter: "pages_sharing" },
      },
      say: prose`
        1 on both. Under the same counters the merge differs. In the second scan A's page waited in
        the unstable tree and B's page, being scanned, found it. 2.6.32's
        \`try_to_merge_two_pages()\` allocated a new frame for the KSM page, copied B's page into
        it and mapped both there; 6.18's turned B's page itself into the KSM page and remapped A's
        to it, with no new frame. (6.18 starts with \`run\` = 0; the scenario writes 1.)`,
    },
    {
      steps: [...processWith("C", "r", [X]), scans(1), snapshot("newcomer-one-scan")],
      ask: {
        prompt: "C arrives with the same page. After one scan, what will pages_sharing be on 6.18?",
        choices: numbers(1, 2),
        probe: {
          kind: "compared",
          profile: "linux-6.18",
          label: "newcomer-one-scan",
          counter: "pages_sharing",
        },
      },
      say: prose`
        2.6.32 merged C at its first visit: it searches the stable tree before the checksum
        (\`pages_sharing\` 2). 6.18 checks the checksum first, except for pages that are KSM pages
        already, so C's page was only volatile (\`pages_sharing\` 1, \`pages_volatile\` 1).`,
    },
    {
      steps: [scans(1), snapshot("newcomer-two-scans")],
      ask: {
        prompt: "One more scan. pages_sharing on 6.18?",
        choices: numbers(1, 2),
        probe: {
          kind: "compared",
          profile: "linux-6.18",
          label: "newcomer-two-scans",
          counter: "pages_sharing",
        },
      },
      say: prose`
        2: its checksum settled and C joined the KSM page. The kernels agree again.`,
    },
    {
      steps: [write("B", "r", 0, 1), write("C", "r", 0, 2)],
      ask: {
        prompt: "B and C write to their pages. Is B's page still the KSM page?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: { proc: "B", region: "r", page: 0 } },
      },
      say: prose`
        No, on either kernel: a write to a KSM page always copies it. A is left alone on the KSM
        page.`,
    },
    {
      steps: [scans(1), snapshot("last-sharer")],
      ask: {
        prompt: "After the next scan, what will pages_shared be on 6.18?",
        choices: numbers(0, 1),
        probe: { kind: "compared", profile: "linux-6.18", label: "last-sharer", counter: "pages_shared" },
      },
      say: prose`
        1 on 6.18, 0 on 2.6.32. 2.6.32 broke COW on A's page once it was unshared (patch 4) and
        emptied the stable tree; 6.18 keeps a KSM page with a single user (\`pages_shared\` 1,
        \`pages_sharing\` 0).`,
    },
    {
      steps: [scans(2), snapshot("smart-scan")],
      ask: {
        prompt:
          "B's and C's pages are unique now and stay unchanged. Two more scans: what will pages_unshared be on 6.18?",
        choices: numbers(0, 2, 3),
        probe: { kind: "compared", profile: "linux-6.18", label: "smart-scan", counter: "pages_unshared" },
      },
      say: prose`
        0 on 6.18, 3 on 2.6.32, which visits every page at every scan: its three unique pages (A's
        copy too) wait in the unstable tree. 6.18's smart scan (\`should_skip_rmap_item()\`, on
        by default) ages a page at each visit while it is not a KSM page; once it has been seen
        three times unmerged, ksmd skips it for 1, then 2, 4 and 8 scans between looks. A skipped page leaves the unstable tree and
        shows as volatile (\`pages_volatile\` 2, \`pages_skipped\` 2).

        6.18 has more of its own: stable node chains (\`max_page_sharing\`), merging zeroed pages
        with the zero page (\`use_zero_pages\`), \`prctl(PR_SET_MEMORY_MERGE)\`, and
        \`general_profit\`, here −192 bytes: three rmap_items of 64 bytes, and a KSM page that
        saves nothing.`,
    },
  ],
});
