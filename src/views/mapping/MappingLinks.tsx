import { Component, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { resolveFocus } from "../../store/focus";
import { useViewState } from "../../store/linking";
import { flatOut, useStore } from "../../store/store";
import { FLAT_OUT_REDRAW_MS, PICTURE_SLOT, useThrottled } from "../../store/throttle";
import { focusedPid } from "../frames/frameModel";
import { useRenderer } from "../useRenderer";
import { currentAnchors, onAnchorsChange } from "./anchors";
import {
  FLAT_OUT_LINK_BUDGET,
  freedFrames,
  LINK_BUDGET,
  type Mapping,
  mappingModel,
  NO_MAPPING,
  type Placed,
} from "./linkModel";
import { createLinksRenderer, type LinksInput } from "./linksRenderer";
import { placeAnchors } from "./place";
import "./mapping.css";

export interface MappingLinksProps {
  /** Draw only this process's links; by default the focused process's (selection, else hover), else all in sight. */
  pid?: number | null;
  /** At most this many page links (default LINK_BUDGET). */
  budget?: number;
}

const NO_INPUT: LinksInput = { mapping: NO_MAPPING, freed: [], motion: false };

/**
 * The mapping, drawn over the views: links from each present virtual page to
 * its frame and from each KSM frame to its stable-tree node. An SVG overlay
 * that fills its positioned parent (which must hold the processes, memory and
 * trees views); it takes the cells' places from the views' registered
 * layouts (./anchors), and lets the pointer through.
 */
export function MappingLinks(props: MappingLinksProps) {
  return (
    <Quiet>
      <Overlay {...props} />
    </Quiet>
  );
}

/** The overlay is an extra: if drawing it ever throws, it goes away rather than the app with it. */
class Quiet extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown) {
    // For developers and the smoke test's console check; the page goes on without the links.
    console.error("mapping links removed after an error:", error);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

function Overlay(props: MappingLinksProps) {
  const now = useViewState(PICTURE_SLOT.mapping);
  const fast = useStore(flatOut);
  const latest = useMemo(() => ({ snapshot: now.snapshot }), [now.snapshot]);
  const { snapshot } = useThrottled(latest, fast ? FLAT_OUT_REDRAW_MS : 0);
  const { hover, selected, motion } = now;
  const pidFocus = selected ?? hover;
  const focus = useMemo(
    () => (props.pid !== undefined ? props.pid : focusedPid(pidFocus, resolveFocus(snapshot, pidFocus))),
    [props.pid, pidFocus, snapshot],
  );

  // Where things are changes with scrolling, resizing and the views' layouts: re-place once per frame then.
  const [placement, setPlacement] = useState(0);
  const svgRef = useRef<SVGSVGElement>(null);
  useEffect(() => {
    let raf = 0;
    const again = () => {
      if (raf === 0)
        raf = requestAnimationFrame(() => {
          raf = 0;
          setPlacement((n) => n + 1);
        });
    };
    const stop = onAnchorsChange(again);
    document.addEventListener("scroll", again, { capture: true, passive: true });
    window.addEventListener("resize", again);
    const host = svgRef.current?.parentElement;
    const ro = typeof ResizeObserver === "undefined" || !host ? null : new ResizeObserver(again);
    if (host) ro?.observe(host);
    return () => {
      stop();
      document.removeEventListener("scroll", again, { capture: true });
      window.removeEventListener("resize", again);
      ro?.disconnect();
      cancelAnimationFrame(raf);
    };
  }, []);

  const [input, setInput] = useState<LinksInput>(NO_INPUT);
  const last = useRef<Mapping>(NO_MAPPING);
  // While ksmd plays, the views stay where they are: measure them again only when told to
  // (above) or every FLAT_OUT_REDRAW_MS, not in every update's frame.
  const playing = useStore((s) => s.playing);
  const measured = useRef<{ placed: Placed; at: number; placement: number } | null>(null);
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg || !snapshot) {
      last.current = NO_MAPPING;
      setInput(NO_INPUT);
      return;
    }
    const m = measured.current;
    const now = performance.now();
    const keep = playing && m !== null && m.placement === placement && now - m.at < FLAT_OUT_REDRAW_MS;
    const placed = keep ? m.placed : placeAnchors(currentAnchors(), svg.getBoundingClientRect());
    if (!keep) measured.current = { placed, at: now, placement };
    const budget = props.budget ?? (fast ? FLAT_OUT_LINK_BUDGET : LINK_BUDGET);
    const mapping = mappingModel(snapshot, placed, { pid: focus, budget });
    const freed = motion ? freedFrames(last.current, snapshot.frames) : [];
    last.current = mapping;
    setInput({ mapping, freed, motion });
  }, [snapshot, focus, motion, placement, playing, fast, props.budget]);
  useRenderer(svgRef, createLinksRenderer, input);

  const m = input.mapping;
  return (
    <svg
      ref={svgRef}
      className="mapping-links"
      aria-hidden="true"
      data-links={m.pages.length}
      data-more={m.more}
      data-pid={m.pid ?? undefined}
    >
      {m.more ? (
        <text className="mapping-note" x="99%" y="14" textAnchor="end">
          links for the first {m.pages.length} pages in sight
          {m.pid === null ? " — select a page to see its process's" : ""}
        </text>
      ) : null}
    </svg>
  );
}
