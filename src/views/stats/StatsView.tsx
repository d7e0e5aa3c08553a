import { useEffect, useId, useRef, useState } from "react";
import { PAGE_SIZE, type ProfileName, type Snapshot, SYSFS_DIR } from "../../engine";
import { animating, type ScanPoint, useStore } from "../../store/store";
import { CounterChart } from "./CounterChart";
import {
  changedNames,
  emptyEntries,
  LAG_NOTE,
  memorySaved,
  modeString,
  profitLine,
  ratioLines,
  type SysfsEntry,
  sysfsEntries,
} from "./format";
import "./stats.css";

/** /sys/kernel/mm/ksm, memory saved, the documented ratios and the counters chart, from the store. */
export function StatsView() {
  const snapshot = useStore((s) => s.snapshot);
  const profile = useStore((s) => s.profile);
  const history = useStore((s) => s.history);
  const motion = useStore(animating);
  return <StatsPanel snapshot={snapshot} profile={profile} history={history} motion={motion} />;
}

export interface StatsPanelProps {
  snapshot: Snapshot | null;
  profile: ProfileName;
  history: readonly ScanPoint[];
  motion: boolean;
}

/** The view without the store, for tests and server rendering. */
export function StatsPanel({ snapshot, profile, history, motion }: StatsPanelProps) {
  const headingId = useId();
  const entries = snapshot ? sysfsEntries(snapshot) : emptyEntries(profile);
  const flashing = useFlash(entries, motion);
  const c = snapshot?.counters;
  const saved = memorySaved(c?.pages_sharing ?? 0);
  const profit = snapshot ? profitLine(snapshot) : null;

  return (
    <section className="ksm-stats" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <code>{SYSFS_DIR}</code>
      </h2>
      {/* The counters first, with what they add up to; the knobs after (the drawer writes them). */}
      <SysfsTable what="counters" entries={entries.filter((e) => !e.writable)} flashing={flashing} />
      {!snapshot && <p className="ksm-note">No update from the engine yet.</p>}

      <dl className="ksm-derived">
        <div>
          <dt>memory saved</dt>
          <dd>
            <strong>{saved.text}</strong>{" "}
            <span className="ksm-note">
              {`= pages_sharing ${c?.pages_sharing ?? 0} × ${PAGE_SIZE / 1024} KiB`}
            </span>
          </dd>
        </div>
        {profit && (
          <div data-derived="general_profit">
            <dt>
              <code>general_profit</code>
            </dt>
            <dd>
              <strong className={profit.negative ? "ksm-loss" : "ksm-gain"}>{profit.text}</strong>{" "}
              <span className="ksm-note">{`= ${profit.formula}`}</span>
              {profit.negative ? (
                <span className="ksm-loss-why">KSM costs more than it saves: rmap_items outweigh merges</span>
              ) : null}
            </dd>
          </div>
        )}
        {c &&
          ratioLines(c).map((r) => (
            <div key={r.id} data-ratio={r.id}>
              <dt>
                <code>{r.label}</code>
              </dt>
              <dd title={r.meaning}>
                <strong>{r.value}</strong> <span className="ksm-note">{`— ${r.meaning}`}</span>
              </dd>
            </div>
          ))}
      </dl>

      <SysfsTable what="knobs" entries={knobsFirstUsed(entries)} flashing={flashing} />

      <h3 className="ksm-chart-heading">Counters per full scan</h3>
      <CounterChart history={history} motion={motion} />
      <p className="ksm-note ksm-lag">{LAG_NOTE}</p>
    </section>
  );
}

/**
 * The knobs in the order a lesson turns them: run, then the scan rate, then
 * the rest; the advisor's last, as they tune the scan rate themselves.
 * Within each, `ls` order.
 */
function knobsFirstUsed(entries: SysfsEntry[]): SysfsEntry[] {
  const rank = (name: string) =>
    name === "run"
      ? 0
      : name === "pages_to_scan" || name === "sleep_millisecs"
        ? 1
        : name.startsWith("advisor_")
          ? 3
          : 2;
  return entries.filter((e) => e.writable).sort((a, b) => rank(a.name) - rank(b.name));
}

/** One table of the files: the counters (read-only) or the knobs (root may write them). */
function SysfsTable({
  what,
  entries,
  flashing,
}: {
  what: "counters" | "knobs";
  entries: SysfsEntry[];
  flashing: Record<string, number>;
}) {
  return (
    <table className={`ksm-sysfs ksm-sysfs-${what}`} aria-label={`Files in ${SYSFS_DIR}: ${what}`}>
      <thead className="sr-only">
        <tr>
          <th scope="col">mode</th>
          <th scope="col">file</th>
          <th scope="col">value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <SysfsRow key={e.name} entry={e} flash={flashing[e.name] ?? 0} />
        ))}
      </tbody>
    </table>
  );
}

function SysfsRow({ entry, flash }: { entry: SysfsEntry; flash: number }) {
  const mode = modeString(entry.writable);
  return (
    <tr className={entry.writable ? "ksm-knob" : "ksm-counter"}>
      <td>
        <abbr
          className="ksm-mode"
          title={entry.writable ? `${mode}: a knob, root may write it` : `${mode}: a counter, read-only`}
        >
          {entry.writable ? "rw" : "ro"}
        </abbr>
      </td>
      <th scope="row">
        <code>{breakable(entry.name)}</code>
      </th>
      {/* A new key restarts the flash animation when the value changes again. */}
      <td
        key={flash}
        className={flash ? "ksm-value ksm-flash" : "ksm-value"}
        data-negative={entry.value.startsWith("-") ? "true" : undefined}
      >
        <code>{entry.value}</code>
      </td>
    </tr>
  );
}

/** A long file name may wrap after its underscores (a narrow stats column keeps its values in sight). */
function breakable(name: string) {
  const parts = name.split("_");
  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one name, fixed in order.
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}_`, <wbr key={i} />] : [part]));
}

/**
 * Per file, how many times its value has changed since mount (0: never, or
 * motion is off). The value cell is keyed by it, so each change remounts the
 * cell and replays the one-shot flash; a cell that stops changing keeps its
 * key, so its flash is never cut short by later updates.
 */
function useFlash(entries: SysfsEntry[], motion: boolean): Record<string, number> {
  const [gens, setGens] = useState<Record<string, number>>({});
  const prev = useRef<SysfsEntry[] | null>(null);
  const signature = entries.map((e) => `${e.name}=${e.value}`).join(" ");
  // biome-ignore lint/correctness/useExhaustiveDependencies: `signature` stands for `entries`' contents.
  useEffect(() => {
    const before = prev.current;
    prev.current = entries;
    if (!motion) {
      setGens((g) => (Object.keys(g).length ? {} : g));
      return;
    }
    const names = before ? changedNames(before, entries) : [];
    if (names.length === 0) return;
    setGens((g) => {
      const next = { ...g };
      for (const n of names) next[n] = (next[n] ?? 0) + 1;
      return next;
    });
  }, [signature, motion]);
  return gens;
}
