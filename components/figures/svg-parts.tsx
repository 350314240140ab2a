import type { LegendLayout } from "@/lib/figures/legend";
import { LINE_PX, r2, type Rect } from "@/lib/figures/geometry";

// Small drawing pieces shared by the four figures. They draw what they are
// given; positions come from lib/figures.

export function Box({ rect, className, rx = 3 }: { rect: Rect; className: string; rx?: number }) {
  return <rect className={`fig-shape ${className}`} x={r2(rect.x)} y={r2(rect.y)} width={r2(Math.max(0, rect.w))} height={r2(Math.max(0, rect.h))} rx={rx} />;
}

/** Text lines from the top-left of a rectangle (first line bold when `title`). */
export function Lines({ x, y, lines, title = false, small = false }: { x: number; y: number; lines: readonly string[]; title?: boolean; small?: boolean }) {
  return (
    <>
      {lines.map((l, i) => (
        <text key={i} x={r2(x)} y={r2(y + (i + 1) * LINE_PX - 3)} className={i === 0 && title ? "fig-title" : small ? "fig-small" : undefined}>
          {l}
        </text>
      ))}
    </>
  );
}

export function Legend({ layout }: { layout: LegendLayout }) {
  return (
    <g aria-label="Legend" role="list">
      {layout.items.map((i) => (
        <g key={i.key} role="listitem">
          <rect className={`fig-shape ${i.swatch}`} x={r2(i.x)} y={r2(i.y)} width={12} height={12} rx={2} />
          <text x={r2(i.x + 17)} y={r2(i.y + 10)} className="fig-small">
            {i.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Arrowhead marker; ids are per figure so several figures on a page do not clash. */
export function ArrowDefs({ id }: { id: string }) {
  return (
    <defs>
      <marker id={id} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M0 0 L10 5 L0 10 z" className="fig-arrowhead" />
      </marker>
    </defs>
  );
}
