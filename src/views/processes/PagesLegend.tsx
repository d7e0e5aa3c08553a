import { KSM_ZERO_LINK } from "../mapping/marks";
import { PAGE_COLOR, RMAP_COLOR } from "./drawPages";
import { type PageKind, RMAP_MARK, RMAP_NAME, type RmapWhere } from "./pageModel";

/** The page legend; with 6.18's use_zero_pages on, also how a link KSM made to the zero page looks. */
export function PagesLegend({ ksmZero = false }: { ksmZero?: boolean }) {
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
      {ksmZero ? (
        <li data-legend="ksm-zero">
          <svg width="24" height="8" aria-hidden="true">
            <line
              x1="2"
              y1="4"
              x2="22"
              y2="4"
              stroke={KSM_ZERO_LINK.stroke}
              strokeWidth={KSM_ZERO_LINK.width}
              strokeDasharray={KSM_ZERO_LINK.dash}
              strokeLinecap="round"
            />
          </svg>
          link: KSM merged it with the zero page (use_zero_pages)
        </li>
      ) : null}
    </ul>
  );
}

/** A cell's CSS background: solid when writable, hatched when write-protected, blank when not present. */
export function cellBackground(kind: PageKind, writable: boolean): string {
  if (kind === "absent") return "#ffffff";
  const fill = PAGE_COLOR[kind];
  return writable ? fill : `repeating-linear-gradient(135deg, ${fill} 0 3px, #ffffff 3px 5px)`;
}
