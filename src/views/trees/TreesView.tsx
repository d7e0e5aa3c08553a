import { type CSSProperties, memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TreeView } from "../../engine";
import { resolveFocus } from "../../store/focus";
import { setHover, toggleSelected, useViewState } from "../../store/linking";
import { flatOut, useStore } from "../../store/store";
import { FLAT_OUT_REDRAW_MS, PICTURE_SLOT, useThrottled } from "../../store/throttle";
import { type TreeAnchor, useAnchor } from "../mapping/anchors";
import { useRenderer } from "../useRenderer";
import { type TreeActivity, treeActivity } from "./activity";
import { ChainLegend } from "./ChainLegend";
import {
  createTreeRenderer,
  type DrawHandlers,
  minWidth,
  PRESENTER_MIN_SCALE,
  type TreeRenderInput,
  viewBox,
} from "./draw";
import { dupPoints, nodePoints } from "./geometry";
import type { TreeName } from "./model";
import { buildModel, modelKey, statsLine } from "./panelModel";
import "./trees.css";
import { useBox } from "../useBox";

export { statsLine };

export const TREE_TEXT: Record<TreeName, { title: string; caption: string }> = {
  stable: {
    title: "Stable tree",
    caption: "KSM pages, ordered by content; write-protected, so always in order",
  },
  unstable: {
    title: "Unstable tree",
    caption: "candidates seen unchanged for a scan; emptied at every scan start, possibly out of order",
  },
};

const NO_TREE: TreeView = { root: null, nodes: [] };
const NO_IDS: ReadonlySet<number> = new Set();
const EMPTIED_NOTE_MS = 2000;
const TREE_REDRAW_MS = 200;

/** The stable and the unstable red-black trees, side by side. */
export function TreesView() {
  const { hover, selected, motion, ...now } = useViewState(PICTURE_SLOT.trees);
  const latest = useMemo(() => ({ snapshot: now.snapshot, recent: now.recent }), [now.snapshot, now.recent]);
  // Redraw the trees at most every 200 ms: nobody can follow faster.
  const fast = useStore(flatOut);
  const { snapshot, recent } = useThrottled(latest, fast ? FLAT_OUT_REDRAW_MS : TREE_REDRAW_MS);
  const activity = useMemo(() => treeActivity(recent), [recent]);
  const focus = hover ?? selected;
  const lit = useMemo(() => {
    const keys = resolveFocus(snapshot, focus).nodes;
    const out: Record<TreeName, Set<number>> = { stable: new Set(), unstable: new Set() };
    for (const key of keys) {
      const [tree, id] = key.split(":");
      if (tree === "stable" || tree === "unstable") out[tree].add(Number(id));
    }
    return out;
  }, [snapshot, focus]);
  const contentId = snapshot?.frames.contentId ?? null;
  return (
    <section className="trees-view" aria-label="KSM's red-black trees">
      {(["stable", "unstable"] as const).map((tree) => (
        <TreePanel
          key={tree}
          tree={tree}
          view={(tree === "stable" ? snapshot?.stableTree : snapshot?.unstableTree) ?? NO_TREE}
          contentId={contentId}
          activity={activity}
          motion={motion}
          lit={lit[tree]}
          selected={selected?.kind === "node" && selected.tree === tree ? selected.id : null}
        />
      ))}
    </section>
  );
}

interface PanelProps {
  tree: TreeName;
  view: TreeView;
  contentId: ArrayLike<number> | null;
  activity: TreeActivity;
  motion: boolean;
  lit: ReadonlySet<number>;
  selected: number | null;
}

/** The previous value while `key` stays the same. */
function useSame<T>(value: T, key: string): T {
  const ref = useRef<{ key: string; value: T } | null>(null);
  if (!ref.current || ref.current.key !== key) ref.current = { key, value };
  return ref.current.value;
}

