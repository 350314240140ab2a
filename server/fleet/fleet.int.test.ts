import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetHostView, FleetOverview, FleetRun, PrometheusStatus } from "@/lib/schemas/fleet";
import type { Instance } from "@/lib/core/types";
import { authHeaders, freePort, startIsolabServer, type IsolabServer } from "@/scripts/testing/isolab-server";

// Two real Isolab servers on loopback, each with its own state directory and
// port, and the real Prometheus server A starts, scraping both every second.
// The fleet API on A must show both hosts' instances, then B down (with when
// it was last seen and why) once B stops; the faults of the issue — a host
// that does not answer, a Prometheus that is down or hangs — are each named.

const SCRAPE_S = 1;
let a: IsolabServer;
let b: IsolabServer;
let hanging: http.Server | undefined;

beforeAll(async () => {
  // allSettled: when one server fails to start, the other is still kept, so afterAll stops it.
  const started = await Promise.allSettled([0, 1].map(() => startIsolabServer({ env: { ISOLAB_SCRAPE_INTERVAL_S: String(SCRAPE_S) } })));
  [a, b] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [IsolabServer, IsolabServer];
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
}, 240_000);

afterAll(async () => {
  hanging?.closeAllConnections();
  hanging?.close();
  // serve.mjs's shutdown stops each server's instances and the Prometheus A started.
  await Promise.all([a?.dispose(), b?.dispose()]);
}, 90_000);

const host = (o: FleetOverview, name: string) => o.hosts.find((h) => h.name === name);
const value = (r: FleetHostView["instances"][string] | undefined) => (r && "value" in r ? r.value : null);

