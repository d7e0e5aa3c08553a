import {
  defineLesson,
  fill,
  mmap,
  numbers,
  processWith,
  prose,
  scans,
  snapshot,
  spawn,
  sysfs,
} from "../build";

export const unmergeOom = defineLesson({
  id: "unmerge-oom",
  title: "9. run=2, unmerging, and the OOM killer",
  summary: "Unmerging needs back all the memory merging saved; the OOM killer takes the writer of run first.",
  frames: 64,
  beats: [
    {
      say: prose`
        \`echo 2 > /sys/kernel/mm/ksm/run\` stops ksmd and unmerges everything: each page mapped to
        a KSM page gets its own copy back. That takes as much memory as merging saved. ksm.txt
        warns of it for \`madvise(MADV_UNMERGEABLE)\`, which unmerges one range: it "may suddenly
        require more memory than is available - possibly failing with EAGAIN, but more probably
        arousing the Out-Of-Memory killer" (madvise turns \`break_ksm()\`'s ENOMEM into EAGAIN).
        \`run\` = 2 does the same for every range. Which process does the killer take? 2.6.32's
        \`run_store()\` marks the task writing 2 an OOM origin (\`PF_OOM_ORIGIN\`, like swapoff),
        and \`badness()\` gives it the top score; other tasks it ranks by \`total_vm\` — the size
        of their mappings, in memory or not. The machine has 64 frames.`,
    },
    {
      steps: [...processWith("merged", "r", Array(40).fill(0x5a5a5a5a)), sysfs("run", 1), scans(2)],
      ask: {
        prompt: "Process merged maps 40 identical pages. After two scans, how many frames hold KSM pages?",
        choices: numbers(1, 2, 40),
        probe: { kind: "value", of: "ksm_frames" },
      },
      say: prose`
        One KSM page holds all 40: \`pages_shared\` 1, \`pages_sharing\` 39.`,
    },
    {
      steps: [
        spawn("lazy"),
        mmap("lazy", "r", 100),
        fill("lazy", "r", 0, 1, 9),
        spawn("worker"),
        mmap("worker", "r", 30),
        fill("worker", "r", 0, 30, 3),
        snapshot("memory-nearly-full"),
      ],
      ask: {
        prompt:
          "lazy maps 100 pages and touches one; worker maps and fills 30. How many of the 64 frames are in use?",
        choices: numbers(33, 72, 132),
        probe: { kind: "value", of: "used_frames" },
      },
      say: prose`
        33: the zero page, the KSM page, lazy's one page and worker's 30. By \`total_vm\`,
        though, lazy is the biggest (100 pages), then merged (40), then worker (30). 6.18's
        \`oom_badness()\` has no \`total_vm\` term: it counts RSS + swap + page tables, where the
        KSM page counts once for each of merged's 40 mappings — merged first, lazy last.`,
    },
    {
      steps: [sysfs("run", 2), snapshot("after-unmerge")],
      ask: {
        prompt:
          "echo 2 > run: 40 pages need their own frames and 31 are free. Which processes are gone afterwards?",
        choices: ["lazy", "worker", "merged and lazy", "lazy and worker", "none"],
        probe: { kind: "gone" },
      },
      say: prose`
        Memory ran out part-way, and the OOM killer took the origin of the shortage first: the shell
        running \`echo 2 > run\`, not lazy with its 100 pages of \`total_vm\`. Its pending kill
        stops the unmerge; \`run\` goes back to 0 and the write fails. No process dies: 31 pages got
        their own copies, the other 9 are still merged, and the counters wait for ksmd. 6.18 does
        the same (\`set_current_oom_origin()\`). Without that mark (the 2009 series predates it)
        2.6.32's killer would have ranked by \`total_vm\`, ignoring what a process gains from
        merging: lazy first, then merged itself.`,
    },
  ],
});
