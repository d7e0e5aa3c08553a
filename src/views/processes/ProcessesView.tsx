import {
  type CSSProperties,
  type KeyboardEvent,
  memo,
  type PointerEvent,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import type { KsmEvent, ProcessView, SlotView, Snapshot, VmaView } from "../../engine";
import { pageKey, resolveFocus } from "../../store/focus";
import { clearHover, setHover, toggleSelected, useViewState } from "../../store/linking";
import type { Focus } from "../../store/store";
import { PICTURE_SLOT } from "../../store/throttle";
import { type GridLayout, gridLayout, hexAddr, hitTest, moveCursor } from "../frames/frameModel";
import { ColorCache } from "../frames/raster";
import { useWidth } from "../frames/useWidth";
import { contentColor } from "../palette";
import { drawPageMarks, PAGE_COLOR, pageSignature, paintPages, RMAP_COLOR, sameSignature } from "./drawPages";
import {
  flashKeys,
  indicesInVma,
  nextScanPage,
  PAGE,
  type PageKind,
  type PageRef,
  pageKind,
  pageLabel,
  planVmas,
  RMAP_MARK,
  RMAP_NAME,
  type RmapWhere,
  rmapIndex,
  type Segment,
  segmentAt,
  vmaRange,
  vmaSegments,
  vmaStats,
} from "./pageModel";
import "./processes.css";

/** How long a COW flash lasts, in milliseconds (matches processes.css). */
export const FLASH_MS = 600;

const colors = new ColorCache();
const NO_KEYS: ReadonlySet<string> = new Set();
const NO_RMAP: ReadonlyMap<number, RmapWhere> = new Map();

/** Processes, connected to the store. */
export function ProcessesView() {
  return (
    <ProcessesPanel
      {...useViewState(PICTURE_SLOT.processes)}
      onHover={setHover}
      onUnhover={clearHover}
      onToggleSelect={toggleSelected}
    />
  );
}

export interface ProcessesPanelProps {
  snapshot: Snapshot | null;
  hover: Focus | null;
  selected: Focus | null;
  recent: readonly KsmEvent[];
  motion: boolean;
  onHover: (f: Focus) => void;
  onUnhover: (f: Focus) => void;
  onToggleSelect: (f: Focus) => void;
}

/** What page cells call back with. Stable across renders, so memoised cells skip re-rendering. */
interface PageActions {
  hover: (pid: number, addr: number) => void;
  unhover: (pid: number, addr: number) => void;
  toggle: (pid: number, addr: number) => void;
}

/** Page keys that flash for FLASH_MS after a COW fault, when motion is on. */
function useFlash(recent: readonly KsmEvent[], motion: boolean): ReadonlySet<string> {
  const [flash, setFlash] = useState<ReadonlySet<string>>(NO_KEYS);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!motion) {
      setFlash(NO_KEYS);
      return;
    }
    const keys = flashKeys(recent);
    if (keys.size === 0) return;
    setFlash(keys);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setFlash(NO_KEYS);
    }, FLASH_MS);
  }, [recent, motion]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return flash;
}

export function ProcessesPanel(props: ProcessesPanelProps) {
  const { snapshot, hover, selected, recent, motion, onHover, onUnhover, onToggleSelect } = props;
  const headingId = useId();
  const lit = useMemo(() => resolveFocus(snapshot, hover ?? selected).pages, [snapshot, hover, selected]);
  const rmap = useMemo(
    () => (snapshot ? rmapIndex(snapshot) : new Map<number, Map<number, RmapWhere>>()),
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
      <PagesLegend />
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
          lit={lit}
          selectedKey={selectedKey}
          next={next?.pid === p.pid ? next.addr : -1}
          flash={flash}
          plan={plan}
          actions={actions}
          motion={motion}
        />
      ))}
    </section>
  );
}

