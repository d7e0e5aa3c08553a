import { useId, useMemo } from "react";
import { setMergeAny } from "../../controls/actions";
import type { PageRef, ProcessView, Snapshot, VmaView } from "../../engine";
import { pageKey, resolveFocus } from "../../store/focus";
import { FOCUS_ACTIONS, type FocusCallbacks, useViewState, type ViewState } from "../../store/linking";
import { areasOf, nextScanPage, processName } from "../../store/query";
import { PICTURE_SLOT } from "../../store/throttle";
import { hexAddr } from "../frames/frameModel";
import { KsmStatLine } from "./KsmStatLine";
import { PageCanvas } from "./PageCanvas";
import { PageGrid } from "./PageGrid";
import { PagesLegend } from "./PagesLegend";
import {
  planVmas,
  type RmapWhere,
  rmapIndex,
  type SmartAge,
  smartIndex,
  vmaRange,
  vmaStats,
} from "./pageModel";
import type { CardProps, PageActions } from "./pageProps";
import { useFlash } from "./useFlash";
import "./processes.css";

const NO_RMAP: ReadonlyMap<number, RmapWhere> = new Map();
const NO_SMART: ReadonlyMap<number, SmartAge> = new Map();

/** Processes, connected to the store. */
export function ProcessesView() {
  return (
    <ProcessesPanel {...useViewState(PICTURE_SLOT.processes)} {...FOCUS_ACTIONS} onMergeAny={setMergeAny} />
  );
}

export type ProcessesPanelProps = ViewState &
  FocusCallbacks & {
    /** 6.18: turn prctl(PR_SET_MEMORY_MERGE) on or off for a process. */
    onMergeAny?: (pid: number, on: boolean) => void;
  };

export function ProcessesPanel(props: ProcessesPanelProps) {
  const { snapshot, hover, selected, recent, motion, onHover, onUnhover, onToggleSelect, onMergeAny } = props;
  const headingId = useId();
  const lit = useMemo(() => resolveFocus(snapshot, hover ?? selected).pages, [snapshot, hover, selected]);
  const rmap = useMemo(
    () => (snapshot ? rmapIndex(snapshot) : new Map<number, Map<number, RmapWhere>>()),
    [snapshot],
  );
  const smart = useMemo(
    () => (snapshot ? smartIndex(snapshot) : new Map<number, Map<number, SmartAge>>()),
    [snapshot],
  );
  const next = useMemo(() => (snapshot ? nextScanPage(snapshot) : null), [snapshot]);
  const plan = useMemo(
    () => (snapshot ? planVmas(snapshot.processes) : new Map<string, "dom" | "canvas">()),
    [snapshot],
  );
  const flash = useFlash(recent, motion);
  const selectedKey = selected?.kind === "page" ? pageKey(selected.pid, selected.addr) : null;
  const actions = useMemo<PageActions>(
    () => ({
      hover: (pid, addr) => onHover({ kind: "page", pid, addr }),
      unhover: (pid, addr) => onUnhover({ kind: "page", pid, addr }),
      toggle: (pid, addr) => onToggleSelect({ kind: "page", pid, addr }),
    }),
    [onHover, onUnhover, onToggleSelect],
  );

  if (!snapshot) {
    return (
      <section className="pv-view" aria-labelledby={headingId}>
        <h2 id={headingId}>Processes</h2>
        <p className="pv-empty">No machine yet.</p>
      </section>
    );
  }
  const slots = new Map(snapshot.slots.map((s) => [s.pid, s]));
  return (
    <section className="pv-view" aria-labelledby={headingId}>
      <h2 id={headingId}>Processes</h2>
      <CursorLine snapshot={snapshot} next={next} />
      <PagesLegend
        ksmZero={
          snapshot.knobs618?.useZeroPages === true || snapshot.processes.some((p) => p.ksmZeroPages?.length)
        }
      />
      {snapshot.itemsOmitted ? (
        <p className="pv-note">
          Too many rmap_items to show each one&rsquo;s tree: the marks are left out until there are fewer.
        </p>
      ) : null}
      {snapshot.processes.length === 0 ? <p className="pv-empty">No processes.</p> : null}
      {snapshot.processes.map((p) => (
        <ProcessCard
          key={p.pid}
          process={p}
          slot={slots.get(p.pid) ?? null}
          snapshot={snapshot}
          rmap={rmap.get(p.pid) ?? NO_RMAP}
          smart={smart.get(p.pid) ?? NO_SMART}
          lit={lit}
          selectedKey={selectedKey}
          next={next?.pid === p.pid ? next.addr : -1}
          flash={flash}
          plan={plan}
          actions={actions}
          motion={motion}
          onMergeAny={onMergeAny}
        />
      ))}
    </section>
  );
}

