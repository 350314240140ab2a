import { describe, expect, it } from "vitest";
import { detectCgroupVersion, parseCgroupMounts, v1MountFor } from "./cgroup-mounts";
import {
  parseCounter,
  parseFlatKeyed,
  parseIdList,
  parseLimit,
  parseV1MemoryStat,
  parseV1OomControl,
  parseV2CpuStat,
  parseV2MemoryEvents,
  parseV2MemoryStat,
  usageFromV1,
  usageFromV2,
} from "./cgroup";

// /proc/mounts of this project's hosts: v1 controllers plus systemd's cgroup2 "unified".
const HYBRID_MOUNTS = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`;

// A classic Debian 10 / CentOS 7 layout: co-mounted cpu,cpuacct and no cgroup2.
const V1_MOUNTS = `cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0
cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset,clone_children 0 0
`;

const V2_MOUNTS = `proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
`;

describe("parseCgroupMounts / detectCgroupVersion", () => {
  it("reads v1 controllers, named hierarchies and the cgroup2 mount", () => {
    const mounts = parseCgroupMounts(HYBRID_MOUNTS);
    expect(mounts).toContainEqual({ mountPoint: "/sys/fs/cgroup/memory", version: 1, controllers: ["memory"] });
    expect(mounts).toContainEqual({ mountPoint: "/sys/fs/cgroup/systemd", version: 1, controllers: [], name: "systemd" });
    expect(mounts).toContainEqual({ mountPoint: "/sys/fs/cgroup/unified", version: 2, controllers: [] });
    expect(mounts).toHaveLength(6);
  });

  it.each([
    [HYBRID_MOUNTS, "hybrid"],
    [V1_MOUNTS, "v1"],
    [V2_MOUNTS, "v2"],
  ] as const)("detects the version (%#)", (text, version) => {
    expect(detectCgroupVersion(parseCgroupMounts(text))).toBe(version);
  });

  it("finds co-mounted controllers and ignores mount options", () => {
    const mounts = parseCgroupMounts(V1_MOUNTS);
    expect(v1MountFor(mounts, "cpuacct")?.mountPoint).toBe("/sys/fs/cgroup/cpu,cpuacct");
    expect(v1MountFor(mounts, "cpuset")?.controllers).toEqual(["cpuset"]);
    expect(v1MountFor(mounts, "pids")).toBeUndefined();
  });

  it("unescapes octal escapes in mount points", () => {
    const [m] = parseCgroupMounts("cgroup2 /mnt/my\\040cgroups cgroup2 rw 0 0\n");
    expect(m?.mountPoint).toBe("/mnt/my cgroups");
  });
});

// Trimmed from a real v1 memory.stat on this host.
const V1_MEMORY_STAT = `cache 10543104
rss 6373376
rss_huge 0
shmem 8998912
hierarchical_memory_limit 9223372036854771712
total_cache 646012928
total_rss 110604288
total_shmem 8998912
`;
const V1_OOM_CONTROL = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";

// A v2 memory.stat as written by Linux 6.1 (abridged).
const V2_MEMORY_STAT = `anon 1892352
file 4096000
kernel 774144
kernel_stack 49152
pagetables 61440
sock 0
shmem 16384
file_mapped 0
`;
const V2_MEMORY_EVENTS = "low 0\nhigh 0\nmax 17\noom 1\noom_kill 1\noom_group_kill 0\n";
const V2_CPU_STAT = "usage_usec 41523\nuser_usec 20112\nsystem_usec 21411\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n";

describe("cgroup file parsers", () => {
  it("parses flat keyed files, skipping blank and non-numeric lines", () => {
    expect(parseFlatKeyed("a 1\n\nb -2\nc max\n")).toEqual({ a: 1, b: -2 });
  });

  it("reads v1 memory.stat and memory.oom_control", () => {
    expect(parseV1MemoryStat(V1_MEMORY_STAT)).toEqual({ cache: 10543104, rss: 6373376, total_cache: 646012928, total_rss: 110604288 });
    expect(parseV1OomControl(V1_OOM_CONTROL).oom_kill).toBe(2);
    expect(parseV1OomControl("oom_kill_disable 0\nunder_oom 0\n").oom_kill).toBe(0);
  });

  it("reads v2 memory.stat, memory.events and cpu.stat", () => {
    expect(parseV2MemoryStat(V2_MEMORY_STAT)).toMatchObject({ anon: 1892352, file: 4096000, kernel: 774144 });
    expect(parseV2MemoryEvents(V2_MEMORY_EVENTS)).toEqual({ oom: 1, oom_kill: 1, max: 17 });
    expect(parseV2CpuStat(V2_CPU_STAT).usage_usec).toBe(41523);
  });

  it("rejects a memory.stat from the other version", () => {
    expect(() => parseV1MemoryStat(V2_MEMORY_STAT)).toThrow();
    expect(() => parseV2MemoryStat(V1_MEMORY_STAT)).toThrow();
  });

  it.each([
    ["268435456\n", 268435456],
    ["9223372036854771712\n", null],
    ["max\n", null],
  ])("parses the limit %j", (text, limit) => expect(parseLimit(text)).toBe(limit));

  it("parses counters and id lists", () => {
    expect(parseCounter("229844038243\n")).toBe(229844038243);
    expect(() => parseCounter("")).toThrow();
    expect(parseIdList("1\n17\n\n")).toEqual([1, 17]);
  });
});

describe("usageFromV1 / usageFromV2", () => {
  it("maps v1 files to one usage shape", () => {
    expect(
      usageFromV1({
        memoryUsage: "120000000\n",
        memoryStat: V1_MEMORY_STAT,
        memoryLimit: "268435456\n",
        oomControl: V1_OOM_CONTROL,
        cpuacctUsage: "52000000\n",
        pidsCurrent: "2\n",
        procs: "4101\n4120\n",
        tasks: "4101\n4120\n",
      }),
    ).toEqual({
      version: 1,
      memoryBytes: 120000000,
      rssBytes: 110604288,
      cacheBytes: 646012928,
      limitBytes: 268435456,
      oomKills: 2,
      cpuNs: 52000000,
      pids: 2,
      procs: [4101, 4120],
      tasks: [4101, 4120],
    });
  });

  it("maps v2 files to the same shape, usec to ns", () => {
    expect(
      usageFromV2({
        memoryCurrent: "6762496\n",
        memoryStat: V2_MEMORY_STAT,
        memoryMax: "max\n",
        memoryEvents: V2_MEMORY_EVENTS,
        cpuStat: V2_CPU_STAT,
        pidsCurrent: "1\n",
        procs: "933\n",
        threads: "933\n",
      }),
    ).toEqual({
      version: 2,
      memoryBytes: 6762496,
      rssBytes: 1892352,
      cacheBytes: 4096000,
      limitBytes: null,
      oomKills: 1,
      cpuNs: 41523000,
      pids: 1,
      procs: [933],
      tasks: [933],
    });
  });
});
