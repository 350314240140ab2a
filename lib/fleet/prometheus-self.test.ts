import { describe, expect, it } from "vitest";
import { parsePromDuration, parseReloadState } from "./prometheus-self";

// Excerpt of Prometheus 2.42's own /metrics.
const EXPOSITION = `# HELP prometheus_config_last_reload_success_timestamp_seconds Timestamp of the last successful configuration reload.
# TYPE prometheus_config_last_reload_success_timestamp_seconds gauge
prometheus_config_last_reload_success_timestamp_seconds 1.7961979857110205e+09
# HELP prometheus_config_last_reload_successful Whether the last configuration reload attempt was successful.
# TYPE prometheus_config_last_reload_successful gauge
prometheus_config_last_reload_successful 1
prometheus_config_last_reload_successful_total 3
`;

describe("parseReloadState", () => {
  it("reads both gauges, the time below the second", () =>
    expect(parseReloadState(EXPOSITION)).toEqual({ successful: true, lastSuccessS: 1796197985.7110205 }));
  it("reads a failed reload", () =>
    expect(parseReloadState(EXPOSITION.replace("prometheus_config_last_reload_successful 1", "prometheus_config_last_reload_successful 0"))?.successful).toBe(
      false,
    ));
  it("is null without the gauges or with a value that is no number", () => {
    expect(parseReloadState("up 1\n")).toBeNull();
    expect(parseReloadState(EXPOSITION.replace("1.7961979857110205e+09", "NaN"))).toBeNull();
  });
});

describe("parsePromDuration", () => {
  it.each([
    ["1s", 1],
    ["15s", 15],
    ["1m", 60],
    ["1m30s", 90],
    ["2h", 7200],
    ["1d", 86400],
    ["500ms", 0.5],
    ["1m500ms", 60.5],
  ])("%s is %d s", (text, s) => expect(parsePromDuration(text)).toBe(s));
  it.each(["", "5", "1x", "s", "1s1m"])("%j is not a duration", (text) => expect(parsePromDuration(text)).toBeNull());
});
