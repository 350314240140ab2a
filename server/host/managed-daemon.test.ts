import { describe, expect, it } from "vitest";
import { daemonPaths, logTailOf } from "./managed-daemon";

describe("daemonPaths", () => {
  it("lays out the registry's and Prometheus's files where they have always been", () => {
    expect(daemonPaths("/s", "registry", "config.yml")).toEqual({
      dir: "/s/registry",
      dataDir: "/s/registry/data",
      configPath: "/s/registry/config.yml",
      pidFile: "/s/registry/registry.pid",
      logPath: "/s/registry/registry.log",
    });
    expect(daemonPaths("/s", "prometheus", "prometheus.yml")).toMatchObject({
      configPath: "/s/prometheus/prometheus.yml",
      pidFile: "/s/prometheus/prometheus.pid",
      logPath: "/s/prometheus/prometheus.log",
    });
  });
});

describe("logTailOf", () => {
  it.each([
    ["the last five lines, trailing newline trimmed", "1\n2\n3\n4\n5\n6\n7\n", "3\n4\n5\n6\n7"],
    ["a short log whole", "  only line\n\n", "only line"],
    ["an empty log as empty", "", ""],
    ["a missing log named", null, "(no log)"],
  ])("gives %s", (_, text, tail) => {
    expect(logTailOf(text)).toBe(tail);
  });
});