function CursorLine({ snapshot, next }: { snapshot: Snapshot; next: PageRef | null }) {
  const c = snapshot.cursor;
  const name = (pid: number) => snapshot.processes.find((p) => p.pid === pid)?.name ?? `pid ${pid}`;
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

export function PagesLegend() {
  const items: { kind: PageKind; wp?: boolean; label: string }[] = [
    { kind: "absent", label: "not present" },
    { kind: "anon", label: "anonymous, writable" },
    { kind: "anon", wp: true, label: "write-protected (hatched)" },
    { kind: "fork", wp: true, label: "shared by fork" },
    { kind: "ksm", wp: true, label: "KSM page" },
    { kind: "zero", wp: true, label: "zero page" },
  ];
  return (
    <ul className="pv-legend" aria-label="Page legend">
      {items.map((it) => (
        <li key={it.label}>
          <span
            className="pv-legend-cell"
            data-kind={it.kind}
            style={{ background: cellBackground(it.kind, !it.wp) }}
            aria-hidden="true"
          />
          {it.label}
        </li>
      ))}
      <li>centre: contents</li>
      <li>
        rmap_item:{" "}
        {(Object.keys(RMAP_MARK) as RmapWhere[]).map((w) => (
          <span key={w} className="pv-legend-rmap" title={RMAP_NAME[w]}>
            <b style={{ color: RMAP_COLOR[w] }}>{RMAP_MARK[w]}</b> {w}
          </span>
        ))}
      </li>
      <li>
        <span className="pv-cursor-mark" aria-hidden="true" /> ksmd&rsquo;s next page
      </li>
    </ul>
  );
}

/** A cell's CSS background: solid when writable, hatched when write-protected, blank when not present. */
export function cellBackground(kind: PageKind, writable: boolean): string {
  if (kind === "absent") return "#ffffff";
  const fill = PAGE_COLOR[kind];
  return writable ? fill : `repeating-linear-gradient(135deg, ${fill} 0 3px, #ffffff 3px 5px)`;
}

interface CardProps {
  process: ProcessView;
  slot: SlotView | null;
  snapshot: Snapshot;
  rmap: ReadonlyMap<number, RmapWhere>;
  lit: ReadonlySet<string>;
  selectedKey: string | null;
  /** Address of ksmd's next page if in this process, else -1. */
  next: number;
  flash: ReadonlySet<string>;
  plan: Map<string, "dom" | "canvas">;
  actions: PageActions;
  motion: boolean;
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
      {p.vmas.length === 0 ? <p className="pv-empty">No mappings.</p> : null}
      {p.vmas.map((v) => (
        <VmaBlock key={v.start} {...props} vma={v} />
      ))}
    </article>
  );
}

