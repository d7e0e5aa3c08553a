import type { KsmStat } from "../../engine";
import { ksmStatSummary, ksmStatText } from "./ksmStat";

/**
 * 6.18: the process's ksm_stat at a glance (merging pages, profit), the
 * whole file when opened (or on hover), and prctl(PR_SET_MEMORY_MERGE) as a
 * toggle whose pressed state is the file's ksm_merge_any.
 */
export function KsmStatLine(props: {
  pid: number;
  name: string;
  stat: KsmStat;
  onMergeAny?: (pid: number, on: boolean) => void;
}) {
  const { pid, name, stat, onMergeAny } = props;
  const of = `${name} (pid ${pid})`;
  const text = ksmStatText(stat);
  const sum = ksmStatSummary(stat);
  const on = stat.ksm_merge_any === 1;
  return (
    <div className="pv-ksm-stat">
      <details>
        <summary title={`/proc/${pid}/ksm_stat\n${text}`}>
          <code>ksm_stat</code> {sum.merging} · profit{" "}
          <span className={sum.loss ? "pv-loss" : undefined}>{sum.profit}</span>
        </summary>
        <pre>{`$ cat /proc/${pid}/ksm_stat\n${text}`}</pre>
      </details>
      {onMergeAny ? (
        <button
          type="button"
          className="pv-merge-any"
          aria-pressed={on}
          aria-label={`merge any (prctl) for ${of}`}
          title={`prctl(PR_SET_MEMORY_MERGE, ${on ? 0 : 1}): ${
            on
              ? "stop merging this process's memory (unmerges it)"
              : "KSM for all of this process's memory, now and later"
          }`}
          onClick={() => onMergeAny(pid, !on)}
        >
          merge any (prctl)
        </button>
      ) : null}
    </div>
  );
}
