import { breakCowUnshared } from "./content/break-cow-unshared";
import { checksumGate } from "./content/checksum-gate";
import { cowFault } from "./content/cow-fault";
import { exitCleanup } from "./content/exit-cleanup";
import { forkLesson } from "./content/fork";
import { maxKernelPages } from "./content/max-kernel-pages";
import { sideBySide } from "./content/side-by-side";
import { sideChannel } from "./content/side-channel";
import { stableTree } from "./content/stable-tree";
import { unmergeOom } from "./content/unmerge-oom";
import { unstableTree } from "./content/unstable-tree";
import { whatIsKsm } from "./content/what-is-ksm";
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
  sideChannel,
];

export function lessonById(id: string | null): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
