import type { ReactNode } from "react";
import { formatBytes } from "@/lib/core/format";
import { fig21Caption } from "@/lib/figures/captions";
import { fig21Model, layoutFig21, type Fig21Cell, type Fig21Role } from "@/lib/figures/fig21";
import { r2, truncate, type LayoutMode } from "@/lib/figures/geometry";
import { layoutLegend } from "@/lib/figures/legend";
import type { FiguresPayload } from "@/lib/schemas/figures";
import { FigItem } from "./detail-context";
import { FigureFrame } from "./figure-frame";
import { Box, Legend, Lines } from "./svg-parts";

const CLASS: Record<Fig21Role, string> = {
  "host-os": "fig-host-os",
  vm: "fig-vm",
  container: "fig-container",
  free: "fig-free",
  "guest-os": "fig-guest-os",
  guest: "fig-guest",
  app: "fig-app",
  vmm: "fig-vmm",
  template: "fig-template",
  clone: "fig-clone",
  pool: "fig-pool",
};

const LEGEND = [
  { key: "host-os", label: "host OS + other processes", swatch: "fig-host-os" },
  { key: "vm", label: "VM (host view: QEMU PSS)", swatch: "fig-vm" },
  { key: "guest-os", label: "guest OS (guest view)", swatch: "fig-guest-os" },
  { key: "app", label: "app (the probe alone)", swatch: "fig-app" },
  { key: "vmm", label: "QEMU + pages the guest counts free", swatch: "fig-vmm" },
  { key: "container", label: "container (cgroup usage)", swatch: "fig-container" },
  { key: "free", label: "free", swatch: "fig-free" },
  { key: "enlarged", label: "dashed: enlarged to be visible", swatch: "fig-free fig-enlarged" },
];

/** Said only for the parts the templated host draws. */
const TEMPLATED_LEGEND: { key: Fig21Role; label: string; swatch: string }[] = [
  { key: "template", label: "template RAM file, once (what tmpfs holds)", swatch: "fig-template" },
  { key: "clone", label: "clone's own (PSS − its share of the file)", swatch: "fig-clone" },
  { key: "pool", label: "warm pool's waiting clones", swatch: "fig-pool" },
];

function Cell({ cell, testPrefix }: { cell: Fig21Cell; testPrefix: string }) {
  const { box, drawn } = cell;
  const label = `${box.detail}${cell.enlarged ? " (drawn enlarged: too small to see at this scale)" : ""}`;
  return (
    <>
      <FigItem label={label} testId={`${testPrefix}-${box.role}-${box.label}`}>
        <Box rect={drawn} className={`${CLASS[box.role]}${cell.enlarged ? " fig-enlarged" : ""}`} rx={1} />
        {cell.children.length === 0 && <Lines x={drawn.x + 4} y={drawn.y + 1} lines={cell.lines} />}
      </FigItem>
      {cell.children.map((c) => (
        <FigItem key={c.box.id} label={c.box.detail}>
          <Box rect={c.drawn} className={CLASS[c.box.role]} rx={0} />
          <Lines x={c.drawn.x + 4} y={c.drawn.y + c.drawn.h - c.lines.length * 15 - 2} lines={c.lines} small />
        </FigItem>
      ))}
      {cell.children.length > 0 && <Lines x={drawn.x + 4} y={drawn.y + 1} lines={cell.lines} title />}
    </>
  );
}

export interface Fig21MemoryProps {
  data: FiguresPayload;
  mode: LayoutMode;
  now: number;
  launchButton: ReactNode;
  /** Offered when Isolab has a density experiment. */
  densityButton: ReactNode;
}

