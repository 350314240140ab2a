import type { SkippedKind } from "@/lib/experiments/types";
import type { Accel } from "@/lib/core/types";

// What a KSM run records and concludes (its plan: ./schema.ts). Samples, all kind "host":
//   ksm       rep 0: the baseline, the VMs up and KSM as the host had it; rep 1, 2, …: one reading each
//             sampleMs while KSM runs. t_s (seconds since run=1 was written; 0 for the baseline),
//             page_size_bytes, /sys/kernel/mm/ksm's pages_shared, pages_sharing, pages_unshared,
//             pages_volatile, full_scans and, where the kernel has them, ksm_zero_pages and
//             general_profit_bytes; saved_bytes = (pages_sharing + ksm_zero_pages) × page size;
//             mem_available_bytes (/proc/meminfo); vms (running), vms_pss_bytes and vms_rss_bytes
//             (QEMU's smaps_rollup, summed), vms_merging_pages (/proc/<pid>/ksm_merging_pages, summed),
//             ksmd_cpu_ms (ksmd's utime + stime, cumulative)
//   ksm-host  rep 0: the host's own settings, read before anything changed (run, pages_to_scan,
//             sleep_millisecs, advisor_scan_time 0/1 where the kernel has the advisor, pages_shared);
//             rep 1: the run's (the same keys); rep 2: read back after the restore, with
//             restored (1 when every tunable equals rep 0's) and unmerged (1 when run=2 was written)
// The result is derived from them alone (./summary.ts).

export const KSM_SAMPLES = ["ksm", "ksm-host"] as const;
export type KsmSampleName = (typeof KSM_SAMPLES)[number];

/** Where the numbers come from, shown beside them. */
export const KSM_SOURCES = {
  counters: "/sys/kernel/mm/ksm/*",
  memAvailable: "/proc/meminfo MemAvailable",
  pss: "QEMU's /proc/<pid>/smaps_rollup, summed over the run's VMs",
  merging: "/proc/<pid>/ksm_merging_pages of the run's QEMUs",
  savedFormula: "saved = (pages_sharing + ksm_zero_pages) × page size",
} as const;

export interface KsmPoint {
  tS: number;
  pagesShared: number;
  pagesSharing: number;
  pagesUnshared: number;
  pagesVolatile: number;
  fullScans: number;
  /** Absent on kernels without the counter. */
  zeroPages?: number;
  /** The kernel's own net figure (merged pages less its rmap items' memory), bytes; absent before 6.7. */
  generalProfitBytes?: number;
  savedBytes: number;
  memAvailableBytes: number;
  vmsPssBytes: number;
  vmsRssBytes: number;
  vmsMergingPages?: number;
}

/** KSM's tunables as the run found, set and left them. */
export interface KsmHostSettings {
  run: number;
  pagesToScan: number;
  sleepMs: number;
  /** Whether the kernel's advisor set the rate; absent where the kernel has no advisor. */
  advisorScanTime?: boolean;
}

export interface KsmSummary {
  /** Readings while KSM ran (the baseline excluded). */
  readings: number;
  /** The last reading's time, seconds since KSM was turned on. */
  seconds: number;
  savedEndBytes: number;
  savedPeakBytes: number;
  savedPerVmBytes: number;
  /** savedEnd as a share of the VMs' summed PSS before merging (the baseline), %; null without a PSS. */
  savedPctOfPss: number | null;
  pssBeforeBytes: number;
  pssEndBytes: number;
  /** Seconds from KSM on to the first reading with more saved than the baseline; null when none came. */
  firstMergeS: number | null;
  generalProfitEndBytes: number | null;
  /** MemAvailable at the end less at the baseline (other processes move it too). */
  memAvailableChangeBytes: number;
  fullScans: number;
  /** ksmd's CPU over the run, % of one core; null when ksmd's time could not be read. */
  ksmdCpuPct: number | null;
  /** Of the pages merged host-wide at the end, the share in this run's VMs, %; null where the kernel does not say. */
  vmsShareOfMergedPct: number | null;
}

export interface KsmResult {
  type: "ksm";
  vms: number;
  memoryMiB: number;
  accel?: Accel;
  pageSizeBytes: number;
  series: KsmPoint[];
  baseline: KsmPoint | null;
  /** Null when no reading was taken while KSM ran. */
  summary: KsmSummary | null;
  host: { before: KsmHostSettings | null; during: KsmHostSettings | null; after: KsmHostSettings | null; restored: boolean | null; unmerged: boolean | null };
  /** Readings that failed, with why. */
  errors: string[];
  skipped: SkippedKind[];
}
