import { describe, expect, it } from "vitest";
import type { FleetHost, PromTarget } from "@/lib/schemas/fleet";
import { buildHostViews, type OverviewInput, type QueryOutcome } from "./overview";
import { FLEET_QUERIES, type FleetQueryName } from "./queries";

const hosts: FleetHost[] = [
  { name: "local", url: "http://127.0.0.1:3000", local: true, hasToken: true },
  { name: "b", url: "http://10.0.0.2:3000", local: false, hasToken: true },
];
const none = (): Record<FleetQueryName, QueryOutcome> =>
  Object.fromEntries(Object.keys(FLEET_QUERIES).map((k) => [k, { samples: [] }])) as unknown as Record<FleetQueryName, QueryOutcome>;
const target = (host: string, health: PromTarget["health"], lastError = ""): PromTarget => ({
  labels: { host, job: `isolab-${host}` },
  health,
  lastError,
  lastScrape: "2026-01-01T00:00:00Z",
});

function input(over: Omit<Partial<OverviewInput>, "results"> & { results?: Partial<Record<FleetQueryName, QueryOutcome>> } = {}): OverviewInput {
  return { hosts, targets: [target("local", "up"), target("b", "up")], history: [], ...over, results: { ...none(), ...over.results } };
}

describe("buildHostViews", () => {
  it("reads each host's figures from its own series", () => {
    const [local, b] = buildHostViews(
      input({
        results: {
          up: {
            samples: [
              { metric: { host: "local" }, value: 1 },
              { metric: { host: "b" }, value: 1 },
            ],
          },
          instances: {
            samples: [
              { metric: { host: "b", kind: "vm" }, value: 2 },
              { metric: { host: "local", kind: "vm" }, value: 5 },
            ],
          },
          info: { samples: [{ metric: { host: "b", accelerator: "kvm", hostname: "node-b", cgroup: "v2" }, value: 1 }] },
          startupP95: { samples: [{ metric: { host: "b", kind: "container" }, value: 0.04 }] },
        },
      }),
    );
    expect(local.instances.vm).toEqual({ value: 5 });
    expect(b.instances.vm).toEqual({ value: 2 });
    expect(b.accelerator).toBe("kvm");
    expect(b.startup.container.p95).toEqual({ value: 0.04 });
    expect(b.startup.vm.p95).toEqual({ error: "no data" });
    expect(b.state).toBe("up");
  });
  it("marks a host whose scrape fails as down, with the scrape error and when it was last seen", () => {
    const [, b] = buildHostViews(
      input({
        targets: [target("local", "up"), target("b", "down", "server returned HTTP status 401 Unauthorized")],
        results: { up: { samples: [{ metric: { host: "b" }, value: 0 }] }, lastSeen: { samples: [{ metric: { host: "b" }, value: 1_700_000_000.5 }] } },
      }),
    );
    expect(b.state).toBe("down");
    expect(b.lastSeenMs).toBe(1_700_000_000_500);
    expect(b.problems).toContain("scrape failed: server returned HTTP status 401 Unauthorized");
  });
  it("says a failed query's reason on every figure it feeds, not a failed page", () => {
    const [local] = buildHostViews(input({ results: { samplerCores: { error: "query timed out" }, up: { error: "Prometheus did not answer within 4 s" } } }));
    expect(local.samplerCores).toEqual({ error: "query timed out" });
    expect(local.state).toBe("unknown");
    expect(local.problems[0]).toMatch(/did not answer/);
  });
  it("names a host Prometheus has no target for yet", () => {
    const [, b] = buildHostViews(input({ targets: [target("local", "up")] }));
    expect(b.state).toBe("unknown");
    expect(b.problems).toContain("Prometheus has no target for this host yet");
  });
  it("shows hosts Prometheus scrapes that Isolab was not told about, without a link", () => {
    const views = buildHostViews(input({ results: { up: { samples: [{ metric: { host: "node-c" }, value: 1 }] } } }));
    expect(views.map((v) => [v.name, v.url])).toContainEqual(["node-c", null]);
  });
  it("turns NaN (a ratio with nothing to compare) into a reason", () => {
    const [local] = buildHostViews(input({ results: { vmToContainerMemory: { samples: [{ metric: { host: "local" }, value: NaN }] } } }));
    expect(local.vmToContainerMemory).toEqual({ error: "no data (NaN: nothing to compare yet)" });
  });
});
