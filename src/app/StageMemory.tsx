import { type ReactNode, type RefObject, useRef, useState } from "react";
import { useStore } from "../store/store";
import { FramesView } from "../views/frames/FramesView";
import { useBigScreen } from "../views/useBigScreen";
import { MemoryMap, type Zoom } from "./MemoryMap";
import { framesShown } from "./memoryWindow";
import { useFitHeight } from "./useFitHeight";

/** More frames in sight than this, and the map zooms (with a minimap) instead of shrinking its cells. */
const LARGE_MACHINE = 4096;

/** One picture's box on the stage: it scrolls inside if its picture must, so it can be reached by keyboard. */
export function StageBox(props: {
  className: string;
  label: string;
  boxRef?: RefObject<HTMLElement | null>;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that may scroll must be reachable by keyboard to scroll it (WCAG 2.1.1)
    <section className={props.className} ref={props.boxRef} aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}

/**
 * Physical memory's box on the stage: the grid fitted to the box's height
 * and drawn up to the highest frame in use; a large machine's map zooms,
 * with a minimap. Its own component, so that a new picture of memory
 * re-renders this box, not the whole app.
 */
export function StageMemory() {
  const ready = useStore((s) => s.snapshot !== null);
  const presenter = useStore((s) => s.presenter);
  // A big screen's cells may grow larger still, to fill the box (they are fitted to it).
  const big = useBigScreen();
  const memoryRef = useRef<HTMLElement>(null);
  const gridHeight = useFitHeight(memoryRef, ".frames-scroll", ready);
  // A number, so this box re-renders only when the highest frame in use crosses a power of two.
  const shown =
    useStore((s) => s.snapshot && framesShown(s.snapshot.index.topFrame, s.snapshot.frames.count)) ??
    undefined;
  // A large machine's map zooms (its cells would be too small to read fitted), with a minimap.
  const large = (shown ?? 0) > LARGE_MACHINE;
  // Only that minimap needs the frames themselves, and so each new picture of them.
  const frames = useStore((s) => (large ? s.snapshot?.frames : undefined));
  const [zoom, setZoom] = useState<Zoom>(0);
  return (
    <StageBox
      className={large ? "stage-memory stage-memory-large" : "stage-memory"}
      label="Physical memory"
      boxRef={memoryRef}
    >
      <FramesView
        shown={shown}
        {...(large && zoom > 0
          ? { minPitch: zoom, maxPitch: zoom, maxHeight: 1 << 24 }
          : { maxHeight: gridHeight, maxPitch: presenter ? 64 : big ? 80 : 40 })}
      />
      {large && frames && <MemoryMap frames={frames} zoom={zoom} onZoom={setZoom} boxRef={memoryRef} />}
    </StageBox>
  );
}
