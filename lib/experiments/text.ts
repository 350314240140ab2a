import { directionNote, formatIdleCpu, formatRatio, formatValue } from "@/lib/experiments/format";
import { accelLabel, type ExperimentRecord, type OverheadResult, type StartupResult } from "@/lib/experiments/types";
import { formatBytes, formatMs } from "@/lib/core/format";
import { densityText } from "@/lib/experiments/density/text";
import { isolationText } from "@/lib/experiments/isolation/text";
import { table } from "@/lib/core/text-table";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { arrivalText } from "@/lib/experiments/startup/warm-memory";

// A record as plain-text tables for a terminal (`npm run experiment`).


function startupText(r: StartupResult): string[] {
  const out: string[] = [];
  const vmTag = (kind: string, accel?: string) => (kind === "vm" || kind === "vm-warm" ? ` [${accel?.toUpperCase() ?? "?"}]` : "");
  out.push(
    table(
      ["kind", "runs", "min", "median", "p95", "max", "failed"],
      r.kinds.map((k) => [k.kind + vmTag(k.kind, k.accel), String(k.total.n), formatMs(k.total.min), formatMs(k.total.median), formatMs(k.total.p95), formatMs(k.total.max), String(k.failures)]),
    ),
  );
  out.push("");
  out.push(
    table(
      ["phase", "min", "median", "p95"],
      r.kinds.flatMap((k) => k.phases.map((p) => [`${k.kind} ${p.name}`, formatMs(p.summary.min), formatMs(p.summary.median), formatMs(p.summary.p95)])),
    ),
  );
  out.push("");
  out.push(`vm/container (medians): ${formatRatio(r.ratioVmToContainer)}   vm/process: ${formatRatio(r.ratioVmToProcess)}   container/process: ${formatRatio(r.ratioContainerToProcess)}`);
  if (r.kinds.some((k) => k.kind === "vm-warm")) out.push(`vm-warm/vm: ${formatRatio(r.ratioWarmToVm)}   vm-warm/container: ${formatRatio(r.ratioWarmToContainer)}`);
  if (r.memory) {
    out.push("", `host memory over the first ${r.memory.seconds} s (QEMU, after ready):`);
    out.push(
      table(
        ["vm", "RSS first", "RSS last", "RSS peak", "PSS first", "PSS last"],
        r.memory.series.map((s) => [s.kind, formatBytes(s.firstRssBytes), formatBytes(s.lastRssBytes), formatBytes(s.peakRssBytes), formatBytes(s.firstPssBytes), formatBytes(s.lastPssBytes)]),
      ),
    );
    const said = arrivalText(r.memory);
    if (said) out.push(said);
  }
  return out;
}

function overheadText(r: OverheadResult): string[] {
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
      r.idle.map((i) => [i.kind + (i.kind === "vm" ? ` [${i.accel?.toUpperCase() ?? "?"}]` : ""), `${formatIdleCpu(i.cpuPercent, i.cpuResolutionPercent)} of a core`, formatBytes(i.memoryBytes), i.memorySource, formatMs(i.windowMs)]),
    ),
  );
  return out;
}

export function recordText(rec: ExperimentRecord): string {
  const out: string[] = [`${rec.type} experiment ${rec.id}: ${rec.status}${rec.error ? ` — ${rec.error}` : ""}`];
  const env = rec.environment;
  if (env) {
    out.push(`host ${env.host.hostname} · ${env.host.cpu.model} (${env.host.cpu.cores} cores) · kernel ${env.host.kernelRelease} · ${env.host.runtime.name} ${env.host.runtime.version ?? "?"} · ${env.host.qemu.version ?? "no QEMU"}`);
    if (env.accelerator) out.push(`accelerator: ${accelLabel(env.accelerator.accel)} (${env.accelerator.reason})`);
  }
  out.push("");
  const r = rec.result;
  if (r) {
    for (const s of r.skipped) out.push(`skipped ${s.kind}: ${s.reason}`);
    if (r.skipped.length) out.push("");
    if (r.type === "startup") out.push(...startupText(r));
    else if (r.type === "overhead") out.push(...overheadText(r));
    else if (r.type === "isolation") out.push(...isolationText(r));
    else if (r.type === "density") out.push(...densityText(r));
  } else out.push("no results");
  return out.join("\n");
}
