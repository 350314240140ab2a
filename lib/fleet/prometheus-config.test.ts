import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { prometheusConfigYaml } from "./prometheus-config";

describe("prometheusConfigYaml", () => {
  const text = prometheusConfigYaml({
    scrapeIntervalS: 1,
    ruleFiles: ["/s/rules.yml"],
    targets: [
      { name: "local", url: "http://127.0.0.1:3000", credentialsFile: "/s/admin-token" },
      { name: "node-b", url: "https://b.example/isolab/" },
    ],
  });
  const config = parse(text);

  it("gives each host its own job, so each sends its own token", () => {
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(["isolab-local", "isolab-node-b"]);
    expect(config.scrape_configs[0].authorization).toEqual({ type: "Bearer", credentials_file: "/s/admin-token" });
    expect(config.scrape_configs[1].authorization).toBeUndefined();
  });
  it("scrapes /api/metrics under the host's base path, labelled with the host's name and URL", () => {
    expect(config.scrape_configs[1]).toMatchObject({
      scheme: "https",
      metrics_path: "/isolab/api/metrics",
      static_configs: [{ targets: ["b.example"], labels: { host: "node-b", isolab_url: "https://b.example/isolab" } }],
    });
  });
  it("keeps the scrape timeout under the interval", () => expect(config.scrape_configs[0].scrape_timeout).toBe("1s"));
  it("loads the rule files", () => expect(config.rule_files).toEqual(["/s/rules.yml"]));
  it.each([
    [{ scrapeIntervalS: 0, targets: [] }, /interval/],
    [
      {
        scrapeIntervalS: 5,
        targets: [
          { name: "a", url: "http://x" },
          { name: "a", url: "http://y" },
        ],
      },
      /twice/,
    ],
    [{ scrapeIntervalS: 5, targets: [{ name: "a", url: "http://x", credentialsFile: "token" }] }, /absolute/],
  ])("refuses %j", (spec, why) => expect(() => prometheusConfigYaml(spec)).toThrow(why));
});
