/*
 * 6.18's /proc/<pid>/ksm_stat for the process header: the file as the
 * kernel prints it and a short summary. The numbers are the engine's
 * (ProcessView.ksmStat); nothing is worked out again here.
 */
import type { KsmStat } from "../../engine";
import { formatSignedBytes } from "../stats/format";

/** The file as proc_pid_ksm_stat() prints it (its last two lines say yes or no). */
export function ksmStatText(st: KsmStat): string {
  return [
    `ksm_rmap_items ${st.ksm_rmap_items}`,
    `ksm_zero_pages ${st.ksm_zero_pages}`,
    `ksm_merging_pages ${st.ksm_merging_pages}`,
    `ksm_process_profit ${st.ksm_process_profit}`,
    `ksm_merge_any: ${st.ksm_merge_any ? "yes" : "no"}`,
    `ksm_mergeable: ${st.ksm_mergeable ? "yes" : "no"}`,
  ].join("\n");
}

/** What the header shows at a glance: merging pages and the process's profit. */
export function ksmStatSummary(st: KsmStat): { merging: string; profit: string; loss: boolean } {
  return {
    merging: `${st.ksm_merging_pages} merging`,
    profit: formatSignedBytes(st.ksm_process_profit),
    loss: st.ksm_process_profit < 0,
  };
}
