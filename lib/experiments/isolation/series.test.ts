import { describe, expect, it } from "vitest";
import { ISOLATION_HOGS } from "./schema";
import { isolationSeries, latencyBuckets } from "./series";
import { summarizeIsolation } from "./summary";
import { isolationRun } from "./test-fixtures";

describe("isolationSeries", () => {
  const samples = isolationRun();
  const result = summarizeIsolation(samples, { hogs: [...ISOLATION_HOGS], neighbours: ["process", "container", "vm"] }, []);
  const s = isolationSeries(samples, result);

  it("puts everything on one axis of seconds since the timeline started", () => {
    expect(s.durationS).toBe(20);
    expect(s.phases[1]).toEqual({ id: "container-limited", label: "limited container hog", startS: 3, endS: 6 });
    expect(s.available[0]).toEqual({ t: 0, v: 22 });
    expect(s.reserveGiB).toBeCloseTo(4.8, 6);
    expect(s.events.map((e) => e.t)).toEqual([4.25, 7.1, 15]);
  });

  it("draws each hog against its own line: cgroup limit, guest memory, Isolab's cap", () => {
    expect(s.hogs.map((h) => [h.hog, h.limitMiB, h.limitLabel])).toEqual([
      ["container-limited", 64, "cgroup limit"],
      ["vm", 128, "guest memory"],
      ["container-unlimited", 1024, "Isolab's cap (no kernel limit)"],
    ]);
    expect(s.hogs[1].guestRam.at(-1)).toEqual({ t: 10, v: 128 });
    expect(s.hogs[0].touched).toEqual([{ t: 4.1, v: 60 }]);
  });

  it("buckets latency ticks to the worst per half second, per kind", () => {
    expect(s.latencyKinds).toEqual(["process", "container", "vm"]);
    expect(s.latency[0]).toEqual({ t: 0.25, process: 0.1, container: 0.12, vm: 2 });
    expect(s.latency.find((r) => r.t === 10.25)).toEqual({ t: 10.25, process: 0.4, container: 0.5, vm: 3 });
  });
});

describe("latencyBuckets", () => {
  it("is empty without latency samples", () => {
    expect(latencyBuckets([])).toEqual([]);
  });
});
