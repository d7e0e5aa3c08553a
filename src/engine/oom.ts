import type { Kernel } from "./kernel";
import { ZERO_PFN } from "./memory";
import { ptePfn, type Task } from "./mm";
import { PAGE_SIZE } from "./types";

/*
 * The OOM killer's choice of victim (mm/oom_kill.c), as each kernel scores a
 * task. Both walk the tasks oldest first; the origin of the OOM (the shell
 * writing 2 to run) is picked before any of them by the caller.
 */

/**
 * badness() of 2.6.32, reduced to what the simulation has: total_vm, plus
 * half of each child's total_vm (+1), as forking servers are the usual
 * culprits. It leaves out the CPU time, run time, niceness and capability
 * scaling. KSM sharing is not considered, so a heavily merged process may
 * be chosen though killing it frees little.
 */
function badness2632(k: Kernel, task: Task): number {
  let points = task.mm.totalVm;
  for (const child of k.tasks.values())
    if (child.parent === task.pid && child.mm !== task.mm) points += Math.floor(child.mm.totalVm / 2) + 1;
  return points;
}

/**
 * oom_badness() of 6.18: RSS + swap entries + page-table pages (oom_score_adj
 * is 0 here, there is no swap). A KSM page counts in the RSS of every process
 * mapping it; the zero page counts in none. Page tables: one PTE page per
 * 2 MiB, one PMD page per 1 GiB, one PUD page per 512 GiB that holds a
 * mapped page.
 */
function badness618(task: Task): number {
  let rss = 0;
  const tables = new Set<number>();
  for (const vma of task.mm.vmas) {
    for (let i = 0; i < vma.pte.length; i++) {
      const pte = vma.pte[i];
      if (pte === 0) continue;
      if (ptePfn(pte) !== ZERO_PFN) rss++;
      const addr = vma.vmStart + i * PAGE_SIZE;
      tables.add(Math.floor(addr / 2 ** 21)); // PTE page
      tables.add(-1 - Math.floor(addr / 2 ** 30)); // PMD page
      tables.add(-(2 ** 40) - Math.floor(addr / 2 ** 39)); // PUD page
    }
  }
  return rss + tables.size;
}

/**
 * select_bad_process(): the task with the most points. 6.18 lets a later
 * task with equal points replace the chosen one (ties go to the youngest);
 * the engine does the same for 2.6.32.
 */
export function selectBadProcess(k: Kernel): Task | null {
  const modern = k.ksm.profile === "linux-6.18";
  let best: Task | null = null;
  let bestPoints = -1;
  for (const t of k.tasks.values()) {
    const points = modern ? badness618(t) : badness2632(k, t);
    if (points >= bestPoints) {
      best = t;
      bestPoints = points;
    }
  }
  return best;
}
