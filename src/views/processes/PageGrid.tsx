import {
  type CSSProperties,
  type FocusEvent,
  type KeyboardEvent,
  memo,
  type PointerEvent,
  useMemo,
  useRef,
  useState,
} from "react";
import { pteFrame, pteWritable } from "../../store/query";
import { useStore } from "../../store/store";
import { moveCursor } from "../frames/frameModel";
import { type PagesAnchor, useAnchor } from "../mapping/anchors";
import { contentColor } from "../palette";
import { useBigScreen } from "../useBigScreen";
import { PAGE_COLOR, RMAP_COLOR } from "./drawPages";
import {
  type ButtonGeometry,
  buttonGrid,
  indicesInVma,
  PAGE,
  PAGE_BUTTON,
  type PageKind,
  pageKind,
  pageLabel,
  RMAP_MARK,
  type RmapWhere,
  vmaRange,
} from "./pageModel";
import { GRID_KEYS, type GridProps, type PageActions, pageInfo } from "./pageProps";

/** Room a tooltip needs to the right of its page before it flips to the left (max-width in processes.css). */
const TIP_ROOM = 330;

/**
 * Presenter mode's page buttons: large enough for their rmap_item letters to
 * be drawn at 19 px (app.css), read from the back of a lecture hall.
 */
export const PRESENTER_BUTTON: ButtonGeometry = { cell: 40, gap: 5, top: 12 };
/** A big screen's page buttons (useBigScreen): larger tiles and letters, where there is room for them. */
const LARGE_BUTTON: ButtonGeometry = { cell: 30, gap: 4, top: 9 };

/** The grid's geometry, set here so that buttonGrid() and the browser's layout agree. */
function gridStyle(g: ButtonGeometry): CSSProperties {
  return {
    gridTemplateColumns: `repeat(auto-fill, ${g.cell}px)`,
    gridAutoRows: g.cell,
    gap: g.gap,
    paddingTop: g.top,
  };
}
const GRID_STYLE = gridStyle(PAGE_BUTTON);
const PRESENTER_STYLE = gridStyle(PRESENTER_BUTTON);
const LARGE_STYLE = gridStyle(LARGE_BUTTON);

/**
 * One button per page: for VMAs small enough (see planVmas). Every update
 * re-renders the grid, so the loop hands each cell only numbers and shared
 * strings; a cell builds its label and colours only when those change.
 */
export function PageGrid(props: GridProps) {
  const { process: p, vma: v, snapshot, segments } = props;
  const [active, setActive] = useState(0);
  const [tip, setTip] = useState<{ index: number; x: number; y: number } | null>(null);
  const ref = useRef<HTMLFieldSetElement>(null);
  const presenter = useStore((s) => s.presenter);
  const large = useBigScreen() && !presenter;
  const [geometry, gridStyle] = presenter
    ? [PRESENTER_BUTTON, PRESENTER_STYLE]
    : large
      ? [LARGE_BUTTON, LARGE_STYLE]
      : [PAGE_BUTTON, GRID_STYLE];
  const anchor = useMemo<PagesAnchor>(
    () => ({
      pid: p.pid,
      start: v.start,
      end: v.end,
      grid: (size) => buttonGrid(size.width, geometry),
    }),
    [p.pid, v.start, v.end, geometry],
  );
  useAnchor("pages", `${p.pid}:${v.start}`, ref, anchor);
  const frames = snapshot.frames;
  const n = v.pte.length;
  const tabbable = Math.min(active, n - 1);
  const lit = new Set(indicesInVma(props.lit, p.pid, v));
  const flash = new Set(indicesInVma(props.flash, p.pid, v));
  const selected = props.selectedKey ? (indicesInVma([props.selectedKey], p.pid, v)[0] ?? -1) : -1;
  const next = props.next >= 0 ? (props.next - v.start) / PAGE : -1;
  const ksmZero = p.ksmZeroPages?.length ? new Set(p.ksmZeroPages) : null;
  const cells = [];
  let seg = 0;
  for (let i = 0; i < n; i++) {
    while (seg + 1 < segments.length && segments[seg + 1].from <= i) seg++;
    const s = segments[seg];
    const addr = v.start + i * PAGE;
    const pte = v.pte[i];
    const pfn = pteFrame(pte);
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
        pte={pte}
        contentId={pfn >= 0 && pfn < frames.count ? frames.contentId[pfn] : 0}
        rmap={props.rmap.get(addr) ?? null}
        age={props.smart.get(addr)?.age ?? -1}
        skips={props.smart.get(addr)?.skips ?? 0}
        ksmZero={ksmZero?.has(addr) ?? false}
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
  // One tooltip for the grid (as the page canvas has): the page's whole sentence, smart scan included.
  const showTip = (e: PointerEvent<HTMLElement> | FocusEvent<HTMLElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!cell) return;
    const r = cell.getBoundingClientRect();
    const vw = typeof window === "undefined" ? Number.POSITIVE_INFINITY : window.innerWidth;
    const x = r.right + TIP_ROOM > vw ? Math.max(0, r.left - TIP_ROOM) : r.right + 6;
    setTip({ index: Number(cell.dataset.index), x, y: r.top });
  };
  const tipLabel = tip && tip.index < n ? pageInfo(props, tip.index).label : null;
  return (
    <>
      <fieldset
        ref={ref}
        className={large ? "pv-grid pv-grid-large" : "pv-grid"}
        style={gridStyle}
        data-cell={geometry.cell}
        aria-label={`Pages ${vmaRange(v)} of ${p.name}`}
        onPointerOver={showTip}
        onPointerLeave={() => setTip(null)}
        onFocus={showTip}
        onBlur={() => setTip(null)}
      >
        {cells}
      </fieldset>
      {tipLabel && tip ? (
        <div className="pv-tooltip" role="tooltip" style={{ left: tip.x, top: tip.y }}>
          {tipLabel}
        </div>
      ) : null}
    </>
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
  pte: number;
  contentId: number;
  rmap: RmapWhere | null;
  /** 6.18 smart scan: the rmap_item's age (absent or -1: none shown) and remaining skips. */
  age?: number;
  skips?: number;
  /** 6.18 use_zero_pages: KSM merged the page with the zero page. */
  ksmZero?: boolean;
  lit: boolean;
  pressed: boolean;
  cursor: boolean;
  flash: boolean;
  tabbable: boolean;
  actions: PageActions;
  onFocusIndex: (i: number) => void;
}

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
  const label = pageLabel({
    name: props.name,
    region: props.region,
    page: props.page,
    addr,
    pte: props.pte,
    kind,
    rmap: props.rmap ?? undefined,
    smart: props.age !== undefined && props.age >= 0 ? { age: props.age, skips: props.skips ?? 0 } : null,
    ksmZero: props.ksmZero,
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
      data-index={props.index}
      data-wp={kind !== "absent" && !pteWritable(props.pte) ? "true" : undefined}
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