function VmaBlock(props: CardProps & { vma: VmaView }) {
  const { process: p, vma: v, snapshot } = props;
  const segments = useMemo(() => vmaSegments(p, v), [p, v]);
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

interface GridProps extends CardProps {
  vma: VmaView;
  segments: Segment[];
}

interface PageInfo {
  index: number;
  addr: number;
  key: string;
  pte: number;
  kind: PageKind;
  rmap: RmapWhere | undefined;
  label: string;
}

function pageInfo(props: GridProps, i: number): PageInfo {
  const { process: p, vma: v, snapshot } = props;
  const addr = v.start + i * PAGE;
  const pte = v.pte[i];
  const kind = pageKind(snapshot.frames, pte);
  const rmap = props.rmap.get(addr);
  const seg = segmentAt(props.segments, i);
  const label = pageLabel({
    name: p.name,
    region: seg.name,
    page: seg.base + i - seg.from,
    addr,
    pte,
    kind,
    rmap,
    cursor: addr === props.next,
  });
  return { index: i, addr, key: pageKey(p.pid, addr), pte, kind, rmap, label };
}

/**
 * One button per page: for VMAs small enough (see planVmas). Every update
 * re-renders the grid, so the loop hands each cell only numbers and shared
 * strings; a cell builds its label and colours only when those change.
 */
function PageGrid(props: GridProps) {
  const { process: p, vma: v, snapshot, segments } = props;
  const [active, setActive] = useState(0);
  const frames = snapshot.frames;
  const n = v.pte.length;
  const tabbable = Math.min(active, n - 1);
  const lit = new Set(indicesInVma(props.lit, p.pid, v));
  const flash = new Set(indicesInVma(props.flash, p.pid, v));
  const selected = props.selectedKey ? (indicesInVma([props.selectedKey], p.pid, v)[0] ?? -1) : -1;
  const next = props.next >= 0 ? (props.next - v.start) / PAGE : -1;
  const cells = [];
  let seg = 0;
  for (let i = 0; i < n; i++) {
    while (seg + 1 < segments.length && segments[seg + 1].from <= i) seg++;
    const s = segments[seg];
    const addr = v.start + i * PAGE;
    const pte = v.pte[i];
    const pfn = pte === 0 ? -1 : (pte >>> 1) - 1;
    cells.push(
      <PageCell
        key={addr}
        pid={p.pid}
        addr={addr}
        index={i}
        name={p.name}
        region={s.name}
        page={s.base + i - s.from}
        kind={pageKind(frames, pte)}
        pfn={pfn}
        writable={(pte & 1) === 1}
        contentId={pfn >= 0 && pfn < frames.count ? frames.contentId[pfn] : 0}
        rmap={props.rmap.get(addr) ?? null}
        lit={lit.has(i)}
        pressed={i === selected}
        cursor={i === next}
        flash={flash.has(i)}
        tabbable={i === tabbable}
        actions={props.actions}
        onFocusIndex={setActive}
      />,
    );
  }
  return (
    <fieldset className="pv-grid" aria-label={`Pages ${vmaRange(v)} of ${p.name}`}>
      {cells}
    </fieldset>
  );
}

interface CellProps {
  pid: number;
  addr: number;
  index: number;
  /** The process's name, the region's and the page's number in it: for the label. */
  name: string;
  region: string | null;
  page: number;
  kind: PageKind;
  pfn: number;
  writable: boolean;
  contentId: number;
  rmap: RmapWhere | null;
  lit: boolean;
  pressed: boolean;
  cursor: boolean;
  flash: boolean;
  tabbable: boolean;
  actions: PageActions;
  onFocusIndex: (i: number) => void;
}

const GRID_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

/** Columns of a CSS grid as laid out now. */
function gridColumns(el: HTMLElement | null): number {
  if (!el || typeof getComputedStyle !== "function") return 1;
  const cols = getComputedStyle(el)
    .gridTemplateColumns.split(" ")
    .filter((s) => s !== "").length;
  return Math.max(1, cols);
}

export const PageCell = memo(function PageCell(props: CellProps) {
  const { pid, addr, actions, kind } = props;
  const classes = ["pv-page"];
  if (props.lit) classes.push("pv-lit");
  if (props.cursor) classes.push("pv-cursor");
  if (props.flash) classes.push("pv-flash");
  const pte = props.pfn < 0 ? 0 : ((props.pfn + 1) << 1) | (props.writable ? 1 : 0);
  const label = pageLabel({
    name: props.name,
    region: props.region,
    page: props.page,
    addr,
    pte,
    kind,
    rmap: props.rmap ?? undefined,
    cursor: props.cursor,
  });
  // The fill is a custom property: processes.css hatches it for write-protected pages.
  const style = { "--pv-fill": kind === "absent" ? "#ffffff" : PAGE_COLOR[kind] } as CSSProperties;
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!GRID_KEYS.has(e.key)) return;
    const grid = e.currentTarget.parentElement;
    if (!grid) return;
    const buttons = grid.children;
    const next = moveCursor(props.index, e.key, { cols: gridColumns(grid), count: buttons.length });
    e.preventDefault();
    (buttons[next] as HTMLElement | undefined)?.focus();
  };
  return (
    <button
      type="button"
      className={classes.join(" ")}
      data-kind={kind}
      data-wp={kind !== "absent" && !props.writable ? "true" : undefined}
      style={style}
      aria-label={label}
      aria-pressed={props.pressed}
      tabIndex={props.tabbable ? 0 : -1}
      onPointerEnter={() => actions.hover(pid, addr)}
      onPointerLeave={() => actions.unhover(pid, addr)}
      onFocus={() => {
        props.onFocusIndex(props.index);
        actions.hover(pid, addr);
      }}
      onBlur={() => actions.unhover(pid, addr)}
      onClick={() => actions.toggle(pid, addr)}
      onKeyDown={onKeyDown}
    >
      {props.contentId !== 0 ? (
        <span className="pv-swatch" style={{ background: contentColor(props.contentId) }} />
      ) : null}
      {props.rmap ? (
        <span className="pv-rmap" data-rmap={props.rmap} style={{ color: RMAP_COLOR[props.rmap] }}>
          {RMAP_MARK[props.rmap]}
        </span>
      ) : null}
    </button>
  );
});