function CursorLine({ snapshot, next }: { snapshot: Snapshot; next: PageRef | null }) {
  const c = snapshot.cursor;
  const name = (pid: number) => processName(snapshot, pid);
  return (
    <p className="pv-cursor-line">
      <span className="pv-cursor-mark" aria-hidden="true" />
      ksmd&rsquo;s cursor:{" "}
      {c.pid === null ? (
        "at the head of the list (the next page starts a new full scan)"
      ) : (
        <>
          {name(c.pid)} (pid {c.pid}) at <code>{hexAddr(c.address)}</code>
        </>
      )}
      {next ? (
        <>
          {"; "}next page to scan: {name(next.pid)} <code>{hexAddr(next.addr)}</code>
        </>
      ) : (
        "; nothing to scan"
      )}
    </p>
  );
}

function ProcessCard(props: CardProps) {
  const { process: p, slot } = props;
  const id = useId();
  return (
    <article className="pv-process" aria-labelledby={id}>
      <h3 id={id} className="pv-process-title">
        {p.name} <span className="pv-pid">pid {p.pid}</span>
      </h3>
      <p className="pv-process-meta">
        total_vm {p.totalVm} page{p.totalVm === 1 ? "" : "s"}
        {p.registered ? <span className="pv-badge pv-badge-ksm">registered with KSM</span> : null}
        {slot ? (
          <span className="pv-badge">
            {slot.itemCount} rmap_item{slot.itemCount === 1 ? "" : "s"}
          </span>
        ) : null}
        {slot?.exiting ? <span className="pv-badge pv-badge-exiting">exiting</span> : null}
      </p>
      {p.ksmStat ? (
        <KsmStatLine pid={p.pid} name={p.name} stat={p.ksmStat} onMergeAny={props.onMergeAny} />
      ) : null}
      {p.vmas.length === 0 ? <p className="pv-empty">No mappings.</p> : null}
      {p.vmas.map((v) => (
        <VmaBlock key={v.start} {...props} vma={v} />
      ))}
    </article>
  );
}

function VmaBlock(props: CardProps & { vma: VmaView }) {
  const { process: p, vma: v, snapshot } = props;
  const segments = areasOf(snapshot, p.pid, v.start);
  const names = [...new Set(segments.map((s) => s.name).filter((n): n is string => n !== null))];
  const pages = v.pte.length;
  const mode = props.plan.get(pageKey(p.pid, v.start)) ?? "canvas";
  const range = vmaRange(v);
  const next = props.next >= v.start && props.next < v.end ? props.next : -1;
  const common = { ...props, segments, next };
  return (
    <div className="pv-vma">
      <div className="pv-vma-head">
        <code className="pv-range">{range}</code>
        <span>
          {pages} page{pages === 1 ? "" : "s"}
        </span>
        {v.mergeable ? <span className="pv-badge pv-badge-ksm">VM_MERGEABLE</span> : null}
        {names.length > 0 ? <span className="pv-regions">{names.join(", ")}</span> : null}
      </div>
      {mode === "dom" ? (
        <PageGrid {...common} />
      ) : (
        <PageCanvas {...common} frames={snapshot.frames} summary={vmaSummary(p, v, snapshot)} />
      )}
    </div>
  );
}

function vmaSummary(p: ProcessView, v: VmaView, s: Snapshot): string {
  const st = vmaStats(s.frames, v);
  return (
    `${p.name}: ${v.pte.length} pages at ${vmaRange(v)}, ${st.present} present ` +
    `(${st.writable} writable), ${st.ksm} on KSM pages, ${st.fork} shared by fork, ${st.zero} on the zero page.`
  );
}
