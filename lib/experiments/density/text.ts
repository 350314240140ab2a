import { formatRatio } from "@/lib/experiments/format";
import { formatBytes, formatMs } from "@/lib/core/format";
import type { LinearFit } from "@/lib/core/linear-fit";
import { table } from "@/lib/core/text-table";
import { limitCountText } from "@/lib/host/kernel-limits";
import { formatCount, formatMiB } from "./headline";
import type { DensityKindResult, DensityResult } from "./types";

// A density result as terminal text (`npm run experiment -- density`). Pure.

const fitText = (f: LinearFit | null) => (f ? `${formatMiB(f.slope)}${f.r2 !== null ? ` (R² ${f.r2.toFixed(2)})` : ""}` : "—");
const tag = (k: DensityKindResult) => k.kind + (k.kind === "vm" && k.accel ? ` [${k.accel.toUpperCase()}]` : "");

export function fitsText(k: DensityKindResult): string {
  if (k.fits.count === null) return "—";
  return `${formatCount(k.fits.count)} (${k.fits.bound} bound)`;
}

/** "first limit: isolab-memory, 376 more (…)", or why there is none. */
export function firstLimitText(k: DensityKindResult): string | null {
  if (!k.limits) return null;
  const f = k.limits.first;
  return f ? `first limit: ${limitCountText(f)} — ${f.label}${f.raise ? `; raise with ${f.raise}` : ""}` : "first limit: none measured";
}

/** vm-template: the template's RAM file the run measured before its baseline, paid once; null for other kinds and older runs. */
export function templateFileText(k: DensityKindResult): string | null {
  if (k.templateFile === undefined) return null;
  if (k.templateFile === null) return "template RAM file: not found, so not measured";
  return `template RAM file, paid once beside the clones: ${formatBytes(k.templateFile.residentBytes)} held by tmpfs (st_blocks) of ${formatBytes(k.templateFile.sizeBytes)}`;
}

const bytesOrDash = (b: number | null) => (b === null ? "—" : formatBytes(b));

export function densityText(r: DensityResult): string[] {
  const out: string[] = [];
  out.push(
    table(
      [
        "kind",
        "reached",
        "marginal: MemAvailable",
        "host view (cgroup sum)",
        "kernel structures",
        "used",
        "CPU/inst.",
        "startup 1st → last",
        "fits on this host",
      ],
      r.kinds.map((k) => [
        tag(k),
        String(k.reached),
        fitText(k.marginal.memAvailable),
        fitText(k.marginal.hostView),
        fitText(k.marginal.kernel ?? null),
        formatMiB(k.marginal.chosenMiB),
        k.marginal.cpuPct ? `${Math.max(0, k.marginal.cpuPct.slope).toFixed(2)} %` : "—",
        `${formatMs(k.startup.firstMs ?? undefined)} → ${formatMs(k.startup.lastMs ?? undefined)}`,
        fitsText(k),
      ]),
    ),
  );
  out.push("", `VM / container marginal memory: ${formatRatio(r.ratioVmToContainer)}`);
  if (r.ratioTemplateToVm != null) out.push(`templated VM / cold VM marginal memory: ${formatRatio(r.ratioTemplateToVm)} (target ≤ 0.10×)`);
  for (const k of r.kinds) {
    out.push("", `${tag(k)}: stopped because ${k.stopText}; budget for the extrapolation ${formatBytes(k.fits.budgetBytes)}`);
    if (k.marginal.note) out.push(`  note: ${k.marginal.note}`);
    if (k.marginal.memAvailableRaw !== undefined) out.push(`  MemAvailable raw (the rest of the host not taken out): ${fitText(k.marginal.memAvailableRaw)}`);
    if (k.marginal.why) out.push(`  used: ${k.marginal.why}`);
    const first = firstLimitText(k);
    if (first) out.push(`  ${first}`);
    const template = templateFileText(k);
    if (template) out.push(`  ${template}`);
    if (k.limits) out.push("  limits:", ...k.limits.counts.map((c) => `    ${limitCountText(c)}`));
    if (k.verify) out.push(`  check: ${k.verify.text}`);
    out.push(
      table(
        ["instances", "MemAvailable drop", "others allocated", "sum of host views", "kernel structures", "of it SUnreclaim", "added one", "its CPU", "startup"],
        k.steps.map((s) => [
          String(s.instances),
          formatBytes(s.availableDropBytes),
          bytesOrDash(s.othersDeltaBytes ?? null),
          formatBytes(s.sumHostBytes),
          bytesOrDash(s.kernelDeltaBytes ?? null),
          bytesOrDash(s.sUnreclaimDeltaBytes ?? null),
          s.instanceHostBytes === null ? "—" : formatBytes(s.instanceHostBytes),
          s.instanceCpuPct === null ? "—" : `${s.instanceCpuPct.toFixed(2)} %`,
          formatMs(s.startupMs ?? undefined),
        ]),
      )
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
  }
  out.push("", "assumptions:", ...r.assumptions.map((a) => `  - ${a}`));
  return out;
}
