import { INSTANCE_KINDS, type Instance } from "@/lib/core/types";
import { histogramSamples, type Histogram } from "./histogram";
import type { MetricFamily, MetricSample } from "./prometheus";
import type { HostSample, InstanceSample, SamplerStats } from "./samples";

// Isolab's metrics as Prometheus families, named after Incus's /1.0/metrics
// (incus_cpu_seconds_total, incus_memory_*_bytes, incus_processes…) with
// labels kind, name (the instance's name), accel and runtime. The label is
// `name`, not `instance`: Prometheus sets `instance` to the scraped target
// and would rename ours to `exported_instance`. Host-wide series carry no
// host label either: the target (`instance`, and the `host` label Isolab's
// scrape config adds) names the host. Pure: the route feeds it the
// supervisor's list, the sampler's latest readings and the startup histograms.

const STATES: Instance["state"][] = ["creating", "running", "stopping", "stopped", "exited", "failed"];

export interface ExpositionInput {
  instances: Instance[];
  latest: Record<string, InstanceSample>;
  host: HostSample | null;
  sampler: SamplerStats | null;
  /** Every start this server measured since it began, one histogram per kind and start mode. */
  startups?: StartupHistogram[];
  /** The host's facts, as isolab_host_info labels; absent in callers that have none. */
  hostInfo?: HostInfoLabels;
  /** The host's memory reserve (lib/host/memory-guard.ts), bytes. */
  memoryReserveBytes?: number;
  /** The host's clock when the exposition was written, ms since the epoch: a down host's "last seen". */
  nowMs?: number;
}

export interface StartupHistogram {
  kind: Instance["kind"];
  startMode?: Instance["startMode"];
  histogram: Histogram;
}

export interface HostInfoLabels {
  hostname: string;
  /** kvm, tcg, or "unknown" before the accelerator has been probed. */
  accelerator: string;
  cgroup: string;
}

const labelsOf = (i: Instance) => ({ kind: i.kind, name: i.name, accel: i.accel, runtime: i.runtime });

