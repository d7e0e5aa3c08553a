import {
  defineLesson,
  exit,
  numbers,
  processWith,
  prose,
  scans,
  snapshot,
  sysfs,
  UP_SAME_DOWN,
} from "../build";

const X = 0x11111111;

export const exitCleanup = defineLesson({
  id: "exit-cleanup",
  title: "10. A process exits: the fast path and ksmd's cleanup",
  summary: "An exiting process's memory goes at once; its KSM records go at once only if that is easy.",
  frames: 64,
  beats: [
    {
      say: prose`
        When a process exits, its memory is freed at once. KSM's records of it — its mm_slot and
        rmap_items — are ksmd's, and the exit path must not wait for ksmd (patch 9 of the series,
        "fix oom deadlock"). So __ksm_exit frees the slot itself only when that is easy, and
        otherwise leaves the cleanup to ksmd.

        A, B and C each map X and one page of their own.`,
    },
    {
      steps: [
        ...processWith("A", "r", [X, 0xa]),
        ...processWith("B", "r", [X, 0xb]),
        ...processWith("C", "r", [X, 0xc]),
        sysfs("run", 1),
        scans(2),
      ],
      ask: {
        prompt: "After two full scans, what is pages_unshared?",
        choices: numbers(0, 3, 6),
        probe: { kind: "value", of: "pages_unshared" },
      },
      say: prose`
        3: X merged three ways (\`pages_shared\` 1, \`pages_sharing\` 2), and each process's own
        page waits in the unstable tree. Three mm_slots are registered.`,
    },
    {
      steps: processWith("D", "r", [X, X]),
      say: prose`
        D registers: a fourth mm_slot, which \`__ksm_enter\` places just behind ksmd's scan cursor
        (last in line: "to let the area settle down a little"). ksmd has not scanned it, so it
        has no rmap_items.`,
    },
    {
      steps: [exit("D")],
      ask: {
        prompt: "D exits before ksmd gets to it. What happens to the number of mm_slots?",
        choices: UP_SAME_DOWN,
        probe: { kind: "change", of: "mm_slots" },
      },
      say: prose`
        It drops: the fast path. D's slot had no rmap_items and the cursor was not on it, so
        __ksm_exit freed it on the spot. Patch 9 calls this "not just an optimization": with ksmd
        not running, nothing else would ever free it.`,
    },
    {
      steps: [exit("B")],
      ask: {
        prompt: "B exits. Which counters move?",
        choices: ["pages_sharing and pages_unshared", "pages_sharing", "none"],
        probe: { kind: "moved" },
      },
      say: prose`
        None. B's memory is gone — its own page's frame was freed at once — but B had rmap_items, so
        \`__ksm_exit\` left its slot for ksmd, moved (\`list_move\`) right after the scan cursor:
        it is the next slot ksmd scans. Until ksmd gets there, \`pages_sharing\` still counts
        B's X and \`pages_unshared\` B's own page.`,
    },
    {
      steps: [sysfs("run", 0), snapshot("ksmd-stopped")],
      ask: {
        prompt: "ksmd is stopped (run = 0). How many mm_slots are there?",
        choices: numbers(2, 3),
        probe: { kind: "value", of: "mm_slots" },
      },
      say: prose`
        3: A, C and the exiting B. With ksmd stopped nobody cleans up, so the counters go on
        counting a dead process for as long as \`run\` stays 0.`,
    },
    {
      steps: [sysfs("run", 1), scans(1), snapshot("cleaned-up")],
      ask: {
        prompt: "ksmd runs one full scan. What is pages_sharing afterwards?",
        choices: numbers(0, 1, 2),
        probe: { kind: "value", of: "pages_sharing" },
      },
      say: prose`
        1. ksmd went to B's slot first, found its mm exiting, freed all its rmap_items and then the slot:
        A and C still share X (\`pages_sharing\` 1), \`pages_unshared\` is 2, and two slots
        remain.`,
    },
  ],
});
