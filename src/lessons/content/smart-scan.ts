import { defineLesson, numbers, processWith, prose, scans, sysfs, YES_NO } from "../build";

export const smartScan = defineLesson({
  id: "smart-scan",
  title: "13. Smart scan: skipping pages that never merge",
  summary: "6.18 skips pages that stayed unique for a while; it saves work, and makes a late twin wait.",
  profile: "linux-6.18",
  frames: 64,
  beats: [
    {
      say: prose`
        Most pages ksmd visits never merge, and each visit costs a checksum and a tree search. 6.18's
        smart scan (\`smart_scan\` 1, the default) ages a page that is not a KSM page at every visit;
        from age 3 \`should_skip_rmap_item()\` skips it for 1, 2, 4, then 8 scans, and counts each
        skip in \`pages_skipped\`.

        A maps four pages, all different, and ksmd runs fourteen full scans.`,
    },
    {
      steps: [...processWith("A", "buf", [1, 2, 3, 4]), sysfs("run", 1), scans(14)],
      ask: {
        prompt: "Fourteen scans of four unique pages: 56 visits. How many were skipped (pages_skipped)?",
        choices: numbers(0, 28, 56),
        probe: { kind: "value", of: "pages_skipped" },
      },
      say: prose`
        28: half the visits cost nothing (\`pages_scanned\` is 28, not 56). A skipped page
        is not checksummed and not put in the unstable tree for that scan.`,
    },
    {
      steps: [...processWith("B", "buf", [1]), scans(2)],
      ask: {
        prompt: "B arrives with a twin of A's page 0. Two scans later, is B's page merged?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: { proc: "B", region: "buf", page: 0 } },
      },
      say: prose`
        No. With smart scan off two scans would do (one to see the checksum hold, one to meet A's
        page in the unstable tree). But A's page is in a long skip, out of the unstable tree, so B's
        page finds nobody there — and then B's page, unique so far, starts ageing too.`,
    },
    {
      steps: [scans(7)],
      ask: {
        prompt: "Seven scans more (nine since B came). Is B's page merged now?",
        choices: YES_NO,
        probe: { kind: "page-merged", page: { proc: "B", region: "buf", page: 0 } },
      },
      say: prose`
        Yes, at last: both pages were visited in the same scan, nine scans after B came. With
        \`smart_scan\` 0 they would have merged after two. Smart scan trades latency for work: a page
        that finds its twin late may wait out its skip, up to 8 scans, and its twin's.`,
    },
  ],
});
