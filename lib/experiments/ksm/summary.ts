import type { ExperimentSample, SkippedKind } from "@/lib/experiments/types";
import type { KsmPlan } from "./schema";
import type { KsmHostSettings, KsmPoint, KsmResult, KsmSummary } from "./types";

// Raw samples → the series and the summary (sample keys: ./types.ts). Pure.

const DEFAULT_PAGE_BYTES = 4096;

/** Memory KSM saves at one reading: every extra mapping of a merged page, and each page mapped to the zero page. */
export function savedBytes(pagesSharing: number, zeroPages: number | undefined, pageSizeBytes: number): number {
  return (pagesSharing + (zeroPages ?? 0)) * pageSizeBytes;
}

function pointOf(v: Record<string, number>): KsmPoint {
  const page = v.page_size_bytes ?? DEFAULT_PAGE_BYTES;
  return {
    tS: v.t_s ?? 0,
    pagesShared: v.pages_shared ?? 0,
    pagesSharing: v.pages_sharing ?? 0,
    pagesUnshared: v.pages_unshared ?? 0,
    pagesVolatile: v.pages_volatile ?? 0,
    fullScans: v.full_scans ?? 0,
    ...(v.ksm_zero_pages !== undefined ? { zeroPages: v.ksm_zero_pages } : {}),
    ...(v.general_profit_bytes !== undefined ? { generalProfitBytes: v.general_profit_bytes } : {}),
    savedBytes: v.saved_bytes ?? savedBytes(v.pages_sharing ?? 0, v.ksm_zero_pages, page),
    memAvailableBytes: v.mem_available_bytes ?? 0,
    vmsPssBytes: v.vms_pss_bytes ?? 0,
    vmsRssBytes: v.vms_rss_bytes ?? 0,
    ...(v.vms_merging_pages !== undefined ? { vmsMergingPages: v.vms_merging_pages } : {}),
  };
}

function settingsOf(v: Record<string, number> | undefined): KsmHostSettings | null {
  if (!v || v.run === undefined) return null;
  return {
    run: v.run,
    pagesToScan: v.pages_to_scan,
    sleepMs: v.sleep_millisecs,
    ...(v.advisor_scan_time !== undefined ? { advisorScanTime: v.advisor_scan_time === 1 } : {}),
  };
}

/** The summary of a run whose baseline is `base` and readings `points` (in time order, at least one). */
export function summarizeSeries(base: KsmPoint, points: readonly KsmPoint[], vms: number, ksmdCpuMs: { before?: number; end?: number }): KsmSummary {
  const end = points[points.length - 1];
  const first = points.find((p) => p.savedBytes > base.savedBytes);
  const merged = end.pagesShared + end.pagesSharing;
  const cpu = ksmdCpuMs.before !== undefined && ksmdCpuMs.end !== undefined && end.tS > 0 ? ((ksmdCpuMs.end - ksmdCpuMs.before) / (end.tS * 1000)) * 100 : null;
  return {
    readings: points.length,
    seconds: end.tS,
    savedEndBytes: end.savedBytes,
    savedPeakBytes: Math.max(...points.map((p) => p.savedBytes)),
    savedPerVmBytes: vms > 0 ? end.savedBytes / vms : 0,
    savedPctOfPss: base.vmsPssBytes > 0 ? (end.savedBytes / base.vmsPssBytes) * 100 : null,
    pssBeforeBytes: base.vmsPssBytes,
    pssEndBytes: end.vmsPssBytes,
    firstMergeS: first ? first.tS : null,
    generalProfitEndBytes: end.generalProfitBytes ?? null,
    memAvailableChangeBytes: end.memAvailableBytes - base.memAvailableBytes,
    fullScans: end.fullScans - base.fullScans,
    ksmdCpuPct: cpu,
    vmsShareOfMergedPct: end.vmsMergingPages !== undefined && merged > 0 ? Math.min(100, (end.vmsMergingPages / merged) * 100) : null,
  };
}

export function summarizeKsm(samples: readonly ExperimentSample[], plan: Pick<KsmPlan, "vms" | "memoryMiB">, skipped: readonly SkippedKind[]): KsmResult {
  const readings = samples.filter((s) => s.kind === "host" && s.sample === "ksm");
  const errors = readings.filter((s) => s.error).map((s) => s.error!);
  const ok = readings.filter((s) => !s.error);
  const baseSample = ok.find((s) => s.rep === 0);
  const during = ok.filter((s) => s.rep > 0).sort((a, b) => a.rep - b.rep);
  const host = (rep: number) => samples.find((s) => s.kind === "host" && s.sample === "ksm-host" && s.rep === rep && !s.error)?.values;
  const after = host(2);
  const pageSizeBytes = baseSample?.values.page_size_bytes ?? during[0]?.values.page_size_bytes ?? DEFAULT_PAGE_BYTES;
  const baseline = baseSample ? pointOf(baseSample.values) : null;
  const series = during.map((s) => pointOf(s.values));
  const vms = during[during.length - 1]?.values.vms ?? baseSample?.values.vms ?? 0;
  const summary =
    baseline && series.length
      ? summarizeSeries(baseline, series, vms, { before: baseSample?.values.ksmd_cpu_ms, end: during[during.length - 1].values.ksmd_cpu_ms })
      : null;
  return {
    type: "ksm",
    vms: vms || plan.vms,
    memoryMiB: plan.memoryMiB,
    accel: readings.find((s) => s.accel)?.accel,
    pageSizeBytes,
    series,
    baseline,
    summary,
    host: {
      before: settingsOf(host(0)),
      during: settingsOf(host(1)),
      after: settingsOf(after),
      restored: after?.restored === undefined ? null : after.restored === 1,
      unmerged: after?.unmerged === undefined ? null : after.unmerged === 1,
    },
    errors,
    skipped: [...skipped],
  };
}
