import { defineLesson, fill, fork, numbers, processWith, prose, scans, sysfs, TREES, YES_NO } from "../build";

const X = 0x11111111;
const U = 0x55555555;
const page = (proc: string, n: number) => ({ proc, region: "heap", page: n });

export const forkLesson = defineLesson({
  id: "fork",
  title: "6. fork: a page is never merged with itself",
  summary: "After fork, parent and child share pages copy-on-write; KSM must tell one page from two.",
  frames: 64,
  beats: [
    {
      say: prose`
        fork() gives the child the parent's pages copy-on-write: both map the same frames,
        read-only, until one of them writes. A child of a registered process is registered too
        (ksm_fork). But a page shared by fork is one page in two places, and merging it with itself
        would be pointless.

        The parent maps three pages: X twice and U once.`,
    },
    {
      steps: [...processWith("parent", "heap", [X, X, U]), sysfs("run", 1), scans(2)],
      ask: {
        prompt: "After two full scans, what is pages_unshared?",
        choices: numbers(0, 1, 2),
        probe: { kind: "value", of: "pages_unshared" },
      },
      say: prose`
        1: the two X pages merged (\`pages_shared\` 1, \`pages_sharing\` 1), and U, unique, waits in
        the unstable tree.`,
    },
    {
      steps: [fork("parent", "child")],
      ask: {
        prompt: "The parent forks. Do the parent's page 2 (U) and the child's page 2 map the same frame?",
        choices: YES_NO,
        probe: { kind: "same-frame", a: page("parent", 2), b: page("child", 2) },
      },
      say: prose`
        Yes: one frame, mapped twice, write-protected in both. The child's X pages map the KSM page
        itself. No counter moved: the child has no rmap_items until ksmd scans it.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "After one full scan, what is pages_sharing?",
        choices: numbers(1, 2, 3, 4),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        3, without any merging: the child's X pages already are the KSM page, so the stable tree
        search matched and their rmap_items were just added to that node. The child's U was seen
        for the first time: volatile.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "Another scan. Where is the rmap_item of the child's page 2 (U)?",
        choices: TREES,
        probe: { kind: "page-tree", page: page("child", 2) },
      },
      say: prose`
        In no tree. Its checksum had settled, so it went to the unstable tree — and met the
        parent's U, which is the very same page. ksmd gives up there: it neither merges nor inserts
        it. It is counted in \`pages_volatile\`, which covers pages held out for reasons like this
        as well as pages that change.`,
    },
    {
      steps: [fill("child", "heap", 2, 1, U), scans(1)],
      ask: {
        prompt:
          "The child writes U's own contents over its page 2 — the same bytes. After one scan, is the parent's page 2 merged?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: page("parent", 2) },
      },
      say: prose`
        Yes. The write faulted and gave the child a copy of its own: now two frames hold equal
        contents, which is what KSM merges. The bytes, hence the checksum, did not change, so it
        took a single scan: \`pages_shared\` 2, \`pages_sharing\` 4.`,
    },
  ],
});
