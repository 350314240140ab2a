import { describe, expect, it } from "vitest";
import type { CgroupUsage } from "@/lib/host/cgroup";
import type { HostReaders } from "@/server/metrics/readers";
import { hostUsageReader } from "./host-usage";

const readers = (over: Partial<HostReaders> = {}): HostReaders => ({
  procStat: () => ({ pid: 1, comm: "qemu", state: "S", utimeTicks: 150, stimeTicks: 50, numThreads: 4, startTicks: 1, rssPages: 1 }),
  smapsRollup: () => ({ rssBytes: 200, pssBytes: 100 }),
  cgroup: (): CgroupUsage => ({
    version: 2,
    cpuNs: 7e6,
    memoryBytes: 4096,
    rssBytes: 4096,
    cacheBytes: 0,
    limitBytes: null,
    oomKills: 0,
    pids: 1,
    procs: [1],
    tasks: [1],
  }),
  meminfo: () => ({ MemTotal: 1, MemAvailable: 1, MemFree: 1 }),
  hostCpu: () => ({ totalTicks: 1, idleTicks: 1 }),
  ...over,
});

describe("hostUsageReader", () => {
  it.each([
    { target: { kind: "vm" as const, pid: 1 }, want: { cpuNs: 2e9, cpuResolutionNs: 1e7, memoryBytes: 100, pssBytes: 100 } },
    { target: { kind: "process" as const, pid: 1 }, want: { cpuNs: 2e9, cpuResolutionNs: 1e7, memoryBytes: 100, pssBytes: 100 } },
    {
      target: { kind: "container" as const, pid: 1, cgroupPath: "/isolab/ct-1" },
      want: { cpuNs: 7e6, cpuResolutionNs: 1, memoryBytes: 4096, cgroupMemoryBytes: 4096, pssBytes: 100 },
    },
  ])("$target.kind: CPU of all threads (or the cgroup), PSS or cgroup memory", async ({ target, want }) => {
    expect(await hostUsageReader(readers())(target)).toEqual(want);
  });

  it("a container without a readable init still reports its cgroup", async () => {
    const r = hostUsageReader(
      readers({
        smapsRollup: () => {
          throw new Error("EACCES");
        },
      }),
    );
    expect(await r({ kind: "container", pid: 1, cgroupPath: "/isolab/ct-1" })).toEqual({
      cpuNs: 7e6,
      cpuResolutionNs: 1,
      memoryBytes: 4096,
      cgroupMemoryBytes: 4096,
      pssBytes: undefined,
    });
  });

  it("a process whose PSS cannot be read is an error, not a zero", async () => {
    const r = hostUsageReader(
      readers({
        smapsRollup: () => {
          throw new Error("gone");
        },
      }),
    );
    await expect(r({ kind: "vm", pid: 1 })).rejects.toThrow(/smaps_rollup/);
  });
});
