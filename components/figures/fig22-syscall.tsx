import { fig22Caption } from "@/lib/figures/captions";
import { fig22Model, layoutFig22, type Fig22Role } from "@/lib/figures/fig22";
import { r2, type LayoutMode } from "@/lib/figures/geometry";
import { layoutLegend } from "@/lib/figures/legend";
import type { FiguresPayload } from "@/lib/schemas/figures";
import type { ReactNode } from "react";
import { FigItem } from "./detail-context";
import { FigureFrame } from "./figure-frame";
import { ArrowDefs, Box, Legend, Lines } from "./svg-parts";

const CLASS: Record<Fig22Role, string> = {
  app: "fig-app",
  "guest-kernel": "fig-guest-kernel",
  hypervisor: "fig-hypervisor",
  "host-kernel": "fig-host-kernel",
  cpu: "fig-cpu",
};

const LEGEND = [
  { key: "app", label: "app", swatch: "fig-app" },
  { key: "guest-kernel", label: "guest kernel", swatch: "fig-guest-kernel" },
  { key: "hypervisor", label: "hypervisor", swatch: "fig-hypervisor" },
  { key: "host-kernel", label: "host kernel", swatch: "fig-host-kernel" },
  { key: "cpu", label: "physical CPU", swatch: "fig-cpu" },
  { key: "bar-process", label: "bare process", swatch: "fig-bar-process" },
  { key: "bar-container", label: "container", swatch: "fig-bar-container" },
  { key: "bar-vm", label: "VM", swatch: "fig-bar-vm" },
];

const MARKER = "fig22-arrow";

export function Fig22Syscall({ data, mode, now, runButtons }: { data: FiguresPayload; mode: LayoutMode; now: number; runButtons: ReactNode }) {
  const model = fig22Model(data);
  const layout = layoutFig22(model, mode);
  const legend = layoutLegend(LEGEND, 10, layout.height + 4, layout.width - 20);
  const height = layout.height + legend.height + 12;
  const caption = fig22Caption(data, now);
  const pending = data.fig22.pending;
  const measuring = pending.length
    ? `Measuring: ${pending.map((p) => `${p.type} ${p.status}${p.progress ? ` ${p.progress.done}/${p.progress.total}` : ""}`).join(", ")}.`
    : null;
  // The run buttons appear once: beside the missing-data note, or with the downloads.
  const missing = model.missing ? (
    <>
      <span>{measuring ?? model.missing}</span>
      {runButtons}
    </>
  ) : (
    measuring && <span role="status">{measuring}</span>
  );
  return (
    <FigureFrame number="2.2" title="The path of a system call" caption={caption} missing={missing} actions={model.missing ? undefined : runButtons}>
      <svg
        className="fig-svg"
        viewBox={`0 0 ${layout.width} ${height}`}
        role="group"
        aria-label="Figure 2.2: how an app's system call reaches the CPU in a VM and in a container"
      >
        <title>Figure 2.2 — the path of a system call</title>
        <desc>{caption.text}</desc>
        <ArrowDefs id={MARKER} />
        <rect className="fig-bg" x={0} y={0} width={layout.width} height={height} />
        {layout.columns.map((c) => (
          <g key={c.column.kind} data-testid={`fig22-${c.column.kind}`}>
            <text x={c.titleX} y={c.titleY} className="fig-title">
              {c.column.title}
            </text>
            <text x={c.titleX} y={c.titleY + 15} className="fig-small fig-muted">
              {c.subtitle}
            </text>
            {c.arrows.map((a) => (
              <FigItem key={a.edge.id} label={`${a.edge.label}. ${a.edge.detail}`} testId={`fig22-${a.edge.id}`}>
                <line className="fig-arrow" x1={a.x} y1={a.y1 + 1} x2={a.x} y2={a.y2 - 2} markerEnd={`url(#${MARKER})`} />
                <text x={a.labelX} y={a.labelY} className="fig-small">
                  {a.text}
                </text>
              </FigItem>
            ))}
            {c.boxes.map((b) => (
              <FigItem key={b.hop.id} label={`${b.hop.label}: ${b.hop.sub}. ${b.hop.detail}`}>
                <Box rect={b.rect} className={CLASS[b.hop.role]} />
                <Lines x={b.rect.x + 8} y={b.rect.y + 3} lines={b.lines} title />
              </FigItem>
            ))}
          </g>
        ))}
        <text x={layout.bars.frame.x} y={r2(layout.bars.titleY)} className="fig-title">
          getppid() per call, median (one linear scale)
        </text>
        {layout.bars.items.map((b) => (
          <FigItem key={b.bar.kind} label={b.bar.detail} testId={`fig22-bar-${b.bar.kind}`}>
            <text x={layout.bars.frame.x} y={r2(b.labelY)} className="fig-small">
              {b.bar.label}
            </text>
            {b.rect.w > 0 && <rect className={`fig-bar-${b.bar.kind}`} x={r2(b.rect.x)} y={r2(b.rect.y)} width={r2(b.rect.w)} height={b.rect.h} rx={2} />}
            <text x={r2(b.rect.x + b.rect.w + 6)} y={r2(b.rect.y + 13)} className="fig-small">
              {b.valueText}
            </text>
          </FigItem>
        ))}
        {layout.bars.notes.map((n, i) => (
          <text
            key={i}
            x={layout.bars.frame.x}
            y={r2(n.y)}
            className="fig-small fig-muted"
            data-testid={i === 0 && model.vmFaster ? "fig22-vm-faster" : undefined}
          >
            {n.text}
          </text>
        ))}
        <Legend layout={legend} />
      </svg>
    </FigureFrame>
  );
}
