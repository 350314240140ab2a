import { formatBytes, formatMs } from "@/lib/core/format";
import { table } from "@/lib/core/text-table";
import type { Accel } from "@/lib/core/types";
import { formatRatio } from "@/lib/experiments/format";
import { arrivalText } from "./warm-memory";
import type { StartupResult } from "./types";

// A startup result as terminal tables (`npm run experiment`) and as one line for lists.

export function startupText(r: StartupResult): string[] {
  const out: string[] = [];
  const vmTag = (kind: string, accel?: string) => (kind === "vm" || kind.startsWith("vm-") ? ` [${accel?.toUpperCase() ?? "?"}]` : "");
  out.push(
    table(
      ["kind", "runs", "min", "median", "p95", "max", "failed"],
      r.kinds.map((k) => [
        k.kind + vmTag(k.kind, k.accel),
        String(k.total.n),
        formatMs(k.total.min),
        formatMs(k.total.median),
        formatMs(k.total.p95),
        formatMs(k.total.max),
        String(k.failures),
      ]),
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
  out.push(
    `vm/container (medians): ${formatRatio(r.ratioVmToContainer)}   vm/process: ${formatRatio(r.ratioVmToProcess)}   container/process: ${formatRatio(r.ratioContainerToProcess)}`,
  );
  if (r.kinds.some((k) => k.kind === "vm-warm"))
    out.push(`vm-warm/vm: ${formatRatio(r.ratioWarmToVm)}   vm-warm/container: ${formatRatio(r.ratioWarmToContainer)}`);
  const modes = [
    r.kinds.some((k) => k.kind === "vm-template") && `vm-template/container: ${formatRatio(r.ratioTemplateToContainer ?? null)} (target ≤ 2×)`,
    r.kinds.some((k) => k.kind === "vm-pooled") &&
      `vm-pooled/container: ${formatRatio(r.ratioPooledToContainer ?? null)} (target ≤ 1×; the pool's QEMUs were started ahead)`,
  ].filter(Boolean);
  if (modes.length) out.push(modes.join("   "));
  if (r.memory) {
    out.push("", `host memory over the first ${r.memory.seconds} s (QEMU, after ready):`);
    out.push(
      table(
        ["vm", "RSS first", "RSS last", "RSS peak", "PSS first", "PSS last"],
        r.memory.series.map((s) => [
          s.kind,
          formatBytes(s.firstRssBytes),
          formatBytes(s.lastRssBytes),
          formatBytes(s.peakRssBytes),
          formatBytes(s.firstPssBytes),
          formatBytes(s.lastPssBytes),
        ]),
      ),
    );
    const said = arrivalText(r.memory);
    if (said) out.push(said);
  }
  return out;
}

/** Medians per kind, the VMs' accelerator and the headline ratios. */
export function startupHeadline(result: StartupResult): string {
  const vmTag = (accel: Accel | undefined) => (accel ? ` (${accel.toUpperCase()})` : "");
  const parts = result.kinds.map((k) => `${k.kind} ${formatMs(k.total.median)}${k.kind === "vm" || k.kind.startsWith("vm-") ? vmTag(k.accel) : ""}`);
  if (result.ratioVmToContainer !== null) parts.push(`vm/container ${formatRatio(result.ratioVmToContainer)}`);
  if (result.ratioWarmToVm !== undefined && result.ratioWarmToVm !== null) parts.push(`vm-warm/vm ${formatRatio(result.ratioWarmToVm)}`);
  if (result.ratioTemplateToContainer != null) parts.push(`vm-template/container ${formatRatio(result.ratioTemplateToContainer)}`);
  if (result.ratioPooledToContainer != null) parts.push(`vm-pooled/container ${formatRatio(result.ratioPooledToContainer)}`);
  for (const s of result.skipped) parts.push(`${s.kind} skipped`);
  return parts.join(" · ");
}
