import { defineLesson, numbers, processWith, prose, scans, snapshot, sysfs } from "../build";

const X = 0x11111111;
const Y = 0x22222222;
const Z = 0x33333333;
const W = 0x44444444;

export const stableTree = defineLesson({
  id: "stable-tree",
  title: "4. The stable tree: pages_shared and pages_sharing",
  summary: "Merged pages live in the stable tree; two exclusive counters say how many and how well shared.",
  frames: 64,
  beats: [
    {
      say: prose`
        When a page finds its equal in the unstable tree, ksmd merges the two into one KSM page and
        moves it into the stable tree. KSM pages are write-protected and never change, so this tree
        stays sorted. In 2.6.32 every page ksmd visits that is not yet in it is looked up there
        first.

        Three processes: X in all three, Y in A and B, Z only in C.`,
    },
    {
      steps: [
        ...processWith("A", "r", [X, Y]),
        ...processWith("B", "r", [X, Y]),
        ...processWith("C", "r", [X, Z]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two full scans, what is pages_shared?",
        choices: numbers(2, 3, 5),
        probe: { kind: "value", of: "pages_shared" },
      },
      say: prose`
        2: one KSM page for X, one for Y. \`pages_shared\` counts KSM pages — the stable tree's
        nodes. In 2.6.32 \`try_to_merge_two_pages()\` allocates a new frame, copies the page being
        scanned into it and points both page tables at it; the two old frames are freed.`,
    },
    {
      steps: [snapshot("merged")],
      ask: {
        prompt: "And pages_sharing?",
        choices: numbers(2, 3, 5),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        3. X is mapped three times and Y twice: five mappings of two KSM pages. The first mapping
        of each is counted in \`pages_shared\`, the others in \`pages_sharing\`. The two counts
        are exclusive — the sysfs file always showed them so; patch 2 of the series only made the
        kernel's own variable exclusive too, instead of subtracting \`pages_shared\` when the file
        is read — so \`pages_sharing\` alone is the number of pages saved — 6 pages of contents in 3 frames
        — and \`pages_sharing\` / \`pages_shared\` says how well they are shared. C's Z waits in
        the unstable tree (\`pages_unshared\` 1).`,
    },
    {
      steps: [...processWith("D", "r", [X, W]), scans(1)],
      show: "code",
      ask: {
        prompt: "D arrives with X and a new page W. After one full scan, which counters have moved?",
        choices: [
          "pages_shared, pages_sharing and full_scans",
          "pages_sharing, pages_volatile and full_scans",
          "pages_volatile and full_scans",
        ],
        probe: { kind: "moved" },
      },
      say: prose`
        D's X merged in its very first scan: 2.6.32 searches the stable tree before it looks at the
        checksum, X matched the KSM page there, and D's page was simply mapped to it. Joining a
        KSM page moves \`pages_sharing\` only; no new KSM page was needed. W is new, so it waits a
        scan in \`pages_volatile\`. (Linux 6.18 checks the checksum first: see lesson 11.)`,
    },
    {
      steps: [snapshot("joined")],
      ask: {
        prompt: "How many frames hold KSM pages now?",
        choices: numbers(2, 3, 6),
        probe: { kind: "value", of: "ksm_frames" },
      },
      say: prose`
        Two frames hold six mappings: X four times, Y twice (\`pages_shared\` 2,
        \`pages_sharing\` 4).`,
    },
  ],
});
