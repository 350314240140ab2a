import { table } from "@/lib/core/text-table";
import { formatBytes, formatPercent } from "@/lib/core/format";
import { accelLabel } from "@/lib/experiments/types";
import { KSM_SOURCES, type KsmHostSettings, type KsmResult } from "./types";

// The result as text (`npm run experiment`), its headline, and the words the run page shares.

const seconds = (s: number | null) => (s === null ? "no merge seen" : `${s.toFixed(1)} s`);

export function settingsText(s: KsmHostSettings | null): string {
  if (!s) return "—";
  const advisor = s.advisorScanTime === undefined ? "" : `, advisor ${s.advisorScanTime ? "scan-time" : "none"}`;
  return `run ${s.run}, pages_to_scan ${s.pagesToScan}, sleep_millisecs ${s.sleepMs}${advisor}`;
}

/** What happened to the host's KSM settings, in one line. */
export function restoreText(r: KsmResult): string {
  const { host } = r;
  if (host.restored === null) return "the host's KSM settings were not read back after the run";
  const how = host.unmerged ? " (run=2 unmerged what was merged, then run was set back)" : "";
  return host.restored ? `restored to the host's own: ${settingsText(host.after)}${how}` : `NOT restored: the host now has ${settingsText(host.after)}`;
}

export function ksmText(r: KsmResult): string[] {
  const out = [
    `${r.vms} cold VMs of ${r.memoryMiB} MiB (${accelLabel(r.accel)}), page size ${formatBytes(r.pageSizeBytes)}`,
    `host before: ${settingsText(r.host.before)}; during: ${settingsText(r.host.during)}`,
    restoreText(r),
  ];
  const s = r.summary;
  if (s) {
    out.push(
      "",
      table(
        ["figure", "value"],
        [
          ["saved at the end", formatBytes(s.savedEndBytes)],
          ["saved per VM", formatBytes(s.savedPerVmBytes)],
          ["of the VMs' PSS before merging", `${formatPercent(s.savedPctOfPss ?? undefined)} of ${formatBytes(s.pssBeforeBytes)}`],
          ["VMs' PSS at the end", formatBytes(s.pssEndBytes)],
          ["saved at most", formatBytes(s.savedPeakBytes)],
          ["time to first merge", seconds(s.firstMergeS)],
          ["general_profit at the end", formatBytes(s.generalProfitEndBytes ?? undefined)],
          ["MemAvailable change", formatBytes(s.memAvailableChangeBytes)],
          ["full scans", String(s.fullScans)],
          ["ksmd CPU (% of one core)", formatPercent(s.ksmdCpuPct ?? undefined)],
          ["merged pages in the run's VMs", formatPercent(s.vmsShareOfMergedPct ?? undefined)],
          ["KSM on for", `${s.seconds.toFixed(1)} s, ${s.readings} readings`],
        ],
      ),
      `${KSM_SOURCES.savedFormula}; counters from ${KSM_SOURCES.counters}, ${KSM_SOURCES.memAvailable}`,
    );
  } else out.push("no reading while KSM ran");
  return [...out, ...r.errors.map((e) => `reading failed: ${e}`)];
}

export function ksmHeadline(r: KsmResult): string {
  const s = r.summary;
  if (!s) return "no reading";
  return `${formatBytes(s.savedEndBytes)} saved over ${r.vms} VMs (${formatBytes(s.savedPerVmBytes)} each, ${formatPercent(s.savedPctOfPss ?? undefined)} of their PSS) after ${s.seconds.toFixed(0)} s`;
}