export function buildFamilies({ instances, latest, host, sampler, startups = [], hostInfo, memoryReserveBytes, nowMs }: ExpositionInput): MetricFamily[] {
  const running = instances.filter((i) => i.state === "running" && latest[i.id]);
  const perInstance = (name: string, help: string, type: MetricFamily["type"], pick: (s: InstanceSample) => number | undefined): MetricFamily => ({
    name,
    help,
    type,
    samples: running.flatMap((i): MetricSample[] => {
      const v = pick(latest[i.id]);
      return v === undefined ? [] : [{ labels: labelsOf(i), value: v }];
    }),
  });
  const single = (name: string, help: string, type: MetricFamily["type"], value: number | undefined): MetricFamily => ({
    name,
    help,
    type,
    samples: value === undefined ? [] : [{ value }],
  });

  return [
    {
      name: "isolab_instances",
      help: "Instances known to Isolab, by kind and state.",
      type: "gauge",
      samples: INSTANCE_KINDS.flatMap((kind) =>
        STATES.map((state) => ({ labels: { kind, state }, value: instances.filter((i) => i.kind === kind && i.state === state).length })),
      ),
    },
    perInstance("isolab_cpu_seconds_total", "Host CPU time spent on the instance (cgroup, or all threads of its process).", "counter", (s) => s.cpuSeconds),
    perInstance("isolab_memory_host_bytes", "Host view of memory: cgroup usage (container), PSS (vm, process).", "gauge", (s) => s.memoryHostBytes),
    perInstance("isolab_memory_rss_bytes", "Resident memory: cgroup rss (container), process RSS (vm, process).", "gauge", (s) => s.rssBytes),
    perInstance("isolab_memory_pss_bytes", "Proportional set size of the instance's host process.", "gauge", (s) => s.pssBytes),
    perInstance("isolab_memory_cache_bytes", "Page cache charged to the container's cgroup.", "gauge", (s) => s.cacheBytes),
    perInstance("isolab_memory_guest_bytes", "Guest view of memory: MemTotal - MemAvailable as the workload sees it.", "gauge", (s) => s.guestMemoryBytes),
    perInstance("isolab_memory_guest_total_bytes", "MemTotal as the workload sees it.", "gauge", (s) => s.guestMemTotalBytes),
    perInstance("isolab_memory_overhead_bytes", "Host view minus guest view, for guests with memory of their own.", "gauge", (s) => s.overheadBytes),
    perInstance("isolab_host_threads", "Threads the host runs for the instance.", "gauge", (s) => s.hostThreads),
    perInstance("isolab_host_processes", "Processes the host runs for the instance.", "gauge", (s) => s.hostProcesses),
    perInstance("isolab_guest_processes", "Processes visible inside the instance.", "gauge", (s) => s.guestProcesses),
    perInstance("isolab_oom_kills_total", "OOM kills in the instance's cgroup.", "counter", (s) => s.oomKills),
    {
      name: "isolab_memory_limit_bytes",
      help: "Memory granted to the instance.",
      type: "gauge",
      samples: instances.filter((i) => i.state === "running").map((i) => ({ labels: labelsOf(i), value: i.memoryMiB * 2 ** 20 })),
    },
    {
      name: "isolab_startup_seconds",
      help: "Starts measured by this server since it began: time from the request to READY, host monotonic clock.",
      type: "histogram",
      samples: startups.flatMap((s) => histogramSamples(s.histogram, { kind: s.kind, start_mode: s.startMode })),
    },
    {
      name: "isolab_instance_startup_seconds",
      help: "How long each known instance took to start, host monotonic clock.",
      type: "gauge",
      samples: instances.flatMap((i) => (i.startup ? [{ labels: labelsOf(i), value: i.startup.totalMs / 1000 }] : [])),
    },
    {
      name: "isolab_startup_phase_seconds",
      help: "Duration of each startup phase.",
      type: "gauge",
      samples: instances.flatMap((i) => (i.startup?.phases ?? []).map((p) => ({ labels: { ...labelsOf(i), phase: p.name }, value: p.ms / 1000 }))),
    },
    {
      name: "isolab_host_info",
      help: "Facts about the host: hostname, accelerator, cgroup version (value 1).",
      type: "gauge",
      samples: hostInfo ? [{ labels: { hostname: hostInfo.hostname, accelerator: hostInfo.accelerator, cgroup: hostInfo.cgroup }, value: 1 }] : [],
    },
    single(
      "isolab_host_time_seconds",
      "The host's clock when these metrics were read (max_over_time of it is when the host was last seen).",
      "gauge",
      nowMs === undefined ? undefined : nowMs / 1000,
    ),
    single("isolab_host_memory_total_bytes", "Host MemTotal.", "gauge", host?.memTotalBytes),
    single("isolab_host_memory_reserve_bytes", "MemAvailable Isolab's experiments never go below: max(20 % of MemTotal, 2 GiB).", "gauge", memoryReserveBytes),
    single("isolab_host_memory_available_bytes", "Host MemAvailable.", "gauge", host?.memAvailableBytes),
    single(
      "isolab_host_cpu_usage_ratio",
      "Host CPU busy time over the last sampling interval, all cores, 0-1.",
      "gauge",
      host?.cpuPercent == null ? undefined : host.cpuPercent / 100,
    ),
    single("isolab_sampler_seconds_total", "CPU time Isolab's sampler spent, seconds.", "counter", sampler?.cpuSecondsTotal),
    single("isolab_sampler_ticks_total", "Host-view sampling passes.", "counter", sampler?.ticks),
    single("isolab_sampler_last_tick_seconds", "CPU time of the last sampling pass.", "gauge", sampler ? sampler.lastTickCpuMs / 1000 : undefined),
    single("isolab_sampler_guest_reads_total", "Successful guest-view reads through the probe.", "counter", sampler?.guestReads),
    single("isolab_sampler_guest_errors_total", "Failed guest-view reads.", "counter", sampler?.guestErrors),
  ];
}
