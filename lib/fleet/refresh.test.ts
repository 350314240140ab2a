import { describe, expect, it } from "vitest";
import type { PromTarget } from "@/lib/schemas/fleet";
import { fleetRefreshMs, isolabScrapeIntervalS } from "./refresh";

const target = (job: string, scrapeInterval?: string): PromTarget => ({
  labels: { job, host: "h" },
  health: "up",
  lastError: "",
  lastScrape: "2026-01-01T00:00:00Z",
  ...(scrapeInterval ? { scrapeInterval } : {}),
});

describe("isolabScrapeIntervalS", () => {
  it("takes the shortest interval among Isolab's jobs only", () =>
    expect(isolabScrapeIntervalS([target("isolab-local", "5s"), target("isolab-b", "1s"), target("node", "100ms")])).toBe(1));
  it("reads the cluster's job and longer intervals", () => expect(isolabScrapeIntervalS([target("isolab", "1m30s")])).toBe(90));
  it("is null with no Isolab target or no readable interval", () => {
    expect(isolabScrapeIntervalS([])).toBeNull();
    expect(isolabScrapeIntervalS([target("isolabx", "1s"), target("isolab-b"), target("isolab-c", "soon")])).toBeNull();
  });
});

describe("fleetRefreshMs", () => {
  it("asks once per scrape interval", () => expect(fleetRefreshMs(5, 3000)).toBe(5000));
  it("keeps within 1–15 s", () => {
    expect(fleetRefreshMs(0.1, 3000)).toBe(1000);
    expect(fleetRefreshMs(60, 3000)).toBe(15_000);
  });
  it("falls back while the interval is unknown", () => {
    expect(fleetRefreshMs(null, 3000)).toBe(3000);
    expect(fleetRefreshMs(undefined, 3000)).toBe(3000);
  });
});
