import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { Instance } from "@/lib/core/types";
import { buildFamilies } from "./exposition";
import { emptyHistogram, observe, STARTUP_BUCKETS_S } from "./histogram";
import { formatExposition } from "./prometheus";
import type { InstanceSample } from "./samples";

const base = { image: "probe", memoryMiB: 128, cpus: 1, createdAt: "2025-01-01T00:00:00Z" };
const instances: Instance[] = [
  {
    ...base,
    id: "vm-1",
    name: "vm-a",
    kind: "vm",
    state: "running",
    accel: "tcg",
    startup: {
      totalMs: 1234,
      phases: [
        { name: "qemu-up", ms: 30 },
        { name: "kernel", ms: 1000 },
        { name: "ready", ms: 204 },
      ],
    },
  },
  { ...base, id: "ct-1", name: 'ct "quoted"\\', kind: "container", state: "running", runtime: "runc" },
  { ...base, id: "ct-2", name: "gone", kind: "container", state: "exited", runtime: "runc", reason: "killed" },
];
const s = (over: Partial<InstanceSample>): InstanceSample => ({
  t: 1,
  cpuPercent: 1,
  cpuSeconds: 2.5,
  memoryHostBytes: 1000,
  rssBytes: 900,
  hostThreads: 3,
  hostProcesses: 1,
  ...over,
});
const latest = {
  "vm-1": s({ pssBytes: 1000, guestMemoryBytes: 400, guestMemTotalBytes: 2000, guestProcesses: 50, overheadBytes: 600 }),
  "ct-1": s({ cacheBytes: 100, oomKills: 0 }),
  "ct-2": s({ memoryHostBytes: 77 }),
};
const containerStarts = emptyHistogram(STARTUP_BUCKETS_S);
for (const s of [0.012, 0.03, 0.04]) observe(containerStarts, s);
const warmStarts = emptyHistogram(STARTUP_BUCKETS_S);
observe(warmStarts, 0.12);
const input = {
  startups: [
    { kind: "container" as const, histogram: containerStarts },
    { kind: "vm" as const, startMode: "warm" as const, histogram: warmStarts },
  ],
  hostInfo: { hostname: "node-a", accelerator: "tcg", cgroup: "v2" },
  memoryReserveBytes: 2 ** 31,
  nowMs: 1_700_000_000_500,
  instances,
  latest,
  host: { t: 1, cpuPercent: 12.5, memTotalBytes: 8e9, memAvailableBytes: 6e9 },
  sampler: {
    intervalMs: 1000,
    guestIntervalMs: 5000,
    ticks: 9,
    instancesSampled: 2,
    lastTickCpuMs: 0.5,
    lastTickWallMs: 0.6,
    meanTickCpuMs: 0.4,
    cpuPercentOfCore: 0.04,
    cpuSecondsTotal: 0.0036,
    guestReads: 3,
    guestErrors: 0,
  },
};

describe("buildFamilies", () => {
  const text = formatExposition(buildFamilies(input));

  it("labels instance series with kind, name, accel and runtime, escaped", () => {
    expect(text).toContain('isolab_cpu_seconds_total{kind="vm",name="vm-a",accel="tcg"} 2.5');
    expect(text).toContain('isolab_memory_cache_bytes{kind="container",name="ct \\"quoted\\"\\\\",runtime="runc"} 100');
    expect(text).toContain('isolab_memory_overhead_bytes{kind="vm",name="vm-a",accel="tcg"} 600');
  });
  it("never uses the label Prometheus reserves for the scraped target", () => expect(text).not.toMatch(/[{,]instance="/));
  it("counts instances by kind and state, zeros included", () => {
    expect(text).toContain('isolab_instances{kind="container",state="running"} 1');
    expect(text).toContain('isolab_instances{kind="container",state="exited"} 1');
    expect(text).toContain('isolab_instances{kind="process",state="running"} 0');
  });
  it("leaves stopped instances out of live series", () => expect(text).not.toContain('name="gone"} 77'));
  it("exposes every measured start as a cumulative histogram by kind and start mode", () => {
    expect(text).toContain("# TYPE isolab_startup_seconds histogram");
    expect(text).toContain('isolab_startup_seconds_bucket{kind="container",le="0.01"} 0');
    expect(text).toContain('isolab_startup_seconds_bucket{kind="container",le="0.025"} 1');
    expect(text).toContain('isolab_startup_seconds_bucket{kind="container",le="0.05"} 3');
    expect(text).toContain('isolab_startup_seconds_bucket{kind="container",le="+Inf"} 3');
    expect(text).toContain('isolab_startup_seconds_count{kind="container"} 3');
    expect(text).toContain('isolab_startup_seconds_bucket{kind="vm",start_mode="warm",le="0.15"} 1');
    expect(text).toMatch(/isolab_startup_seconds_sum\{kind="container"\} 0\.08\d*/);
  });
  it("names the host's facts and its memory reserve", () => {
    expect(text).toContain('isolab_host_info{hostname="node-a",accelerator="tcg",cgroup="v2"} 1');
    expect(text).toContain("isolab_host_memory_reserve_bytes 2147483648");
    expect(text).toContain("isolab_host_time_seconds 1700000000.5");
  });
  it("reports startup, host and sampler figures in base units", () => {
    expect(text).toContain('isolab_instance_startup_seconds{kind="vm",name="vm-a",accel="tcg"} 1.234');
    expect(text).toContain('isolab_startup_phase_seconds{kind="vm",name="vm-a",accel="tcg",phase="kernel"} 1');
    expect(text).toContain("isolab_host_cpu_usage_ratio 0.125");
    expect(text).toContain("isolab_sampler_seconds_total 0.0036");
  });
  it.skipIf(!fs.existsSync("/usr/bin/promtool"))("passes promtool check metrics, histogram included, with no lint warning", () => {
    // promtool exits non-zero on a parse error and prints lint findings (units, counters' _total, histogram shape).
    const out = execFileSync("promtool", ["check", "metrics"], { input: text, stdio: ["pipe", "pipe", "pipe"] }).toString();
    expect(out.trim()).toBe("");
  });
  it("is valid with no instances and no sampler yet", () => {
    expect(() => formatExposition(buildFamilies({ instances: [], latest: {}, host: null, sampler: null }))).not.toThrow();
  });
});