/** Polls A's fleet API until `done` holds; the time it took is reported, never asserted. */
async function until(what: string, done: (o: FleetOverview) => boolean, timeoutMs = 30_000): Promise<{ overview: FleetOverview; ms: number }> {
  const t0 = Date.now();
  let last: FleetOverview | undefined;
  while (Date.now() - t0 < timeoutMs) {
    last = await a.api<FleetOverview>("GET", "/api/fleet");
    if (done(last)) return { overview: last, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last answer: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
}

// Generous per-test time: without a production build the servers run in development mode and compile each route on its first request.
describe("a fleet of two Isolab servers through a real Prometheus", { timeout: 180_000 }, () => {
  it("answers with no Prometheus yet, naming what to do", async () => {
    const o = await a.api<FleetOverview>("GET", "/api/fleet");
    expect(o.prometheus.mode).toBe("stopped");
    expect(o.problems.join(" ")).toMatch(/no Prometheus/);
    expect(host(o, "local")?.state).toBe("unknown");
  });

  it("refuses a bad host with a 422 naming the field", async () => {
    await expect(a.api("POST", "/api/fleet/hosts", { name: "Bad_Name", url: "http://127.0.0.1:1" })).rejects.toThrow(/422.*name/);
    await expect(a.api("POST", "/api/fleet/hosts", { name: "x", url: "http://u:p@127.0.0.1:1" })).rejects.toThrow(/422.*url/);
  });

  it("shows both hosts' instances once Prometheus scrapes them, then B down with when it was last seen", async () => {
    await a.api<Instance>("POST", "/api/instances", { kind: "process", name: "on-a" });
    await b.api<Instance>("POST", "/api/instances", { kind: "process", name: "on-b-1" });
    await b.api<Instance>("POST", "/api/instances", { kind: "process", name: "on-b-2" });

    const prom = await a.api<PrometheusStatus>("POST", "/api/fleet/prometheus/start", {});
    expect(prom).toMatchObject({ mode: "managed", reachable: true });
    expect(fs.readFileSync(prom.configPath!, "utf8")).toContain(`scrape_interval: ${SCRAPE_S}s`);
    const token = authHeaders(b.stateDir).authorization?.replace(/^Bearer /, "");
    await a.api("POST", "/api/fleet/hosts", { name: "b", url: b.url, ...(token ? { token } : {}) });

    const both = await until("both hosts' instances", (o) => value(host(o, "local")?.instances.process) === 1 && value(host(o, "b")?.instances.process) === 2);
    console.log(
      `[fleet] both hosts' instances seen ${both.ms} ms after host b was added (${(both.ms / 1000 / SCRAPE_S).toFixed(1)} scrape intervals, reload included)`,
    );
    const b1 = host(both.overview, "b")!;
    expect(b1).toMatchObject({ state: "up", url: b.url, scrapeError: null });
    expect(b1.accelerator).toMatch(/^(kvm|tcg|unknown)$/);
    expect("value" in b1.memory.reserveBytes).toBe(true);
    expect(host(both.overview, "local")!.startup.process.count).toEqual({ value: 1 });
  });

  it("runs one startup plan on both hosts through their APIs, results side by side, stored", async () => {
    const plan = { type: "startup", runs: 1, kinds: ["process"], warmup: false };
    await expect(a.api("POST", "/api/fleet/runs", { hosts: ["local", "nobody"], plan })).rejects.toThrow(/422.*nobody/);
    await expect(a.api("POST", "/api/fleet/runs", { hosts: ["local"], plan: { type: "isolation" } })).rejects.toThrow(/422/);
    const run = await a.api<FleetRun>("POST", "/api/fleet/runs", { hosts: ["local", "b"], plan });
    expect(run.hosts.map((h) => [h.name, h.problem])).toEqual([
      ["local", null],
      ["b", null],
    ]);
    let done = run;
    for (let i = 0; i < 300 && !done.finishedAt; i++) {
      await new Promise((r) => setTimeout(r, 200));
      done = await a.api<FleetRun>("GET", `/api/fleet/runs/${run.id}`);
    }
    expect(done.finishedAt).not.toBeNull();
    for (const h of done.hosts) expect(h.record?.status, h.name).toBe("done");
    // Each host kept its own run (the id on B is B's own).
    const onB = await b.api<{ id: string; status: string }>("GET", `/api/experiments/${done.hosts[1].experimentId}`);
    expect(onB.status).toBe("done");
    const list = await a.api<{ runs: { id: string; finishedAt: string | null }[] }>("GET", "/api/fleet/runs");
    expect(list.runs[0]).toMatchObject({ id: run.id });
    expect(list.runs[0].finishedAt).not.toBeNull();
  });

  it("marks B down once it stops, with when it was last seen and why", async () => {
    await b.stop();
    const down = await until("host b marked down", (o) => host(o, "b")?.state === "down");
    console.log(`[fleet] b marked down ${down.ms} ms after it stopped`);
    const b2 = host(down.overview, "b")!;
    expect(b2.lastSeenMs, JSON.stringify({ problems: down.overview.problems, b: b2 })).not.toBeNull();
    expect(b2.lastSeenMs!).toBeLessThanOrEqual(Date.now());
    expect(b2.scrapeError).toMatch(/connection refused|EOF|reset/i);
    expect(host(down.overview, "local")!.state).toBe("up");
    // The stored comparison outlives the host.
    const runs = await a.api<{ runs: { id: string }[] }>("GET", "/api/fleet/runs");
    const stored = await a.api<FleetRun>("GET", `/api/fleet/runs/${runs.runs[0].id}`);
    expect(stored.hosts.find((h) => h.name === "b")?.record?.status).toBe("done");
  });

  it("names a host that never answers", async () => {
    await a.api("POST", "/api/fleet/hosts", { name: "nowhere", url: `http://127.0.0.1:${await freePort()}` });
    const { overview } = await until("host nowhere marked down", (o) => host(o, "nowhere")?.state === "down");
    expect(host(overview, "nowhere")!.problems.join(" ")).toMatch(/scrape failed: .*connection refused/);
    expect(host(overview, "nowhere")!.lastSeenMs).toBeNull();
    await a.api("DELETE", "/api/fleet/hosts/nowhere");
  });

  it("names a wrong token (the scrape's 401), once sign-in is on", async (ctx) => {
    // Before sign-in every request passes, so no token is wrong; the server says which by writing its admin token.
    if (!authOn()) ctx.skip();
    await a.api("POST", "/api/fleet/hosts", { name: "wrong-token", url: a.url, token: "not-the-token-0123" });
    const { overview } = await until("wrong token reported", (o) => /401/.test(host(o, "wrong-token")?.scrapeError ?? ""));
    expect(host(overview, "wrong-token")!.state).toBe("down");
    await a.api("DELETE", "/api/fleet/hosts/wrong-token");
  });

  it("says Prometheus is down, and the local dashboard still answers", async () => {
    await a.api("POST", "/api/fleet/prometheus/stop");
    expect(fs.existsSync(`${a.stateDir}/prometheus/prometheus.pid`)).toBe(false);
    const o = await a.api<FleetOverview>("GET", "/api/fleet");
    expect(o.prometheus.mode).toBe("stopped");
    expect(host(o, "local")?.state).toBe("unknown");
    expect((await a.api<{ instances: Instance[] }>("GET", "/api/instances")).instances.map((i) => i.name)).toContain("on-a");
  });

  it("says when the Prometheus it was given does not answer in time", async () => {
    // A socket that accepts and never answers: what a wedged Prometheus looks like from outside.
    hanging = http.createServer(() => {});
    await new Promise<void>((r) => hanging!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    const status = await a.api<PrometheusStatus>("POST", "/api/fleet/prometheus/start", { url });
    expect(status).toMatchObject({ mode: "external", reachable: false });
    const o = await a.api<FleetOverview>("GET", "/api/fleet");
    expect(o.problems.join(" ")).toMatch(/not reachable.*TimeoutError/);
    await a.api("POST", "/api/fleet/prometheus/stop");
  });
});

function authOn(): boolean {
  return fs.existsSync(`${a.stateDir}/admin-token`);
}
