/*
 * The stage's caption: one sentence for the step just taken, from the
 * engine's events (or, stepping by comparison, the comparison shown). Pure,
 * so it is tested in node.
 */
import { COUNTER_KEYS, type KsmEvent, type OutputLine } from "../engine";
import { comparisonsIn, type StepCompare } from "../store/stage";
import type { AppState } from "../store/store";
import { describeEvent, hex, pickText } from "../views/log/describe";

export type CaptionState = Pick<
  AppState,
  "stepEvents" | "stepLines" | "compare" | "stepNote" | "timeline" | "snapshot"
>;

const TREE_FN: Record<StepCompare["search"]["type"], string> = {
  "stable-search": "stable_tree_search",
  "unstable-search": "unstable_tree_search_insert",
  "stable-insert": "stable_tree_insert",
};

/** One comparison in words: which page against which node, and where the walk goes next. */
export function compareSentence(c: StepCompare, of: number, total: number): string {
  const { search, compare } = c;
  const page = search.type === "stable-insert" ? search.kpfn : search.pfn;
  const tree = search.type === "unstable-search" ? "unstable" : "stable";
  const where =
    compare.result < 0
      ? "memcmp < 0: go left"
      : compare.result > 0
        ? "memcmp > 0: go right"
        : "memcmp = 0: equal contents, the walk stops here";
  // 6.18: at the equal node, which of its dups the search takes (or that all are full).
  const pick =
    compare.result === 0 && search.type === "stable-search" && search.pick
      ? `; ${pickText(search.pick)}`
      : "";
  return `Comparison ${of + 1} of ${total} (${TREE_FN[search.type]}): page ${page} against ${tree} node ${compare.node} (page ${compare.pfn}) — ${where}${pick}.`;
}

/** A scenario's output line: a snapshot by its counters, or the step that failed. */
export function lineSentence(line: OutputLine): string {
  if ("label" in line)
    return `Snapshot “${line.label}”: ${COUNTER_KEYS.map((k) => `${k} ${line[k]}`).join(", ")}.`;
  return `Scenario step ${line.step + 1} (${line.op}) failed: ${line.errno}.`;
}

const OUTCOMES: KsmEvent["type"][] = [
  "merge-two",
  "merge-with-ksm",
  "stable-insert",
  "unstable-search",
  "stable-search",
  "checksum",
];

/** The sentence for one page's visit: where, then what came of it. */
function pageSentence(events: readonly KsmEvent[]): string {
  const skipped = new Set(events.flatMap((e) => (e.type === "smart-skip" ? [e.item] : [])));
  const visit = events.find((e) => e.type === "visit" && !skipped.has(e.item));
  let outcome: KsmEvent | undefined;
  for (const t of OUTCOMES) {
    outcome = events.findLast((e) => e.type === t && !(e.type === "merge-two" && !e.ok));
    if (outcome) break;
  }
  const where = visit?.type === "visit" ? `ksmd visits page ${hex(visit.addr)} of pid ${visit.pid}` : "";
  const what = outcome ? describeEvent(outcome).text : "nothing more to do for it on this pass";
  const chain = events.findLast((e) => e.type === "stable-chain");
  const chained = chain ? ` ${capitalise(describeEvent(chain).text)}.` : "";
  // A merge into a chain's dup: say which dup the search had picked (the merge names only its frame).
  const search = events.findLast((e) => e.type === "stable-search");
  const pick =
    search?.type === "stable-search" && search.pick && search.pick.dups > 0 && outcome !== search
      ? ` ${capitalise(pickText(search.pick))}.`
      : "";
  const end = events.some((e) => e.type === "scan-end") ? " The full scan ends." : "";
  return `${skippedBefore(events)}${[where, what].filter(Boolean).join(": ")}.${pick}${chained}${end}`;
}

/** Every page the step met was passed over (the rest of the scan, say). */
function onlySkipped(events: readonly KsmEvent[]): string {
  const end = events.some((e) => e.type === "scan-end") ? " The full scan ends." : "";
  return `${skippedBefore(events).trimEnd()}${end}`;
}

/** 6.18 smart scan: the pages passed over on the way to the one visited. */
function skippedBefore(events: readonly KsmEvent[]): string {
  const skips = events.filter((e) => e.type === "smart-skip");
  if (skips.length === 0) return "";
  if (skips.length > 1) return `Smart scan passed over ${skips.length} pages that keep failing to merge. `;
  return `${capitalise(describeEvent(skips[0]).text)}. `;
}

function count(events: readonly KsmEvent[], pred: (e: KsmEvent) => boolean): number {
  return events.reduce((n, e) => n + (pred(e) ? 1 : 0), 0);
}

/** Many pages at once (a batch, a full scan, a scenario's wait): what they added up to. */
function batchSentence(events: readonly KsmEvent[], visits: number): string {
  const merged = count(events, (e) => (e.type === "merge-two" || e.type === "merge-with-ksm") && e.ok);
  const inserted = count(events, (e) => e.type === "unstable-search" && e.outcome === "inserted");
  const scans = count(events, (e) => e.type === "scan-end");
  const skipped = count(events, (e) => e.type === "smart-skip");
  const dups = count(events, (e) => e.type === "stable-chain");
  const parts = [
    merged && `${merged} merge${merged === 1 ? "" : "s"}`,
    inserted && `${inserted} page${inserted === 1 ? "" : "s"} put in the unstable tree`,
    dups && `${dups} new dup${dups === 1 ? "" : "s"} in stable node chains`,
    skipped && `${skipped} page${skipped === 1 ? "" : "s"} passed over by smart scan`,
    scans && `${scans} full scan${scans === 1 ? "" : "s"} ended`,
  ].filter(Boolean);
  return `ksmd scanned ${visits} pages${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}

export const START_HINT =
  "Open Lessons (top left) or load a scenario, then step with → or press ▶ — each step is told here.";

/** The caption for the current state. */
export function caption(s: CaptionState): string {
  if (s.stepNote) return s.stepNote;
  const compares = comparisonsIn(s.stepEvents);
  if (s.compare !== null && compares[s.compare])
    return compareSentence(compares[s.compare], s.compare, compares.length);
  const events = s.stepEvents;
  const line = s.stepLines[s.stepLines.length - 1];
  if (line && events.length === 0) return lineSentence(line);
  // A page smart scan passes over was visited first (get_next_rmap_item), then skipped.
  const visits = count(events, (e) => e.type === "visit") - count(events, (e) => e.type === "smart-skip");
  if (visits === 1) return pageSentence(events);
  if (visits > 1) return batchSentence(events, visits);
  if (events.some((e) => e.type === "smart-skip")) return onlySkipped(events);
  const last = events.findLast((e) => e.type !== "ksmd-batch");
  if (last) return `${capitalise(describeEvent(last).text)}.`;
  if (line) return lineSentence(line);
  if (s.timeline.label) return `${capitalise(s.timeline.label)}.`;
  return START_HINT;
}

function capitalise(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}
