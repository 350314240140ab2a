import { describe, expect, it } from "vitest";
import type { Instance } from "@/lib/core/types";
import { appendToWindow, hostSamplesToCsv, kindTotals, samplesDownloadUrl, samplesToCsv, type InstanceSample } from "./samples";

const sample = (t: number, over: Partial<InstanceSample> = {}): InstanceSample => ({
  t,
  cpuPercent: 1,
  cpuSeconds: 2,
  memoryHostBytes: 100,
  rssBytes: 90,
  hostThreads: 1,
  hostProcesses: 1,
  ...over,
});
const inst = (id: string, kind: Instance["kind"], state: Instance["state"] = "running"): Instance => ({
  id,
  name: id,
  kind,
  image: "probe",
  state,
  memoryMiB: 128,
  cpus: 1,
  createdAt: "2025-01-01T00:00:00Z",
});

describe("appendToWindow", () => {
  it.each([
    { series: [], add: 5000, window: 60, expected: [5000] },
    { series: [1000, 2000], add: 3000, window: 60, expected: [1000, 2000, 3000] },
    { series: [1000, 2000, 3000], add: 62_000, window: 60, expected: [3000, 62_000] },
    { series: [1000, 2000], add: 2000, window: 60, expected: [1000, 2000] }, // already there
    { series: [1000, 2000], add: 1500, window: 60, expected: [1000, 2000] }, // late
  ])("$series + $add ($window s) = $expected", ({ series, add, window, expected }) => {
    expect(
      appendToWindow(
        series.map((t) => ({ t })),
        { t: add },
        window,
      ).map((s) => s.t),
    ).toEqual(expected);
  });
});

describe("kindTotals", () => {
  it("sums the latest host view of running instances per kind", () => {
    const instances = [inst("a", "container"), inst("b", "container"), inst("c", "vm"), inst("d", "vm", "exited"), inst("e", "process")];
    const latest = {
      a: sample(1, { memoryHostBytes: 10, cpuPercent: 1.5 }),
      b: sample(1, { memoryHostBytes: 20, cpuPercent: null }),
      c: sample(1, { memoryHostBytes: 300, cpuPercent: 50, guestMemoryBytes: 40 }),
      d: sample(1, { memoryHostBytes: 999, cpuPercent: 99 }),
    };
    const t = kindTotals(instances, latest);
    expect(t.container).toEqual({ kind: "container", running: 2, sampled: 2, memoryHostBytes: 30, cpuPercent: 1.5, guestMemoryBytes: 0 });
    expect(t.vm).toEqual({ kind: "vm", running: 1, sampled: 1, memoryHostBytes: 300, cpuPercent: 50, guestMemoryBytes: 40 });
    expect(t.process).toMatchObject({ running: 1, sampled: 0, memoryHostBytes: 0 });
  });
});

describe("samplesToCsv", () => {
  it("writes a header, ISO time and empty cells for missing fields", () => {
    const csv = samplesToCsv([
      sample(Date.UTC(2025, 0, 2, 3, 4, 5), { cpuPercent: 12.34567, oomKills: 0 }),
      sample(Date.UTC(2025, 0, 2, 3, 4, 6), { cpuPercent: null }),
    ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "time,t,cpuPercent,cpuSeconds,memoryHostBytes,rssBytes,pssBytes,cacheBytes,hostThreads,hostProcesses,oomKills,guestMemoryBytes,guestMemTotalBytes,guestProcesses,guestAt,overheadBytes",
    );
    expect(lines[1]).toBe("2025-01-02T03:04:05.000Z,1735787045000,12.346,2,100,90,,,1,1,0,,,,,");
    expect(lines[2]).toBe("2025-01-02T03:04:06.000Z,1735787046000,,2,100,90,,,1,1,,,,,,");
    expect(lines[3]).toBe("");
  });
  it("is a header alone for no samples", () => expect(samplesToCsv([]).split("\r\n")).toHaveLength(2));
});

describe("host CSV and download URLs", () => {
  it("writes host samples with their own columns", () => {
    const csv = hostSamplesToCsv([{ t: Date.UTC(2025, 0, 1), cpuPercent: null, memTotalBytes: 8, memAvailableBytes: 6 }]);
    expect(csv).toBe("time,t,cpuPercent,memTotalBytes,memAvailableBytes\r\n2025-01-01T00:00:00.000Z,1735689600000,,8,6\r\n");
  });
  it.each([
    ["ct-1", 300, "csv", "/api/instances/ct-1/samples?window=300&format=csv"],
    [null, 60, "json", "/api/samples?window=60&format=json"],
  ] as const)("%s %s %s", (id, w, f, url) => expect(samplesDownloadUrl(id, w, f)).toBe(url));
});
