import type { Snapshot } from "../../engine";
import { mappersOf } from "../../store/query";
import { classifyFrame, hexAddr, KIND_NAME } from "./frameModel";

/** Where a frame's tooltip goes. */
export interface Tip {
  pfn: number;
  /** Viewport coordinates of the cell's top-right corner. */
  x: number;
  y: number;
  /** The cell's top-left x, to flip the tooltip to the left near the right edge. */
  left: number;
}

export function frameSentence(s: Snapshot, pfn: number): string {
  const f = s.frames;
  const kind = classifyFrame(f.state[pfn], f.mapcount[pfn]);
  const mappers = mappersOf(s, pfn);
  const who =
    mappers.length === 0
      ? ""
      : `; mapped by ${mappers
          .slice(0, 4)
          .map((m) => `${m.name} ${hexAddr(m.addr)}`)
          .join(", ")}${mappers.length > 4 ? ` and ${mappers.length - 4} more` : ""}`;
  return `Frame ${pfn}: ${KIND_NAME[kind]}${kind === "free" ? "" : `, mapcount ${f.mapcount[pfn]}`}${who}.`;
}

const TIP_WIDTH = 280;
const MAX_MAPPERS = 8;
const MAX_PROCESS_FRAMES = 24;

export function FrameTooltip(props: {
  snapshot: Snapshot;
  tip: Tip;
  process: { pid: number; name: string; frames: number[] } | null;
}) {
  const { snapshot: s, tip, process } = props;
  const f = s.frames;
  const pfn = tip.pfn;
  const kind = classifyFrame(f.state[pfn], f.mapcount[pfn]);
  const mappers = mappersOf(s, pfn);
  const vw = typeof window === "undefined" ? Number.POSITIVE_INFINITY : window.innerWidth;
  const left = tip.x + 8 + TIP_WIDTH > vw ? Math.max(0, tip.left - 8 - TIP_WIDTH) : tip.x + 8;
  return (
    <div className="frames-tooltip" role="tooltip" style={{ left, top: tip.y, width: TIP_WIDTH }}>
      <div className="frames-tooltip-title">Frame {pfn}</div>
      <div>
        {KIND_NAME[kind]}
        {kind !== "free" ? `, mapcount ${f.mapcount[pfn]}` : ""}
      </div>
      {f.contentId[pfn] !== 0 ? (
        <div>
          contents <code>#{f.contentId[pfn].toString(16).padStart(8, "0")}</code>
        </div>
      ) : null}
      {mappers.length > 0 ? (
        <ul className="frames-tooltip-list">
          {mappers.slice(0, MAX_MAPPERS).map((m) => (
            <li key={`${m.pid}:${m.addr}`}>
              {m.name} (pid {m.pid}) <code>{hexAddr(m.addr)}</code> {m.writable ? "rw" : "ro"}
            </li>
          ))}
          {mappers.length > MAX_MAPPERS ? <li>…and {mappers.length - MAX_MAPPERS} more</li> : null}
        </ul>
      ) : kind === "free" ? null : (
        <div>no page maps it</div>
      )}
      {process ? (
        <div className="frames-tooltip-process">
          {process.name} (pid {process.pid}) maps {process.frames.length} frame
          {process.frames.length === 1 ? "" : "s"}: {process.frames.slice(0, MAX_PROCESS_FRAMES).join(", ")}
          {process.frames.length > MAX_PROCESS_FRAMES ? ", …" : ""}
        </div>
      ) : null}
    </div>
  );
}
