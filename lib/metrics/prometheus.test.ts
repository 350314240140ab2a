import { describe, expect, it } from "vitest";
import { escapeHelp, escapeLabelValue, formatExposition, formatValue } from "./prometheus";

describe("escaping", () => {
  it.each([
    ["plain", "plain"],
    ['say "hi"', 'say \\"hi\\"'],
    ["C:\\dir", "C:\\\\dir"],
    ["two\nlines", "two\\nlines"],
    ['\\"\n', '\\\\\\"\\n'],
  ])("label value %j → %j", (input, out) => expect(escapeLabelValue(input)).toBe(out));
  it.each([
    ["CPU time", "CPU time"],
    ['quotes "stay"', 'quotes "stay"'],
    ["a\\b\nc", "a\\\\b\\nc"],
  ])("help %j → %j", (input, out) => expect(escapeHelp(input)).toBe(out));
  it.each([
    [0, "0"],
    [1.5, "1.5"],
    [123456789012, "123456789012"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ])("value %s → %s", (v, s) => expect(formatValue(v)).toBe(s));
});

describe("formatExposition", () => {
  it("writes HELP, TYPE and one line per series, skipping empty labels", () => {
    const text = formatExposition([
      {
        name: "isolab_cpu_seconds_total",
        help: "CPU time the host spent on the instance.",
        type: "counter",
        samples: [
          { labels: { kind: "vm", instance: "web-1", accel: "tcg", runtime: undefined }, value: 1.25 },
          { labels: { kind: "container", instance: 'odd"name\\', runtime: "runc", accel: "" }, value: 0 },
        ],
      },
      { name: "isolab_instances", help: "Instances by kind\nand state.", type: "gauge", samples: [{ value: 3 }] },
      { name: "isolab_empty", help: "No series yet.", type: "gauge", samples: [] },
    ]);
    expect(text).toBe(
      [
        "# HELP isolab_cpu_seconds_total CPU time the host spent on the instance.",
        "# TYPE isolab_cpu_seconds_total counter",
        'isolab_cpu_seconds_total{kind="vm",instance="web-1",accel="tcg"} 1.25',
        'isolab_cpu_seconds_total{kind="container",instance="odd\\"name\\\\",runtime="runc"} 0',
        "# HELP isolab_instances Instances by kind\\nand state.",
        "# TYPE isolab_instances gauge",
        "isolab_instances 3",
        "# HELP isolab_empty No series yet.",
        "# TYPE isolab_empty gauge",
        "",
      ].join("\n"),
    );
  });

  it("is empty for no families", () => expect(formatExposition([])).toBe(""));

  it.each([
    [{ name: "bad-name", help: "", type: "gauge" as const, samples: [] }, /invalid metric name/],
    [{ name: "ok", help: "", type: "gauge" as const, samples: [{ labels: { "bad-label": "x" }, value: 1 }] }, /invalid label name/],
    [{ name: "ok", help: "", type: "gauge" as const, samples: [{ labels: { __reserved: "x" }, value: 1 }] }, /invalid label name/],
    [
      {
        name: "ok",
        help: "",
        type: "gauge" as const,
        samples: [
          { labels: { a: "1" }, value: 1 },
          { labels: { a: "1", b: "" }, value: 2 },
        ],
      },
      /appears twice/,
    ],
  ])("refuses %j", (family, err) => expect(() => formatExposition([family])).toThrow(err));

  it("refuses a family given twice", () => {
    const f = { name: "x", help: "", type: "gauge" as const, samples: [] };
    expect(() => formatExposition([f, f])).toThrow(/twice/);
  });
});
