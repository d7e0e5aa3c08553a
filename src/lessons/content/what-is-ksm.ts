import {
  defineLesson,
  mergeable,
  numbers,
  processWith,
  prose,
  scans,
  sysfs,
  UP_SAME_DOWN,
  YES_NO,
} from "../build";

const X = 0x11111111;
const Y = 0x22222222;

export const whatIsKsm = defineLesson({
  id: "what-is-ksm",
  title: "1. What KSM is: madvise, ksmd and its knobs",
  summary: "Identical pages merge only in memory registered with MADV_MERGEABLE, when ksmd runs.",
  frames: 64,
  beats: [
    {
      say: prose`
        KSM, kernel samepage merging, came into Linux with 2.6.32. A kernel thread, ksmd, scans
        memory that programs have registered, finds pages with identical contents, and replaces
        them by one write-protected page, a KSM page. A process that later writes to it gets its
        own copy again (copy-on-write), so the program reads the same bytes as before. What
        changes is the memory used — and the time a write takes: a write to a merged page is a
        copy-on-write fault (\`do_wp_page()\` copies the page), measurably slower than a write to a
        private page. That difference is what KSM's side channel measures.

        Processes A and B will each map four pages: two filled with one value (X), two with
        another (Y). Watch the counters in /sys/kernel/mm/ksm/ and the Physical memory view.`,
    },
    {
      steps: [
        ...processWith("A", "heap", [X, X, Y, Y], false),
        ...processWith("B", "heap", [X, X, Y, Y], false),
        scans(1),
      ],
      ask: {
        prompt:
          "Neither process has called madvise(MADV_MERGEABLE). We ask ksmd for one full scan. What will full_scans read?",
        choices: numbers(0, 1),
        probe: { kind: "value", of: "full_scans" },
      },
      say: prose`
        Still 0, and the scenario output shows the wait for a scan refused with EAGAIN. ksmd only
        looks at memory registered with \`madvise(addr, length, MADV_MERGEABLE)\`; with nothing
        registered it does not even wake up (patch 5 of the 2009 series, "keep quiet while list
        empty"), so it counts no empty scans either. Identical pages alone are not enough.`,
    },
    {
      steps: [mergeable("A", "heap", 4), scans(2)],
      ask: {
        prompt: "Only A advises its four pages MERGEABLE. After two full scans, what is pages_sharing?",
        choices: numbers(0, 2, 4, 6),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        A's two X pages now share one KSM page, and its two Y pages another: \`pages_shared\` is 2
        (KSM pages in use) and \`pages_sharing\` is 2 (further pages mapped to them — the memory
        saved). KSM merges within one process as readily as between processes. B's identical
        pages were never looked at: they are not in a mergeable area.`,
    },
    {
      steps: [mergeable("B", "heap", 4), scans(1)],
      ask: {
        prompt:
          "Now B registers its pages too. After one more full scan, do A's page 0 and B's page 0 map the same frame?",
        choices: YES_NO,
        probe: {
          kind: "same-frame",
          a: { proc: "A", region: "heap", page: 0 },
          b: { proc: "B", region: "heap", page: 0 },
        },
      },
      say: prose`
        Yes, after a single scan: in 2.6.32 ksmd first looks a page up in the stable tree of KSM
        pages, and B's pages matched the two KSM pages already there (lesson 4). Eight pages of
        contents now live in two frames: \`pages_shared\` 2, \`pages_sharing\` 6. B's old frames
        were freed.`,
    },
    {
      steps: [sysfs("run", 0), scans(1)],
      ask: {
        prompt: "echo 0 > /sys/kernel/mm/ksm/run stops ksmd. What happens to pages_sharing?",
        choices: UP_SAME_DOWN,
        probe: { kind: "change", of: "pages_sharing" },
      },
      say: prose`
        It stays: \`run\` = 0 stops ksmd but leaves merged pages merged, and the scan we asked for
        is refused with EAGAIN. The other knobs: \`pages_to_scan\` (pages per batch, 200 in the
        patch series), \`sleep_millisecs\` (the pause between batches, 20) and \`max_kernel_pages\`
        (2000, lesson 8); \`run\` = 2 unmerges everything (lesson 9). The series' ksm.txt says
        those three defaults were "chosen for demonstration purposes", and \`run\` = 1 "for
        immediate use by apps which register"; the 2.6.32 release shipped with \`run\` = 0 and
        100 pages per batch, as 6.18 still does.`,
    },
  ],
});
