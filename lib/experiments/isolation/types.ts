import type { SkippedKind } from "@/lib/experiments/types";
import type { HogBound } from "@/lib/host/memory-guard";
import { ISOLATION_HOGS, type IsolationHog } from "./schema";
import type { Accel, InstanceKind } from "@/lib/core/types";

// What an isolation run records and concludes. Raw samples (stored, exported
// as CSV) use the names below; the result is derived from them alone
// (lib/experiments/isolation/summary.ts), so a stored run can be re-summarized.
//
// Samples, all with `t_ms` = milliseconds since the timeline started:
//   host        kind host, rep 0:     available_bytes, total_bytes, swap_total_bytes, swap_free_bytes
//   hog         kind of the hog, rep = hog number (1..3): host_bytes (cgroup usage or QEMU RSS),
//               limit_bytes?, oom_kills?, peak_bytes? (the cgroup's own high-water mark),
//               guest_ram_bytes?, qemu_own_bytes? (VM: lib/vm/qemu-smaps.ts)
//   touched     kind of the hog, rep = hog number: touched_mib (the hog's own progress line)
//   latency     kind of the neighbour, rep = tick: oversleep_us
//   oom-kill    kind of the hog, rep = hog number: oom_kills (cgroup count after), host_bytes
//   phase       kind host, rep = phase number (0..4): start_ms, end_ms
//   guard       kind container, rep = hog number: usage_bytes, cap_bytes, available_bytes, total_bytes
//               (what made Isolab's watchdog stop the unlimited hog)
//   hog-result  kind of the hog, rep = hog number: see HogResultValues; or an error when it could not run

export const ISOLATION_SAMPLES = ["host", "hog", "touched", "latency", "oom-kill", "guard", "phase", "hog-result"] as const;
export type IsolationSampleName = (typeof ISOLATION_SAMPLES)[number];

export type PhaseId = "before" | IsolationHog | "after";
/** Phase number = index here; hog number = index in ISOLATION_HOGS + 1 (= its phase number). */
export const PHASE_IDS: readonly PhaseId[] = ["before", ...ISOLATION_HOGS, "after"];

export const HOG_KIND: Record<IsolationHog, "container" | "vm"> = {
  "container-limited": "container",
  vm: "vm",
  "container-unlimited": "container",
};

export const HOG_LABELS: Record<IsolationHog, string> = {
  "container-limited": "Container with a memory limit",
  vm: "VM",
  "container-unlimited": "Container without a memory limit",
};

export const PHASE_LABELS: Record<PhaseId, string> = {
  before: "before",
  "container-limited": "limited container hog",
  vm: "VM hog",
  "container-unlimited": "unlimited container hog",
  after: "after",
};

export const hogNumber = (hog: IsolationHog) => ISOLATION_HOGS.indexOf(hog) + 1;
export const hogOfNumber = (n: number): IsolationHog | undefined => ISOLATION_HOGS[n - 1];

/** Value keys of a `hog-result` sample. */
export interface HogResultValues {
  start_ms: number;
  end_ms: number;
  /** When the hog's command ended (killed or done). */
  exit_ms?: number;
  asked_mib: number;
  exit_code?: number;
  touched_mib?: number;
  limit_bytes?: number;
  cap_bytes?: number;
  /** 1 requested, 2 hard cap, 3 host reserve: what set the unlimited hog's size. */
  cap_bound?: number;
  oom_kills_before?: number;
  oom_kills_after?: number;
  /** VM: "Out of memory: Killed process" lines its console gained during the phase. */
  guest_oom_kills?: number;
  /** VM: 1 when it was still running and its agent answered `ping` afterwards. */
  running_after?: number;
  ping_ms?: number;
  /** 1 when Isolab's watchdog killed it. */
  guard_stopped?: number;
}

export const CAP_BOUNDS: readonly HogBound[] = ["requested", "hard cap", "host reserve"];

export interface IsolationPhase {
  id: PhaseId;
  label: string;
  startMs: number;
  endMs: number;
}

/** Who ended the hog, as measured: its cgroup's OOM killer, the guest's kernel, or Isolab's guard. */
export type KilledBy = "cgroup" | "guest-kernel" | "isolab-guard" | null;

export interface HogOutcome {
  hog: IsolationHog;
  kind: "container" | "vm";
  accel?: Accel;
  /** What the kernel enforces: the cgroup's limit, or the VM's guest memory; null without a limit. */
  limitBytes: number | null;
  /** The unlimited hog's size as Isolab bounded it, and what bound it. */
  capBytes: number | null;
  capBound: HogBound | null;
  askedMiB: number;
  /** The hog's own last progress line: how far it got. */
  touchedMiB: number | null;
  exitCode: number | null;
  killedBy: KilledBy;
  /** Container: the cgroup's oom_kill count gained during the phase. */
  oomKills: number | null;
  /** VM: OOM kills its console reported during the phase. */
  guestOomKills: number | null;
  /**
   * Host view at the phase start and its peak: cgroup usage (container) or
   * QEMU RSS (VM). A container's peak is the kernel's own high-water mark
   * when it keeps one, so a peak between two samples is not missed.
   */
  hostStartBytes: number | null;
  hostPeakBytes: number | null;
  /** VM: resident guest RAM and QEMU's own memory at the peak. */
  guestRamPeakBytes: number | null;
  qemuOwnPeakBytes: number | null;
  runningAfter: boolean | null;
  pingMs: number | null;
  availableStartBytes: number | null;
  availableMinBytes: number | null;
  availableEndBytes: number | null;
  guardStopped: boolean;
  /** What the watchdog saw when it stopped the hog, in words. */
  guardReason: string | null;
  startMs: number | null;
  endMs: number | null;
  /** Why it did not run. */
  error: string | null;
}

export interface LatencyStats {
  n: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface NeighbourLatency {
  kind: InstanceKind;
  accel?: Accel;
  perPhase: Partial<Record<PhaseId, LatencyStats>>;
}

export interface IsolationEvent {
  tMs: number;
  hog: IsolationHog;
  kind: "container" | "vm";
  label: string;
}

export type VerdictOutcome = "contained" | "not-contained" | "skipped" | "unclear";

export interface IsolationVerdict {
  hog: IsolationHog;
  kind: "container" | "vm";
  outcome: VerdictOutcome;
  /** One plain-language sentence (or two) derived from the measured events. */
  text: string;
}

export interface IsolationResult {
  type: "isolation";
  host: {
    totalBytes: number | null;
    reserveBytes: number | null;
    swapTotalBytes: number | null;
    swapFreeBytes: number | null;
    availableStartBytes: number | null;
  };
  phases: IsolationPhase[];
  hogs: HogOutcome[];
  neighbours: NeighbourLatency[];
  events: IsolationEvent[];
  verdicts: IsolationVerdict[];
  skipped: SkippedKind[];
}
