import type { Snapshot } from "../../engine";
import { HIGHLIGHT } from "../palette";
import { pulseColor } from "./drawFrames";
import { FRAME_KINDS, type FrameCounts, framesHeadline } from "./frameModel";

export function FramesLegend({ counts }: { counts: FrameCounts }) {
  return (
    <ul className="frames-legend" aria-label="Frame states">
      {FRAME_KINDS.map((k) => (
        <li key={k.kind} data-kind={k.kind}>
          <span className="frames-swatch" style={{ background: k.color }} aria-hidden="true" />
          {k.label} <span className="frames-count">{counts[k.kind]}</span>
        </li>
      ))}
      <li className="frames-legend-note">
        <span className="frames-swatch frames-swatch-stripe" aria-hidden="true" />
        stripe: contents (equal pages, equal colour)
      </li>
      <li className="frames-legend-note">
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: HIGHLIGHT }}
          aria-hidden="true"
        />
        hovered or selected (dashed: the focused process&rsquo;s frames)
      </li>
      <li className="frames-legend-note">
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: pulseColor("cow") }}
          aria-hidden="true"
        />
        COW copy
        <span
          className="frames-swatch frames-swatch-outline"
          style={{ borderColor: pulseColor("merge"), marginLeft: "0.6em" }}
          aria-hidden="true"
        />
        merge
      </li>
    </ul>
  );
}

/** The visually hidden fallback: counts by state and the selected frame, never one row per frame. */
export function FramesTable(props: {
  counts: FrameCounts;
  frames: Snapshot["frames"];
  selectedText: string;
}) {
  // Hidden by a box around it: a table keeps its content's height whatever its own, and would make the stage's box scroll.
  return (
    <div className="frames-sr-only">
      <table>
        <caption>
          Frames by state: {framesHeadline(props.frames)}
          {props.selectedText ? `. Selected: ${props.selectedText}` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">state</th>
            <th scope="col">frames</th>
          </tr>
        </thead>
        <tbody>
          {FRAME_KINDS.map((k) => (
            <tr key={k.kind}>
              <th scope="row">{k.label}</th>
              <td>{props.counts[k.kind]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
