import { useEffect, useId, useMemo, useRef, useState } from "react";
import { setHover } from "../../store/linking";
import { type Focus, flatOut, type LoggedEvent, useStore } from "../../store/store";
import { FLAT_OUT_REDRAW_MS, PICTURE_SLOT, useStaggered, useThrottled } from "../../store/throttle";
import {
  describeEvent,
  focusOf,
  isSignificant,
  LOG_FILTERS,
  type LogFilter,
  matchesFilter,
} from "./describe";
import "./log.css";

/** Rows kept in the DOM at most. */
export const MAX_ROWS = 300;
/**
 * Rows listed while ksmd plays: older ones would scroll out of reach before
 * anyone read them, and 300 fresh rows four times a second cost frames.
 * Pausing the log or ksmd lists MAX_ROWS again.
 */
export const LIVE_ROWS = 40;
/** A screen reader hears at most one event per this many ms (the newest wins). */
export const ANNOUNCE_INTERVAL_MS = 1500;

const LOG_REFRESH_MS = 250;

/** The store's event log, newest first, with filters, pause and a polite live region. */
export function EventLog() {
  // Hundreds of events can arrive per frame: list them at most every 250 ms (500 ms flat out).
  const log = useThrottled(
    useStaggered((s) => s.log, PICTURE_SLOT.log),
    useStore(flatOut) ? FLAT_OUT_REDRAW_MS : LOG_REFRESH_MS,
  );
  const eventsSeen = useStaggered((s) => s.eventsSeen, PICTURE_SLOT.log);
  const live = useStore((s) => s.playing);
  return <EventLogPanel log={log} eventsSeen={eventsSeen} live={live} onHover={setHover} />;
}

export interface EventLogPanelProps {
  log: readonly LoggedEvent[];
  /** Events numbered so far (the newest seq), to count what a pause holds back. */
  eventsSeen: number;
  /** ksmd is playing: list only LIVE_ROWS rows unless the log is paused. */
  live?: boolean;
  onHover?: (focus: Focus | null) => void;
  initialFilter?: LogFilter;
  initialPaused?: boolean;
}

const FILTER_LABEL: Record<LogFilter, string> = {
  all: "all",
  scan: "scan",
  merges: "merges",
  faults: "faults",
  tree: "tree",
};

/** The view without the store, for tests and server rendering. */
export function EventLogPanel({
  log,
  eventsSeen,
  live = false,
  onHover,
  initialFilter = "all",
  initialPaused = false,
}: EventLogPanelProps) {
  const headingId = useId();
  const [filter, setFilter] = useState<LogFilter>(initialFilter);
  // While paused, the log as it was when the user paused.
  const [frozen, setFrozen] = useState<readonly LoggedEvent[] | null>(initialPaused ? log : null);
  const shown = frozen ?? log;
  // eventsSeen changes with every update, the list only with the (throttled) log: build it only then.
  const max = live && !frozen ? LIVE_ROWS : MAX_ROWS;
  const rows = useMemo(() => visibleRows(shown, filter, max), [shown, filter, max]);
  const list = useMemo(
    () => (rows.length > 0 ? <LogRows rows={rows} onHover={onHover} /> : null),
    [rows, onHover],
  );
  const held = frozen ? eventsSeen - (frozen[frozen.length - 1]?.seq ?? 0) : 0;
  const announcement = useAnnouncement(useMemo(() => newestSignificant(shown, filter), [shown, filter]));

  return (
    <section className="ksm-log" aria-labelledby={headingId}>
      <h2 id={headingId}>Event log</h2>
      <div className="ksm-log-controls">
        <fieldset className="ksm-log-filter">
          <legend className="sr-only">Show events</legend>
          {LOG_FILTERS.map((f) => (
            <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
              {FILTER_LABEL[f]}
            </button>
          ))}
        </fieldset>
        <button
          type="button"
          aria-pressed={frozen !== null}
          onClick={() => setFrozen(frozen ? null : log)}
          title="Stop the list moving while you read it; the engine keeps running"
        >
          pause log
        </button>
      </div>
      {frozen && (
        <p className="ksm-log-held">
          {`Paused: ${held === 1 ? "1 newer event" : `${held} newer events`} not shown.`}
        </p>
      )}
      <p className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
      {list ?? (
        <p className="ksm-log-empty">{log.length === 0 ? "No events yet." : "No events of this kind."}</p>
      )}
    </section>
  );
}

function LogRows({ rows, onHover }: { rows: LoggedEvent[]; onHover?: (focus: Focus | null) => void }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling list must be reachable by keyboard to scroll it (WCAG 2.1.1)
    <ol className="ksm-log-list" aria-label="Events, newest first" tabIndex={0}>
      {rows.map(({ seq, event }) => {
        const d = describeEvent(event);
        const focus = onHover ? focusOf(event) : null;
        return (
          <li
            key={seq}
            data-type={event.type}
            onMouseEnter={focus ? () => onHover?.(focus) : undefined}
            onMouseLeave={focus ? () => onHover?.(null) : undefined}
          >
            <span className="ksm-log-seq">{seq}</span> <span className="ksm-log-text">{d.text}</span>{" "}
            <span className="ksm-log-fn">
              — <code>{d.fn}</code>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** The newest `max` events that pass the filter, newest first. */
export function visibleRows(log: readonly LoggedEvent[], filter: LogFilter, max: number): LoggedEvent[] {
  const out: LoggedEvent[] = [];
  for (let i = log.length - 1; i >= 0 && out.length < max; i--)
    if (matchesFilter(log[i].event, filter)) out.push(log[i]);
  return out;
}

/** The newest significant event that passes the filter, as text to announce ("" if none). */
export function newestSignificant(log: readonly LoggedEvent[], filter: LogFilter): string {
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i].event;
    if (isSignificant(e) && matchesFilter(e, filter)) {
      const d = describeEvent(e);
      return `${d.text} — ${d.fn}`;
    }
  }
  return "";
}

/**
 * The text for the live region: it starts with what is there (which screen
 * readers do not read out) and then follows `text`, at most once per
 * ANNOUNCE_INTERVAL_MS, so a fast simulation does not drown the listener.
 */
function useAnnouncement(text: string): string {
  const [said, setSaid] = useState(text);
  const lastAt = useRef(0);
  useEffect(() => {
    if (text === said) return;
    const wait = lastAt.current + ANNOUNCE_INTERVAL_MS - Date.now();
    const say = () => {
      lastAt.current = Date.now();
      setSaid(text);
    };
    if (wait <= 0) {
      say();
      return;
    }
    const t = setTimeout(say, wait);
    return () => clearTimeout(t);
  }, [text, said]);
  return said;
}
