import { breakCowUnshared } from "./content/break-cow-unshared";
import { checksumGate } from "./content/checksum-gate";
import { cowFault } from "./content/cow-fault";
import { exitCleanup } from "./content/exit-cleanup";
import { forkLesson } from "./content/fork";
import { maxKernelPages } from "./content/max-kernel-pages";
import { mergeAny } from "./content/merge-any";
import { pageSharing } from "./content/page-sharing";
import { profit } from "./content/profit";
import { sideBySide } from "./content/side-by-side";
import { sideChannel } from "./content/side-channel";
import { smartScan } from "./content/smart-scan";
import { stableTree } from "./content/stable-tree";
import { unmergeOom } from "./content/unmerge-oom";
import { unstableTree } from "./content/unstable-tree";
import { whatIsKsm } from "./content/what-is-ksm";
import { zeroPages } from "./content/zero-pages";
import type { Lesson } from "./lesson";

/** Every lesson, in the order they are meant to be taken. */
export const LESSONS: readonly Lesson[] = [
  whatIsKsm,
  checksumGate,
  unstableTree,
  stableTree,
  cowFault,
  forkLesson,
  breakCowUnshared,
  maxKernelPages,
  unmergeOom,
  exitCleanup,
  sideBySide,
  pageSharing,
  smartScan,
  zeroPages,
  profit,
  mergeAny,
  sideChannel,
];

export function lessonById(id: string | null): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
