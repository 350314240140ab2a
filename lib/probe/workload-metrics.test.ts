import { describe, expect, it } from "vitest";
import { parseLastJson } from "./output";
import { workloadValues } from "./workload-metrics";

describe("workloadValues", () => {
  it.each([
    {
      workload: "cpu" as const,
      out: '{"workload":"cpu","ops":298800000,"seconds":0.500037,"opsPerSec":597556332}',
      want: { ops_per_s: 597556332, ops: 298800000, seconds_s: 0.500037 },
    },
    {
      workload: "stream" as const,
      out: '{"workload":"stream","copyMBps":28341.0,"scaleMBps":27415.4,"addMBps":28170.7,"triadMBps":30649.3}',
      want: { copy_mbps: 28341, scale_mbps: 27415.4, add_mbps: 28170.7, triad_mbps: 30649.3 },
    },
    {
      workload: "syscall" as const,
      out: '{"workload":"syscall","calls":200000,"nsPerCall":195.9}',
      want: { ns_per_call: 195.9, calls: 200000 },
    },
    {
      workload: "io" as const,
      out: '{"progress":true}\n{"workload":"io","writeMBps":1268.9,"readMBps":15761.5}\n',
      want: { write_mbps: 1268.9, read_mbps: 15761.5 },
    },
  ])("$workload", ({ workload, out, want }) => {
    expect(workloadValues(workload, parseLastJson(out))).toEqual(want);
  });

  it.each([
    { workload: "cpu" as const, json: { workload: "syscall", calls: 1, nsPerCall: 1 } },
    { workload: "syscall" as const, json: { workload: "syscall", calls: 1 } },
    { workload: "io" as const, json: undefined },
  ])("refuses a $workload result of the wrong shape", ({ workload, json }) => {
    expect(() => workloadValues(workload, json)).toThrow();
  });
});
