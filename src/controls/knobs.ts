import { type ProfileName, type Snapshot, SYSFS_DIR, sysfsInput } from "../engine";
import type { Command, Reply } from "../worker/protocol";

/*
 * The knob panel's model: the files of /sys/kernel/mm/ksm/ as the snapshot
 * has them (names, values, which are writable: the engine's sysfs table is
 * the one list), sorted into groups a reader can find them in. Pure, so it
 * can be tested without a browser.
 */

export type SysfsFile = Snapshot["sysfs"][number];

export interface Knob {
  file: string;
  /** What `cat` shows, without the newline. */
  value: string;
  /** How its store reads a write (engine's sysfsInput). */
  input: "bool" | "word" | "number";
  /** For a "word" file: the words `cat` lists; the current one is in brackets there. */
  choices: string[];
}

export interface KnobGroup {
  title: string;
  /** Shown folded at first (there is much to show in a narrow drawer). */
  folded: boolean;
  /** What the group's files do, for the files this kernel has. */
  note: string;
  knobs: Knob[];
}

type Has = (file: string) => boolean;
/** The sentences whose file the kernel has, joined. */
const sentences = (has: Has, parts: [string, string][]) =>
  parts
    .filter(([file]) => has(file))
    .map(([, text]) => text)
    .join(" ");

/** run has its own buttons (0, 1, 2 with their shortcuts), not a field. */
export const RUN_FILE = "run";

/** Where a writable file goes: by what it tunes. Files no rule names go to the stable tree group. */
const GROUPS: { title: string; folded: boolean; has: Has; note: (kernelHas: Has) => string }[] = [
  {
    title: "Scanning",
    folded: false,
    has: (f) => ["pages_to_scan", "sleep_millisecs", "smart_scan", "max_kernel_pages"].includes(f),
    note: (has) =>
      sentences(has, [
        ["pages_to_scan", "ksmd scans pages_to_scan pages a batch, then sleeps sleep_millisecs."],
        ["smart_scan", "smart_scan passes over pages that keep failing to merge."],
        ["max_kernel_pages", "max_kernel_pages caps the KSM pages (0: no cap)."],
      ]),
  },
  {
    title: "Scan-time advisor",
    folded: true,
    has: (f) => f.startsWith("advisor_"),
    note: () =>
      "With advisor_mode scan-time, ksmd sets pages_to_scan itself (between the min and max) " +
      "so that a full scan takes advisor_target_scan_time seconds, within advisor_max_cpu % of a CPU.",
  },
  {
    title: "Stable tree and merging",
    folded: false,
    has: () => true,
    note: (has) =>
      sentences(has, [
        [
          "max_page_sharing",
          "max_page_sharing caps the mappings of one KSM page: more make a chain of duplicates. " +
            "It and merge_across_nodes change only while no KSM page exists.",
        ],
        ["use_zero_pages", "use_zero_pages maps pages of zeros to the zero page."],
      ]),
  },
];
/** The order groups are shown in. */
const SHOWN = ["Scanning", "Stable tree and merging", "Scan-time advisor"];

/** A "word" file's choices, from its text: `[none] scan-time` gives none and scan-time. */
export function wordChoices(value: string): { choices: string[]; current: string | undefined } {
  const words = value.split(/\s+/).filter(Boolean);
  const current = words.find((w) => w.startsWith("[") && w.endsWith("]"))?.slice(1, -1);
  return { choices: words.map((w) => w.replace(/^\[(.*)\]$/, "$1")), current };
}

/** The writable files (run aside) in their groups, in `ls` order within each; and the read-only files. */
export function knobGroups(
  files: readonly SysfsFile[],
  profile: ProfileName,
): { groups: KnobGroup[]; readOnly: { file: string; value: string }[] } {
  const byTitle = new Map<string, Knob[]>();
  const readOnly: { file: string; value: string }[] = [];
  for (const f of files) {
    const value = f.text.replace(/\n$/, "");
    if (!f.writable) {
      readOnly.push({ file: f.file, value });
      continue;
    }
    if (f.file === RUN_FILE) continue;
    const input = sysfsInput(profile, f.file);
    const knob = { file: f.file, value, input, choices: input === "word" ? wordChoices(value).choices : [] };
    const title = GROUPS.find((g) => g.has(f.file))!.title;
    byTitle.set(title, [...(byTitle.get(title) ?? []), knob]);
  }
  const kernelHas = (file: string) => files.some((f) => f.file === file);
  const groups = SHOWN.flatMap((title) => {
    const knobs = byTitle.get(title);
    const g = GROUPS.find((x) => x.title === title)!;
    return knobs ? [{ title, folded: g.folded, note: g.note(kernelHas), knobs }] : [];
  });
  return { groups, readOnly };
}

/**
 * Write `text` to a file as `echo text > file` does (with its newline): the
 * kernel judges it. Resolves with the shell's error line, or null on success.
 */
export async function writeKnob(
  send: (cmd: Command) => Promise<Reply>,
  file: string,
  text: string,
): Promise<string | null> {
  const r = await send({ type: "sysfs-write", file, value: `${text}\n` });
  return r.errno ? `echo ${text} > ${SYSFS_DIR}/${file}: ${r.message ?? r.errno}` : null;
}

/** Why the kernel said no, where the errno alone does not tell a learner. */
export function refusalHint(file: string, error: string, files: readonly SysfsFile[]): string | null {
  if (/busy/i.test(error))
    return "It may change only while no KSM page exists: echo 2 > run unmerges them all first.";
  const advisor = files.find((f) => f.file === "advisor_mode");
  if (file === "pages_to_scan" && advisor && wordChoices(advisor.text).current === "scan-time")
    return "The scan-time advisor sets pages_to_scan: set advisor_mode to none first.";
  return null;
}
