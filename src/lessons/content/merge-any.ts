import { defineLesson, fill, fork, mmap, prctl, prose, scans, spawn, sysfs, YES_NO } from "../build";

export const mergeAny = defineLesson({
  id: "merge-any",
  title: "16. prctl(PR_SET_MEMORY_MERGE): KSM for a whole process",
  summary:
    "6.18 lets a process (or its launcher) turn KSM on for all its memory, now and later, kept across fork.",
  profile: "linux-6.18",
  frames: 64,
  beats: [
    {
      say: prose`
        \`madvise(MADV_MERGEABLE)\` needs the program's own cooperation, area by area. Since 6.4,
        \`prctl(PR_SET_MEMORY_MERGE, 1)\` sets \`MMF_VM_MERGE_ANY\` on the whole process:
        \`ksm_enable_merge_any()\` registers it with ksmd and marks every current area mergeable, and
        \`ksm_add_vma()\` marks each area mapped later. A launcher can set it before exec, without
        changing the program.

        A maps two equal pages and never calls madvise; then it calls prctl.`,
    },
    {
      steps: [
        spawn("A"),
        mmap("A", "old", 2),
        fill("A", "old", 0, 2, 3),
        prctl("A", 1),
        mmap("A", "new", 1),
        fill("A", "new", 0, 1, 3),
        sysfs("run", 1),
        scans(3),
      ],
      ask: {
        prompt:
          "A maps a new area after the prctl, with the same contents. Three scans later, is that page merged?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: { proc: "A", region: "new", page: 0 } },
      },
      say: prose`
        Yes: the new area was mergeable from its mmap on, and its page joined the KSM page of the
        old area's two (\`pages_sharing\` 2).`,
    },
    {
      steps: [fork("A", "C"), scans(1)],
      ask: {
        prompt: "A forks C. Does C's ksm_stat show ksm_merge_any?",
        choices: ["0", "1"],
        probe: { kind: "ksm-stat", proc: "C", field: "ksm_merge_any" },
      },
      say: prose`
        1: \`MMF_VM_MERGE_ANY\` is copied at fork (\`ksm_fork()\` registers the child too), so C and
        every area it maps later are merged as well — the setting follows the process tree.`,
    },
    {
      steps: [prctl("A", 0)],
      ask: {
        prompt:
          "A calls prctl(PR_SET_MEMORY_MERGE, 0). Right after the call, is A's old page 0 still merged?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: { proc: "A", region: "old", page: 0 } },
      },
      say: prose`
        No: \`ksm_disable_merge_any()\` unmerges every area of A as \`MADV_UNMERGEABLE\` would
        (\`break_ksm()\` copies each KSM page in the call itself) and clears the flag. The counters
        follow only when ksmd next visits, as after any COW. C keeps its own setting and still maps
        the KSM page.`,
    },
  ],
});
