import type { ReactNode } from "react";
import { fig23Caption } from "@/lib/figures/captions";
import { fig23Model, layoutFig23, type Fig23Box } from "@/lib/figures/fig23";
import { r2, type LayoutMode } from "@/lib/figures/geometry";
import { layoutLegend } from "@/lib/figures/legend";
import type { FiguresPayload } from "@/lib/schemas/figures";
import { FigItem } from "./detail-context";
import { FigureFrame } from "./figure-frame";
import { Box, Legend } from "./svg-parts";

const BOX_CLASS: Record<Fig23Box["kind"], string> = { process: "fig-process", vm: "fig-vm", container: "fig-container" };

const LEGEND = [
  { key: "app", label: "app", swatch: "fig-app" },
  { key: "process", label: "bare process", swatch: "fig-process" },
  { key: "vm", label: "VM", swatch: "fig-vm" },
  { key: "container", label: "container", swatch: "fig-container" },
  { key: "host-kernel", label: "host kernel", swatch: "fig-host-kernel" },
  { key: "guest-kernel", label: "a VM's own kernel", swatch: "fig-guest-kernel" },
  { key: "hypervisor", label: "hypervisor", swatch: "fig-hypervisor" },
  { key: "hardware", label: "hardware", swatch: "fig-hardware" },
];

export function Fig23Apps({ data, mode, now, controls }: { data: FiguresPayload; mode: LayoutMode; now: number; controls: ReactNode }) {
  const model = fig23Model(data);
  const layout = layoutFig23(model, mode);
  const legend = layoutLegend(LEGEND, 10, layout.height + 4, layout.width - 20);
  const height = layout.height + legend.height + 12;
  const caption = fig23Caption(data, now);
  return (
    <FigureFrame number="2.3" title="Apps A, B, C on bare metal, in VMs and in containers" caption={caption} missing={model.missing} actions={controls}>
      <svg
        className="fig-svg"
        viewBox={`0 0 ${layout.width} ${height}`}
        role="group"
        aria-label="Figure 2.3: three apps on bare metal, in two VMs and in three containers, as each sees itself"
      >
        <title>Figure 2.3 — apps on bare metal, in VMs, in containers</title>
        <desc>{caption.text}</desc>
        <rect className="fig-bg" x={0} y={0} width={layout.width} height={height} />
        {layout.panels.map((p) => (
          <g key={p.panel.id} data-testid={`fig23-${p.panel.id}`}>
            <rect className="fig-panel" x={p.frame.x} y={p.frame.y} width={p.frame.w} height={p.frame.h} rx={6} />
            <text x={p.frame.x + 8} y={p.titleY} className="fig-title">
              {p.panel.title}
            </text>
            {p.machines.map((m) => (
              <FigItem key={m.name} label={`VM ${m.name}: its own kernel and memory`}>
                <rect className="fig-shape fig-machine" x={r2(m.rect.x)} y={r2(m.rect.y)} width={r2(m.rect.w)} height={r2(m.rect.h)} rx={6} />
              </FigItem>
            ))}
            {p.boxes.map((b) => (
              <FigItem key={b.box.name} label={b.box.detail} testId={`fig23-box-${b.box.name}`}>
                <Box rect={b.rect} className={BOX_CLASS[b.box.kind]} />
                {b.chips.map((c) => (
                  <g key={c.app}>
                    <Box rect={c.rect} className="fig-app" rx={4} />
                    <text x={r2(c.rect.x + 8)} y={r2(c.rect.y + 14)} className="fig-title">
                      App {c.app}
                    </text>
                  </g>
                ))}
                {b.lines.map((l, i) => (
                  <text key={i} x={r2(b.rect.x + 7)} y={r2(l.y)} className={i === 0 ? "fig-small fig-muted" : "fig-small"}>
                    {l.text}
                  </text>
                ))}
              </FigItem>
            ))}
            {p.kernels.map((k) => (
              <FigItem key={k.kernel.key} label={`${k.kernel.label}: ${k.kernel.members.join(", ")}`} testId={`fig23-kernel-${k.kernel.members.join("+")}`}>
                <Box rect={k.rect} className={k.kernel.sharedWithHost ? "fig-host-kernel" : "fig-guest-kernel"} />
                <text x={r2(k.rect.x + 8)} y={r2(k.rect.y + 15)} className="fig-small">
                  {k.text}
                </text>
              </FigItem>
            ))}
            {p.layers.map((l) => (
              <FigItem key={l.label} label={`${l.label}. ${l.detail}`}>
                <Box rect={l.rect} className={l.label === "hardware" ? "fig-hardware" : "fig-hypervisor"} />
                <text x={r2(l.rect.x + 8)} y={r2(l.rect.y + 15)} className="fig-small">
                  {l.text}
                </text>
              </FigItem>
            ))}
          </g>
        ))}
        <Legend layout={legend} />
      </svg>
    </FigureFrame>
  );
}
