import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { savedBytes, summarizeKsm } from "./summary";
import { ksmHeadline, ksmText, restoreText } from "./text";

const MIB = 2 ** 20;
const PAGE = 4096;

let seq = 0;
const sample = (s: Partial<ExperimentSample> & Pick<ExperimentSample, "sample" | "rep" | "values">): ExperimentSample => ({
  seq: ++seq,
  kind: "host",
  warmup: false,
  takenAt: "2026-12-02T00:00:00Z",
  ...s,
});

/** One reading: `sharing` pages merged away, PSS and MemAvailable in MiB. */
const reading = (rep: number, t: number, sharing: number, pssMiB: number, availMiB: number, extra: Record<string, number> = {}) =>
  sample({
    sample: "ksm",
    rep,
    accel: "tcg",
    values: {
      t_s: t,
      page_size_bytes: PAGE,
      pages_shared: sharing / 2,
      pages_sharing: sharing,
      pages_unshared: 100,
      pages_volatile: 3,
      full_scans: rep * 4,
      ksm_zero_pages: 0,
      saved_bytes: savedBytes(sharing, 0, PAGE),
      mem_available_bytes: availMiB * MIB,
      vms: 4,
      vms_pss_bytes: pssMiB * MIB,
      vms_rss_bytes: pssMiB * MIB * 1.2,
      vms_merging_pages: (sharing * 3) / 2,
      ksmd_cpu_ms: rep * 500,
      ...extra,
    },
  });

const settings = (rep: number, values: Record<string, number>) => sample({ sample: "ksm-host", rep, values });

describe("savedBytes", () => {
  it("counts each extra mapping of a merged page and each page mapped to the zero page", () => {
    expect(savedBytes(256, undefined, PAGE)).toBe(MIB);
    expect(savedBytes(256, 256, PAGE)).toBe(2 * MIB);
  });
});

describe("summarizeKsm", () => {
  const samples = [
    settings(0, { run: 0, pages_to_scan: 100, sleep_millisecs: 20, advisor_scan_time: 0, pages_shared: 0 }),
    reading(0, 0, 0, 800, 10_000),
    settings(1, { run: 1, pages_to_scan: 1000, sleep_millisecs: 20, advisor_scan_time: 0 }),
    reading(1, 1, 0, 800, 10_000),
    reading(2, 2, 25_600, 720, 10_080), // 100 MiB merged away
    reading(3, 3, 51_200, 650, 10_190), // 200 MiB
    settings(2, { run: 0, pages_to_scan: 100, sleep_millisecs: 20, advisor_scan_time: 0, restored: 1, unmerged: 1 }),
  ];
  const r = summarizeKsm(samples, { vms: 4, memoryMiB: 128 }, []);

  it("builds the series from the readings while KSM ran, the baseline apart", () => {
    expect(r.baseline?.tS).toBe(0);
    expect(r.series.map((p) => [p.tS, p.savedBytes / MIB])).toEqual([
      [1, 0],
      [2, 100],
      [3, 200],
    ]);
    expect(r.accel).toBe("tcg");
  });

  it("sums it up: saved at the end, per VM, of the PSS before merging, time to first merge, ksmd's CPU", () => {
    expect(r.summary).toMatchObject({
      readings: 3,
      seconds: 3,
      savedEndBytes: 200 * MIB,
      savedPeakBytes: 200 * MIB,
      savedPerVmBytes: 50 * MIB,
      savedPctOfPss: 25,
      pssBeforeBytes: 800 * MIB,
      pssEndBytes: 650 * MIB,
      firstMergeS: 2,
      memAvailableChangeBytes: 190 * MIB,
      fullScans: 12,
      // 1500 ms of ksmd over 3 s
      ksmdCpuPct: 50,
      // 76 800 of the run's pages map merged pages; 25 600 + 51 200 are merged host-wide
      vmsShareOfMergedPct: 100,
    });
  });

  it("says what the host had, what the run set and that it was put back", () => {
    expect(r.host.before).toEqual({ run: 0, pagesToScan: 100, sleepMs: 20, advisorScanTime: false });
    expect(r.host.during).toMatchObject({ run: 1, pagesToScan: 1000 });
    expect(r.host.restored).toBe(true);
    expect(restoreText(r)).toBe(
      "restored to the host's own: run 0, pages_to_scan 100, sleep_millisecs 20, advisor none (run=2 unmerged what was merged, then run was set back)",
    );
    expect(ksmHeadline(r)).toBe("200 MiB saved over 4 VMs (50.0 MiB each, 25 % of their PSS) after 3 s");
    expect(ksmText(r).join("\n")).toMatch(/time to first merge\s+2\.0 s/);
  });

  it("counts from the host's own baseline: merging the host already had is not the run's first merge", () => {
    const already = summarizeKsm([reading(0, 0, 1000, 800, 1), reading(1, 1, 1000, 800, 1), reading(2, 2, 2000, 800, 1)], { vms: 4, memoryMiB: 128 }, []);
    expect(already.summary?.firstMergeS).toBe(2);
  });

  it("has no summary without a reading while KSM ran, and keeps the failed reading's words", () => {
    const failed = summarizeKsm(
      [reading(0, 0, 0, 800, 1), sample({ sample: "ksm", rep: 1, values: { t_s: 1 }, error: "reading 1: ENOENT" }), settings(2, { restored: 0 })],
      { vms: 2, memoryMiB: 128 },
      [],
    );
    expect(failed.summary).toBeNull();
    expect(failed.errors).toEqual(["reading 1: ENOENT"]);
    expect(failed.host.restored).toBe(false);
    expect(ksmHeadline(failed)).toBe("no reading");
  });
});
