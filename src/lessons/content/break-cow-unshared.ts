import {
  defineLesson,
  numbers,
  processWith,
  prose,
  scans,
  snapshot,
  sysfs,
  TREES,
  UP_SAME_DOWN,
  write,
} from "../build";

const X = 0x11111111;

export const breakCowUnshared = defineLesson({
  id: "break-cow-unshared",
  title: "7. Break COW once unshared — and Linux 6.18",
  summary: "A KSM page left with one user goes back to an ordinary page in 2.6.32; 6.18 keeps it.",
  frames: 64,
  compare: true,
  beats: [
    {
      say: prose`
        What becomes of a KSM page when all but one of the pages merged into it have been written
        to? It saves nothing any more, and in 2.6.32 KSM pages cannot be swapped out. Patch 4 of the
        2009 series, "ksm: break cow once unshared", has ksmd replace it by an ordinary page. Linux
        6.18 leaves it be.

        The live engine runs 2.6.32; the table shows both kernels' counters at each snapshot once
        the live run has printed it.`,
    },
    {
      steps: [
        ...processWith("A", "r", [X]),
        ...processWith("B", "r", [X]),
        sysfs("run", 1),
        scans(2),
        snapshot("merged"),
      ],
      say: prose`
        A and B share one KSM page on both kernels: \`pages_shared\` 1, \`pages_sharing\` 1.`,
    },
    {
      steps: [write("B", "r", 0, 1)],
      ask: {
        prompt: "B writes to its page. What happens to pages_shared right away?",
        choices: UP_SAME_DOWN,
        probe: { kind: "change", of: "pages_shared" },
      },
      say: prose`
        Nothing yet: B got its own copy at once, and A alone maps the KSM page (mapcount 1), but
        the counters wait for ksmd.`,
    },
    {
      steps: [scans(1), snapshot("one-user-left")],
      ask: {
        prompt: "After ksmd's next scan, what will pages_shared be on Linux 6.18?",
        choices: numbers(0, 1),
        probe: { kind: "compared", profile: "linux-6.18", label: "one-user-left", counter: "pages_shared" },
      },
      say: prose`
        On 2.6.32 (live) ksmd found A's page in the stable tree with a single mapping and broke COW
        on it: A got an ordinary copy, the item left the stable tree, \`pages_shared\` 0. On 6.18
        the KSM page stays, with one user: \`pages_shared\` 1, \`pages_sharing\` 0 — a later
        page with the same contents could still join it.`,
    },
    {
      steps: [scans(1), snapshot("later")],
      ask: {
        prompt: "On 2.6.32, one more scan: where is A's page's rmap_item?",
        choices: TREES,
        probe: { kind: "page-tree", page: { proc: "A", region: "r", page: 0 } },
      },
      say: prose`
        In the unstable tree after a single scan. When patch 4 breaks COW it computes the page's
        checksum on the spot, to "give them a good chance of getting into the unstable tree on the
        next pass, or back into the stable", so A's page did not wait at the checksum gate.`,
    },
  ],
});
