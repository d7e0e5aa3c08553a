/*
 * What the processes view hands down to each VMA's pages, shared by the
 * page buttons (PageGrid) and the page canvas (PageCanvas).
 */
import type { AreaSegment, ProcessView, SlotView, Snapshot, VmaView } from "../../engine";
import { pageKey } from "../../store/focus";
import { areaAt } from "../../store/query";
import { PAGE, type PageKind, pageKind, pageLabel, type RmapWhere, type SmartAge } from "./pageModel";

/** What page cells call back with. Stable across renders, so memoised cells skip re-rendering. */
export interface PageActions {
  hover: (pid: number, addr: number) => void;
  unhover: (pid: number, addr: number) => void;
  toggle: (pid: number, addr: number) => void;
}

export interface CardProps {
  process: ProcessView;
  slot: SlotView | null;
  snapshot: Snapshot;
  rmap: ReadonlyMap<number, RmapWhere>;
  /** 6.18 smart scan: each rmap_item's age and skips by address (empty when smart_scan is off). */
  smart: ReadonlyMap<number, SmartAge>;
  lit: ReadonlySet<string>;
  selectedKey: string | null;
  /** Address of ksmd's next page if in this process, else -1. */
  next: number;
  flash: ReadonlySet<string>;
  plan: Map<string, "dom" | "canvas">;
  actions: PageActions;
  motion: boolean;
  /** 6.18: prctl(PR_SET_MEMORY_MERGE) for a process (absent: no toggle). */
  onMergeAny?: (pid: number, on: boolean) => void;
}

export interface GridProps extends CardProps {
  vma: VmaView;
  segments: readonly AreaSegment[];
}

export const GRID_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

export interface PageInfo {
  index: number;
  addr: number;
  key: string;
  pte: number;
  kind: PageKind;
  rmap: RmapWhere | undefined;
  label: string;
}

export function pageInfo(props: GridProps, i: number): PageInfo {
  const { process: p, vma: v, snapshot } = props;
  const addr = v.start + i * PAGE;
  const pte = v.pte[i];
  const kind = pageKind(snapshot.frames, pte);
  const rmap = props.rmap.get(addr);
  const seg = areaAt(props.segments, i);
  const label = pageLabel({
    name: p.name,
    region: seg.name,
    page: seg.base + i - seg.from,
    addr,
    pte,
    kind,
    rmap,
    smart: props.smart.get(addr),
    ksmZero: p.ksmZeroPages?.includes(addr) ?? false,
    cursor: addr === props.next,
  });
  return { index: i, addr, key: pageKey(p.pid, addr), pte, kind, rmap, label };
}