export function Fig21Memory({ data, mode, now, launchButton, densityButton }: Fig21MemoryProps) {
  const model = fig21Model(data);
  const layout = layoutFig21(model, mode);
  const templatedRoles = new Set(model.hosts.find((h) => h.kind === "vm-template")?.boxes.map((b) => b.role));
  const templated = templatedRoles.size > 0;
  // Only the templated parts drawn: no pool swatch without a pool.
  const legend = layoutLegend([...LEGEND, ...TEMPLATED_LEGEND.filter((l) => templatedRoles.has(l.key))], 10, layout.height + 4, layout.width - 20);
  const height = layout.height + legend.height + 12;
  const noInstances = model.hosts.every((h) => !h.boxes.some((b) => b.role === "vm" || b.role === "container" || b.role === "clone"));
  const density = data.fig22.pending.find((p) => p.type === "density");
  const missing =
    model.blocked ??
    (noInstances ? (
      <>
        <span>
          No VM or container runs, so the hosts hold only the host OS{templated ? " (and a template)" : ""} and free memory. Launch some to see their footprint:
        </span>
        {launchButton}
      </>
    ) : density ? (
      <span role="status">
        Measuring: density {density.status}
        {density.progress ? ` ${density.progress.done}/${density.progress.total}` : ""}.
      </span>
    ) : null);
  const x = layout.magnification;
  return (
    <FigureFrame
      number="2.1"
      title="VMs vs containers on a host of this host's memory"
      caption={fig21Caption(data, now)}
      missing={missing}
      actions={data.fig21.densityAvailable ? densityButton : undefined}
    >
      {!model.blocked && (
        <svg
          className="fig-svg"
          viewBox={`0 0 ${layout.width} ${height}`}
          role="group"
          aria-label={`Figure 2.1: ${model.hosts.length} hosts of this host's memory, one running VMs, one running containers${templated ? ", one running templated VMs" : ""}`}
        >
          <title>Figure 2.1 — VMs vs containers, memory drawn to scale</title>
          <desc>{fig21Caption(data, now).text}</desc>
          <rect className="fig-bg" x={0} y={0} width={layout.width} height={height} />
          {layout.hosts.map((h) => {
            const prefix = `fig21-${h.host.kind}`;
            return (
              <g key={h.host.kind}>
                <text x={h.frame.x} y={h.titleY} className="fig-title">
                  {truncate(`${h.host.title} — ${formatBytes(h.host.totalBytes)} total`, h.frame.w, 13)}
                </text>
                <rect className="fig-frame" x={h.area.x} y={h.area.y} width={h.area.w} height={h.area.h} />
                {h.cells.map((c) => (
                  <Cell key={c.box.id} cell={c} testPrefix={prefix} />
                ))}
                <text x={h.inset.frame.x} y={h.inset.titleY} className="fig-small fig-muted">
                  {truncate(
                    x
                      ? `Instances only, ×${x >= 10 ? x.toFixed(0) : x.toFixed(1)} (one scale for ${model.hosts.length === 2 ? "both" : "all"}): ${formatBytes(h.host.instanceBytes)}`
                      : "Instances only: none running",
                    h.frame.w,
                    11,
                  )}
                </text>
                <rect className="fig-frame" x={h.inset.frame.x} y={h.inset.frame.y} width={h.inset.frame.w} height={h.inset.frame.h} strokeDasharray="3 3" />
                {h.inset.cells.map((c) => (
                  <Cell key={c.box.id} cell={c} testPrefix={`${prefix}-inset`} />
                ))}
                <FigItem label={`${h.host.roomLabel}; ${h.host.roomBasis}`} testId={`${prefix}-room`}>
                  <text x={r2(h.frame.x)} y={r2(h.roomY)} className="fig-title">
                    {truncate(h.host.roomLabel, h.frame.w, 13)}
                  </text>
                  <text x={r2(h.frame.x)} y={r2(h.roomY + 15)} className="fig-small fig-muted">
                    {truncate(h.host.roomBasis, h.frame.w, 11)}
                  </text>
                </FigItem>
              </g>
            );
          })}
          <Legend layout={legend} />
        </svg>
      )}
      {model.notes.length > 0 && <p className="small muted">{model.notes.join("; ")}</p>}
    </FigureFrame>
  );
}
