import { defineLesson, numbers, processWith, prose, scans, sysfs } from "../build";

/** Sixty unique pages (values 100..159) and two equal ones. */
const MANY_UNIQUE = [7, 7, ...Array.from({ length: 60 }, (_, i) => 100 + i)];

export const profit = defineLesson({
  id: "profit",
  title: "15. general_profit: when KSM costs more than it saves",
  summary:
    "Each scanned page costs an rmap_item; 6.18's general_profit and ksm_stat show when that outweighs merging.",
  profile: "linux-6.18",
  frames: 128,
  beats: [
    {
      say: prose`
        KSM is not free. Every page ksmd has visited keeps an rmap_item (64 bytes on 64-bit,
        \`sizeof(struct ksm_rmap_item)\`), merged or not. Since 6.7 the kernel shows the balance:
        \`general_profit\` = (\`pages_sharing\` + \`ksm_zero_pages\`) × 4096 − \`rmap_items\` × 64,
        and per process \`ksm_process_profit\` in \`/proc/<pid>/ksm_stat\`
        (\`ksm_process_profit()\`).

        A advises 62 pages: two equal, sixty all different.`,
    },
    {
      steps: [...processWith("A", "buf", MANY_UNIQUE), sysfs("run", 1), scans(2)],
      ask: {
        prompt:
          "After two scans: one page saved (4096 bytes), 62 rmap_items (62 × 64 = 3968 bytes). general_profit?",
        choices: numbers(-3968, 128, 4096),
        probe: { kind: "value", of: "general_profit" },
      },
      say: prose`
        128 bytes: barely ahead. One merged page pays for 64 rmap_items; here 62 items ride on one
        saving.`,
    },
    {
      steps: [...processWith("B", "buf", [200, 201, 202, 203, 204, 205, 206, 207]), scans(2)],
      ask: {
        prompt: "B advises eight more pages, none equal to anything. After two scans, general_profit?",
        choices: numbers(-384, 128, 4096),
        probe: { kind: "value", of: "general_profit" },
      },
      say: prose`
        −384: KSM now costs more memory than it saves — eight more rmap_items (512 bytes), nothing
        merged. \`general_profit\` is the balance of the whole machine; each process's
        \`/proc/<pid>/ksm_stat\` tells who is to blame.`,
    },
    {
      steps: [scans(1)],
      ask: {
        prompt: "What is B's ksm_process_profit?",
        choices: numbers(-512, 0, 512),
        probe: { kind: "ksm-stat", proc: "B", field: "ksm_process_profit" },
      },
      say: prose`
        −512 = 0 × 4096 − 8 × 64: B has \`ksm_rmap_items\` 8 and \`ksm_merging_pages\` 0. A high
        ratio of rmap_items to merging pages means a process advises memory that does not merge:
        it should advise less. (A's is +4224: \`ksm_merging_pages\` counts each of its pages that maps
        a KSM page, both of them, where \`pages_sharing\` counts one.)`,
    },
  ],
});
