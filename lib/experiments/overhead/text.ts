import { formatBytes, formatMs } from "@/lib/core/format";
import { table } from "@/lib/core/text-table";
import { INSTANCE_KINDS, type Accel, type InstanceKind } from "@/lib/core/types";
import { directionNote, formatIdleCpu, formatRatio, formatValue } from "@/lib/experiments/format";
import type { OverheadResult } from "./types";

// An overhead result as terminal tables (`npm run experiment`) and as one line for lists.

export function overheadText(r: OverheadResult): string[] {
  const kinds = INSTANCE_KINDS.filter((k) => r.rows.some((row) => row.perKind[k]));
  const vmAccel = r.idle.find((i) => i.kind === "vm")?.accel;
  const header = ["workload", "better", ...kinds.map((k) => (k === "vm" ? `vm [${vmAccel?.toUpperCase() ?? "?"}]` : k))];
  const rows = r.rows.map((row) => [
    `${row.label} (${row.unit})`,
    row.direction,
    ...kinds.map((k) => (row.perKind[k] ? `${formatValue(row.perKind[k]!.median, row.unit)} ${formatRatio(row.ratio[k])}` : "—")),
  ]);
  const out = [table(header, rows), "", `ratios: kind median / process median; ${directionNote("higher")}; ${directionNote("lower")}.`, ""];
  out.push(
    table(
      ["idle cost", "host CPU", "host memory", "as", "window"],
      r.idle.map((i) => [
        i.kind + (i.kind === "vm" ? ` [${i.accel?.toUpperCase() ?? "?"}]` : ""),
        `${formatIdleCpu(i.cpuPercent, i.cpuResolutionPercent)} of a core`,
        formatBytes(i.memoryBytes),
        i.memorySource,
        formatMs(i.windowMs),
      ]),
    ),
  );
  return out;
}

/** The CPU workload's ratio per kind to the bare process, with the VMs' accelerator. */
export function overheadHeadline(result: OverheadResult): string {
  const vmTag = (accel: Accel | undefined) => (accel ? ` (${accel.toUpperCase()})` : "");
  const cpu = result.rows.find((r) => r.metric === "ops_per_s") ?? result.rows[0];
  const parts = cpu
    ? (Object.entries(cpu.ratio) as [InstanceKind, number | null][])
        .filter(([k]) => k !== "process")
        .map(([k, r]) => `${cpu.workload} ${k} ${formatRatio(r)}${k === "vm" ? vmTag(result.idle.find((i) => i.kind === "vm")?.accel) : ""}`)
    : [];
  for (const s of result.skipped) parts.push(`${s.kind} skipped`);
  return parts.join(" · ");
}
