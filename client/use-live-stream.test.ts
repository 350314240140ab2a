import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { InstanceSample, InstanceSamples, SampleTick, SamplesSnapshot, SamplerStats } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import { queryKeys } from "./query-keys";
import { mergeInstance, mergeRemoved, mergeTick } from "./use-live-stream";

// How stream events land in the react-query caches the components read.

const inst = (id: string, state: Instance["state"] = "running", reason?: string): Instance => ({
  id,
  name: id,
  kind: "vm",
  image: "probe",
  state,
  reason,
  memoryMiB: 128,
  cpus: 1,
  createdAt: "x",
});
const sample = (t: number): InstanceSample => ({ t, cpuPercent: 1, cpuSeconds: 1, memoryHostBytes: 5, rssBytes: 5, hostThreads: 1, hostProcesses: 1 });
const stats = { ticks: 1 } as SamplerStats;
const series = (id: string, windowS: number, ts: number[]): InstanceSamples => ({
  id,
  name: id,
  kind: "vm",
  state: "running",
  windowS: windowS as 60,
  intervalMs: 1000,
  samples: ts.map(sample),
});

describe("stream → cache", () => {
  it("upserts instances into the list and the single-instance query, and carries state to its samples", () => {
    const qc = new QueryClient();
    qc.setQueryData(queryKeys.instances, [inst("a"), inst("b")]);
    qc.setQueryData(queryKeys.instanceSamples("a", 60), series("a", 60, [1000]));
    mergeInstance(qc, inst("a", "exited", "QEMU killed by SIGKILL"));
    mergeInstance(qc, inst("c", "creating"));
    expect(qc.getQueryData<Instance[]>(queryKeys.instances)?.map((i) => `${i.id}:${i.state}`)).toEqual(["a:exited", "b:running", "c:creating"]);
    expect(qc.getQueryData<Instance>(queryKeys.instance("a"))?.reason).toBe("QEMU killed by SIGKILL");
    expect(qc.getQueryData<InstanceSamples>(queryKeys.instanceSamples("a", 60))).toMatchObject({ state: "exited", reason: "QEMU killed by SIGKILL" });
  });

  it("drops a removed instance from the list", () => {
    const qc = new QueryClient();
    qc.setQueryData(queryKeys.instances, [inst("a"), inst("b")]);
    mergeRemoved(qc, "a");
    expect(qc.getQueryData<Instance[]>(queryKeys.instances)?.map((i) => i.id)).toEqual(["b"]);
  });

  it("appends a tick to every window of each instance, trimming by time, and refreshes the snapshot", () => {
    const qc = new QueryClient();
    qc.setQueryData(queryKeys.instanceSamples("a", 60), series("a", 60, [1000, 2000, 3000]));
    qc.setQueryData(queryKeys.instanceSamples("a", 300), series("a", 300, [1000, 2000, 3000]));
    qc.setQueryData<SamplesSnapshot>(queryKeys.samplesSnapshot(60), { windowS: 60, host: [], sampler: null, latest: { b: sample(1) } });
    const tick: SampleTick = {
      t: 62_000,
      host: { t: 62_000, cpuPercent: 5, memTotalBytes: 10, memAvailableBytes: 5 },
      sampler: stats,
      instances: { a: sample(62_000) },
    };
    mergeTick(qc, tick);
    expect(qc.getQueryData<InstanceSamples>(queryKeys.instanceSamples("a", 60))?.samples.map((s) => s.t)).toEqual([3000, 62_000]);
    expect(qc.getQueryData<InstanceSamples>(queryKeys.instanceSamples("a", 300))?.samples.map((s) => s.t)).toEqual([1000, 2000, 3000, 62_000]);
    const snap = qc.getQueryData<SamplesSnapshot>(queryKeys.samplesSnapshot(60))!;
    expect(Object.keys(snap.latest).sort()).toEqual(["a", "b"]);
    expect(snap.host).toHaveLength(1);
    expect(snap.sampler).toBe(stats);
    // A query nobody opened is not created by the stream.
    expect(qc.getQueryData(queryKeys.instanceSamples("a", 900))).toBeUndefined();
  });
});