/** Pages of a large VMA on a canvas: bounded DOM whatever the size. */
function PageCanvas(props: GridProps & { frames: Snapshot["frames"]; summary: string }) {
  const { process: p, vma: v, frames, actions } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const imageRef = useRef<ImageData | null>(null);
  const { width, dpr } = useWidth(wrapRef, 560);
  const n = v.pte.length;
  const layout = useMemo(
    () => gridLayout(n, width, dpr, { maxPitch: 12, minPitch: 3, maxHeight: 180 }),
    [n, width, dpr],
  );
  const [keyboard, setKeyboard] = useState(-1);
  const [tip, setTip] = useState<{ index: number; x: number; y: number } | null>(null);
  const hovered = useRef(-1);
  const liveId = useId();
  const litIdx = useMemo(() => indicesInVma(props.lit, p.pid, v), [props.lit, p.pid, v]);
  const flashIdx = useMemo(() => indicesInVma(props.flash, p.pid, v), [props.flash, p.pid, v]);
  const cursorIdx = props.next >= 0 ? (props.next - v.start) / PAGE : -1;
  const rmap = props.rmap;

  // Repaint only when a page would look different or a mark moved; ksmd's batches mostly change neither.
  const painted = useRef<{
    canvas: HTMLCanvasElement;
    layout: GridLayout;
    sig: Uint32Array;
    marks: string;
  } | null>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx || layout.devWidth === 0 || layout.devHeight === 0) return;
    const rmapAt = (i: number) => rmap.get(v.start + i * PAGE);
    const sig = pageSignature(frames, v, rmapAt);
    const marks = JSON.stringify([litIdx, cursorIdx, keyboard, flashIdx]);
    const last = painted.current;
    if (
      last &&
      last.canvas === canvas &&
      last.layout === layout &&
      last.marks === marks &&
      sameSignature(last.sig, sig)
    )
      return;
    painted.current = { canvas, layout, sig, marks };
    let img = imageRef.current;
    if (!img || img.width !== layout.devWidth || img.height !== layout.devHeight) {
      img = ctx.createImageData(layout.devWidth, layout.devHeight);
      imageRef.current = img;
    }
    paintPages(new Int32Array(img.data.buffer), layout, frames, v, rmapAt, colors);
    ctx.putImageData(img, 0, 0);
    drawPageMarks(ctx, layout, { lit: litIdx, cursor: cursorIdx, keyboard, flash: flashIdx });
  }, [layout, frames, v, rmap, litIdx, cursorIdx, keyboard, flashIdx]);

  const hoverIndex = (i: number, at?: { x: number; y: number }) => {
    if (i === hovered.current) return;
    if (hovered.current >= 0) actions.unhover(p.pid, v.start + hovered.current * PAGE);
    hovered.current = i;
    if (i >= 0) actions.hover(p.pid, v.start + i * PAGE);
    setTip(i >= 0 && at ? { index: i, ...at } : null);
  };
  const indexAt = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return hitTest(layout, e.clientX - r.left, e.clientY - r.top);
  };
  const cellPoint = (i: number) => {
    const r = canvasRef.current?.getBoundingClientRect();
    if (!r) return undefined;
    const col = i % layout.cols;
    const row = Math.floor(i / layout.cols);
    return {
      x: r.left + ((col + 1) * layout.devPitch) / layout.dpr,
      y: r.top + (row * layout.devPitch) / layout.dpr,
    };
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (n === 0) return;
    const at = keyboard < 0 ? Math.max(0, cursorIdx) : keyboard;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      setKeyboard(at);
      actions.toggle(p.pid, v.start + at * PAGE);
      return;
    }
    if (!GRID_KEYS.has(e.key) && e.key !== "PageUp" && e.key !== "PageDown") return;
    e.preventDefault();
    const next = keyboard < 0 ? at : moveCursor(at, e.key, layout);
    setKeyboard(next);
    hoverIndex(next, cellPoint(next));
  };
  const tipInfo = tip && tip.index < n ? pageInfo(props, tip.index) : null;
  const kbdInfo = keyboard >= 0 && keyboard < n ? pageInfo(props, keyboard) : null;
  return (
    <div className="pv-canvas-wrap" ref={wrapRef}>
      {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: the canvas is one keyboard-driven widget; "application" hands it the arrow keys */}
      <canvas
        ref={canvasRef}
        className="pv-canvas"
        width={layout.devWidth}
        height={layout.devHeight}
        style={{ width: layout.width, height: layout.height }}
        tabIndex={0}
        role="application"
        aria-roledescription="page map"
        aria-label={`${props.summary} Arrow keys move between pages, Enter selects.`}
        aria-describedby={liveId}
        onPointerMove={(e) => {
          const i = indexAt(e);
          hoverIndex(i, i >= 0 ? cellPoint(i) : undefined);
        }}
        onPointerLeave={() => hoverIndex(-1)}
        onPointerDown={(e) => {
          const i = indexAt(e);
          if (e.button === 0 && i >= 0) actions.toggle(p.pid, v.start + i * PAGE);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (keyboard >= 0) hoverIndex(-1);
          setKeyboard(-1);
        }}
      />
      <p id={liveId} className="pv-sr-only" aria-live="polite">
        {kbdInfo ? kbdInfo.label : ""}
      </p>
      {tipInfo && tip ? (
        <div className="pv-tooltip" role="tooltip" style={{ left: tip.x + 6, top: tip.y }}>
          {tipInfo.label}
        </div>
      ) : null}
    </div>
  );
}