export const TreePanel = memo(function TreePanel({
  tree,
  view,
  contentId,
  activity,
  motion,
  lit,
  selected,
}: PanelProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(NO_IDS);
  const presenter = useStore((s) => s.presenter);
  const canvasRef = useRef<HTMLDivElement>(null);
  const box = useBox(canvasRef);
  const { width } = box;
  const fitTo = presenter && width > 0 ? box : null;
  const built = useMemo(
    () => buildModel(tree, view, contentId, expanded, fitTo),
    [tree, view, contentId, expanded, fitTo],
  );
  const model = useSame(
    built,
    useMemo(() => modelKey(built), [built]),
  );

  const svgRef = useRef<SVGSVGElement>(null);
  const anchor = useMemo<TreeAnchor>(
    () => ({
      points: (size) => {
        const vb = viewBox(tree, model.layout);
        const at = nodePoints(model.layout, vb, size);
        const dups = dupPoints(model.layout, vb, size);
        return (id, dup) => (dup === undefined ? undefined : dups.get(`${id}:${dup}`)) ?? at.get(id) ?? null;
      },
    }),
    [tree, model],
  );
  useAnchor("trees", tree, svgRef, anchor, canvasRef);
  // `follow`: the view keeps the root in the middle until the person scrolls the tree themselves
  // (a wheel, a drag of the scrollbar, a key, a touch: whatever scrolls the box starts with one).
  const scrolled = useRef({ root: null as string | null, overflowed: false, follow: true });
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const stop = () => {
      scrolled.current.follow = false;
    };
    const starts = ["wheel", "pointerdown", "keydown", "touchstart"] as const;
    for (const kind of starts) canvas.addEventListener(kind, stop, { passive: true });
    return () => {
      for (const kind of starts) canvas.removeEventListener(kind, stop);
    };
  }, []);
  const handlers = useMemo<DrawHandlers>(
    () => ({
      hover: (id) => setHover(id === null ? null : { kind: "node", tree, id }),
      select: (id) => toggleSelected({ kind: "node", tree, id }),
      expand: (root) => setExpanded((s) => new Set(s).add(root)),
    }),
    [tree],
  );

  const emptied = tree === "unstable" && activity.scanStart !== null;
  // With motion on, the "emptied" note stays a moment even if the next update comes at once.
  const [lingering, setLingering] = useState<TreeActivity["scanStart"]>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!emptied || !motion) return;
    setLingering(activity.scanStart);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setLingering(null), EMPTIED_NOTE_MS);
  }, [emptied, motion, activity]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const emptiedNote = emptied ? activity.scanStart : motion ? lingering : null;
  const search = activity.search[tree];
  const draw = useMemo<TreeRenderInput["draw"]>(
    () => ({
      tree,
      layout: model.layout,
      looks: model.looks,
      search,
      emptied,
      promoted: activity.promoted,
      motion,
      presenter,
    }),
    [tree, model, search, emptied, activity, motion, presenter],
  );
  const input = useMemo<TreeRenderInput>(
    () => ({ draw, activity, lit, selected, handlers }),
    [draw, activity, lit, selected, handlers],
  );
  useRenderer(svgRef, createTreeRenderer, input);
  // A tree wider than its panel scrolls: the root stays in the middle as the tree grows on
  // either side (a merge wave adds hundreds of nodes under the same root), until the person
  // scrolls the tree; a new root, or a tree that newly overflows, is brought back to the middle.
  // Worked out from the viewBox and the observed width, not read back from the page.
  useEffect(() => {
    const canvas = canvasRef.current;
    const vb = viewBox(tree, model.layout);
    const drawn = minWidth(vb, presenter);
    const rootKey = model.layout.nodes.find((n) => n.parent === null)?.key ?? null;
    const overflows = width > 0 && drawn > width + 1;
    const s = scrolled.current;
    const follow = s.follow || rootKey !== s.root || !s.overflowed;
    if (canvas && overflows && follow) canvas.scrollLeft = (-vb.x / vb.w) * drawn - width / 2;
    scrolled.current = { root: rootKey, overflowed: overflows, follow };
  }, [tree, model, width, presenter]);

  const collapseAll = useCallback(() => setExpanded(NO_IDS), []);
  const text = TREE_TEXT[tree];
  const headingId = `trees-${tree}-title`;
  const changes = activity.changes[tree];
  // The two trees share the box's height (trees.css). Presenter mode: each box starts at its tree
  // folded to the root's level, at 18 px, and grows by how much more the tree unfolded needs;
  // else each starts at its tree's height at 1:1 and grows by that height.
  const canvasStyle: CSSProperties & Record<"--tree-h", number> = presenter
    ? {
        flexBasis: `${Math.round(model.least * PRESENTER_MIN_SCALE)}px`,
        minHeight: `${Math.round(model.least * PRESENTER_MIN_SCALE)}px`,
        "--tree-h": model.need,
      }
    : { flexBasis: `${Math.round(model.need)}px`, "--tree-h": model.need };
  const grow = presenter ? Math.max(1, model.need - model.least) : model.need;
  return (
    <figure className="trees-panel" aria-labelledby={headingId} style={{ flexGrow: grow }}>
      <div className="trees-head">
        <h2 id={headingId} className="trees-title">
          {text.title}
        </h2>
        <p className="trees-stats">
          {statsLine(model)}
          {expanded.size > 0 ? (
            <button type="button" className="trees-collapse" onClick={collapseAll}>
              fold deep levels again
            </button>
          ) : null}
        </p>
      </div>
      <p className="trees-caption">{text.caption}</p>
      {model.chains > 0 ? <ChainLegend /> : null}
      {emptiedNote ? (
        <p className="trees-emptied" role="status">
          emptied at scan start #{emptiedNote.seqnr}
          {emptiedNote.dropped > 0 ? ` (${emptiedNote.dropped} candidates dropped)` : ""}
        </p>
      ) : null}
      <div className="trees-canvas" ref={canvasRef} style={canvasStyle}>
        <svg
          ref={svgRef}
          className="trees-svg"
          aria-label={`${text.title}: ${model.count} nodes`}
          preserveAspectRatio="xMidYMin meet"
        />
        {model.count === 0 ? <p className="trees-empty">empty</p> : null}
      </div>
      <figcaption className="trees-activity">
        {search ? <span className="trees-search">{search.outcome}</span> : null}
        {changes.length > 0 ? <span className="trees-changes">this step: {changes.join(", ")}</span> : null}
      </figcaption>
    </figure>
  );
});
