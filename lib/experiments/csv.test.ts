import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "./types";
import { csvRecords, parseCsv, samplesToCsv } from "./csv";

const samples: ExperimentSample[] = [
  {
    seq: 1,
    kind: "process",
    sample: "startup",
    rep: 0,
    warmup: true,
    values: { total_ms: 3.25, phase_spawn_ms: 1.1, phase_ready_ms: 2.15 },
    takenAt: "2025-01-01T00:00:00.000Z",
  },
  {
    seq: 2,
    kind: "container",
    sample: "startup",
    rep: 1,
    warmup: false,
    values: { total_ms: 31.123456789, "phase_runtime-create_ms": 20.5 },
    takenAt: "2025-01-01T00:00:01.000Z",
  },
  { seq: 3, kind: "vm", sample: "startup", rep: 1, warmup: false, accel: "tcg", values: { total_ms: 1234.5678901234 }, takenAt: "2025-01-01T00:00:02.000Z" },
  {
    seq: 4,
    kind: "vm",
    sample: "startup",
    rep: 2,
    warmup: false,
    accel: "tcg",
    values: {},
    error: 'QEMU said "no", then exited,\nbadly',
    takenAt: "2025-01-01T00:00:03.000Z",
  },
  { seq: 5, kind: "process", sample: "idle", rep: 1, warmup: false, values: { cpu_pct: 1e-7, memory_bytes: 1048576 }, takenAt: "2025-01-01T00:00:04.000Z" },
];

describe("samplesToCsv", () => {
  const csv = samplesToCsv("x0123abcde", samples);

  it("has a header with fixed columns then every value column in first-seen order", () => {
    expect(parseCsv(csv)[0]).toEqual([
      "experiment_id",
      "seq",
      "kind",
      "sample",
      "rep",
      "warmup",
      "accel",
      "taken_at",
      "error",
      "total_ms",
      "phase_spawn_ms",
      "phase_ready_ms",
      "phase_runtime-create_ms",
      "cpu_pct",
      "memory_bytes",
    ]);
  });

  it("writes one row per sample", () => {
    expect(parseCsv(csv)).toHaveLength(1 + samples.length);
  });

  it("round-trips every number exactly and every error message intact", () => {
    const back = csvRecords(csv);
    back.forEach((row, i) => {
      const s = samples[i];
      expect(row.experiment_id).toBe("x0123abcde");
      expect(Number(row.seq)).toBe(s.seq);
      expect(row.kind).toBe(s.kind);
      expect(row.warmup).toBe(s.warmup ? "1" : "0");
      expect(row.accel).toBe(s.accel ?? "");
      expect(row.error).toBe(s.error ?? "");
      for (const [k, v] of Object.entries(s.values)) expect(Number(row[k])).toBe(v);
      const empty = Object.keys(row).filter((k) => k.endsWith("_ms") && !(k in s.values));
      for (const k of empty) expect(row[k]).toBe("");
    });
  });

  it("exports vm-warm starts and memory readings with their own columns", () => {
    const warm: ExperimentSample[] = [
      {
        seq: 1,
        kind: "vm-warm",
        sample: "startup",
        rep: 1,
        warmup: false,
        accel: "tcg",
        values: { total_ms: 112.4, "phase_qemu-up_ms": 25.1, "phase_state-loaded_ms": 35.2, phase_ready_ms: 52.1 },
        takenAt: "2025-01-01T00:00:00.000Z",
      },
      {
        seq: 2,
        kind: "vm-warm",
        sample: "memory",
        rep: 0,
        warmup: false,
        accel: "tcg",
        values: { t_s: 0, pss_bytes: 95e6, rss_bytes: 122e6 },
        takenAt: "2025-01-01T00:00:01.000Z",
      },
    ];
    const rows = csvRecords(samplesToCsv("x0123abcde", warm));
    expect(rows.map((r) => [r.kind, r.sample, r["phase_state-loaded_ms"], r.rss_bytes])).toEqual([
      ["vm-warm", "startup", "35.2", ""],
      ["vm-warm", "memory", "", "122000000"],
    ]);
  });

  it("writes only a header for no samples", () => {
    expect(csvRecords(samplesToCsv("x0123abcde", []))).toEqual([]);
  });
});

describe("parseCsv", () => {
  it.each([
    {
      text: "a,b\r\n1,2\r\n",
      want: [
        ["a", "b"],
        ["1", "2"],
      ],
    },
    {
      text: "a,b\n1,2",
      want: [
        ["a", "b"],
        ["1", "2"],
      ],
    },
    { text: 'a\n"x,""y"""\n', want: [["a"], ['x,"y"']] },
    {
      text: 'a,b\n"1\n2",\n',
      want: [
        ["a", "b"],
        ["1\n2", ""],
      ],
    },
  ])("$text", ({ text, want }) => expect(parseCsv(text)).toEqual(want));
});
