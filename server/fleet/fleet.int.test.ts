import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetHostView, FleetOverview, FleetRun, PrometheusStatus } from "@/lib/schemas/fleet";
import type { Instance } from "@/lib/core/types";
import { freePort } from "@/server/host/free-port";
import { authHeaders, startIsolabServer, type IsolabServer } from "@/scripts/testing/isolab-server";
import { scrapesOf, type Scrape } from "@/scripts/testing/prometheus-scrapes";

// Two real Isolab servers on loopback, each with its own state directory and
// port, and the real Prometheus server A starts, scraping both every second.
// The fleet API on A must show both hosts' instances, then B down (with when
// it was last seen and why) once B stops; the faults of the issue — a host
// that does not answer, a wrong token, a Prometheus that is down or hangs, a
// query that times out — are each named, and the local API still answers.
//
// How soon is counted in B's scrapes, never in seconds: Prometheus records
// when each scrape started and ended, and every figure of an answer is
// evaluated at its `queriedAt`, so the scrapes an answer could see are
// known exactly. Milliseconds are printed, for the record.

const SCRAPE_S = 1;
/** A scrape's samples are committed just after it ends; an answer asked within this of the end may not see them yet. */
const COMMIT_SLACK_MS = 250;
let a: IsolabServer;
let b: IsolabServer;
let hanging: http.Server | undefined;
/** Whether the hanging "Prometheus" answers its health check (then only its queries hang). */
let hangingReady = false;

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

/** Polls A's fleet API until `done` holds, keeping every answer and how long each took (reported, never asserted). */
async function until(what: string, done: (o: FleetOverview) => boolean, timeoutMs = 30_000): Promise<{ answers: FleetOverview[]; answerMs: number[] }> {
  const t0 = Date.now();
  const answers: FleetOverview[] = [];
  const answerMs: number[] = [];
  while (Date.now() - t0 < timeoutMs) {
    const asked = Date.now();
    answers.push(await a.api<FleetOverview>("GET", "/api/fleet"));
    answerMs.push(Date.now() - asked);
    if (done(answers.at(-1)!)) return { answers, answerMs };
    // Well under a scrape interval, so the answer after a scrape comes before the next scrape.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last answer: ${JSON.stringify(answers.at(-1), null, 1).slice(0, 3000)}`);
}

const at = (o: FleetOverview) => Date.parse(o.queriedAt);
const median = (xs: number[]) => Math.round([...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]);
/** The scrapes an answer's queries could read: those that started by the instant they were evaluated at. */
const seenBy = (scrapes: Scrape[], o: FleetOverview) => scrapes.filter((s) => s.startMs <= at(o));
/** The scrapes an answer must have read: those that ended (and were committed) before it was asked. */
const surelyBefore = (scrapes: Scrape[], o: FleetOverview) => scrapes.filter((s) => s.endMs <= at(o) - COMMIT_SLACK_MS);

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
    const tAdd = Date.now();
    await a.api("POST", "/api/fleet/hosts", { name: "b", url: b.url, ...(token ? { token } : {}) });
    const tAdded = Date.now();
    // The add answers once Prometheus lists B's target: it applies target changes only every 5 s.
    const targets = await fetch(`${prom.url}/api/v1/targets?state=active`).then(
      (r) => r.json() as Promise<{ data: { activeTargets: { labels: Record<string, string> }[] } }>,
    );
    expect(targets.data.activeTargets.map((t) => t.labels.host)).toContain("b");

    // Up as well as the instances: the overview's queries run at once, so one asked while B's first scrape is being
    // committed may read it in some figures and not yet in others; the next answer has it in all.
    const shows = (o: FleetOverview, name: string, n: number) => host(o, name)?.state === "up" && value(host(o, name)?.instances.process) === n;
    const { answers, answerMs } = await until("both hosts up with their instances", (o) => shows(o, "local", 1) && shows(o, "b", 2));
    const shown = answers.at(-1)!;
    const scrapes = await scrapesOf(prom.url!, "b");
    // Every figure is read at queriedAt, so B's instances came from a scrape started by then; B's first or second scrape
    // (the second only when that scrape came between two of this test's answers).
    expect(seenBy(scrapes, shown).length).toBeGreaterThanOrEqual(1);
    expect(seenBy(scrapes, shown).length).toBeLessThanOrEqual(2);
    // No earlier answer missed a scrape of B that had ended before it was asked: Isolab waits for no second scrape, caches nothing.
    for (const o of answers.slice(0, -1)) expect(surelyBefore(scrapes, o), o.queriedAt).toEqual([]);
    console.log(
      `[fleet] host b added: the add answered in ${tAdded - tAdd} ms (Prometheus's reload and target update); ` +
        `b's first scrape ended ${Math.round(scrapes[0].endMs - tAdded)} ms after that; both hosts' instances shown ${at(shown) - tAdded} ms after the add answered, ` +
        `${at(shown) - tAdd} ms after it was asked, at b's scrape ${seenBy(scrapes, shown).length}; ` +
        `GET /api/fleet took ${median(answerMs)} ms (median of ${answerMs.length}), a scrape of b's /api/metrics ${median(scrapes.map((x) => x.endMs - x.startMs))} ms`,
    );
    const b1 = host(shown, "b")!;
    expect(b1).toMatchObject({ state: "up", url: b.url, scrapeError: null });
    expect(b1.accelerator).toMatch(/^(kvm|tcg|unknown)$/);
    expect("value" in b1.memory.reserveBytes).toBe(true);
    expect(host(shown, "local")!.startup.process.count).toEqual({ value: 1 });
    expect(shown.scrapeIntervalS).toBe(SCRAPE_S);
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
    const prom = await a.api<PrometheusStatus>("GET", "/api/fleet/prometheus");
    const tStop = Date.now();
    const stopping = b.stop(); // answers are asked from SIGTERM on: B may stop answering before its process has exited
    const { answers } = await until("host b marked down", (o) => host(o, "b")?.state === "down");
    await stopping;
    const down = answers.at(-1)!;
    const scrapes = await scrapesOf(prom.url!, "b");
    // The failures from which B stays down: a scrape during its shutdown may time out and the next one still work.
    const lastOk = scrapes.findLast((s) => s.ok);
    const failed = scrapes.filter((s) => !s.ok && s.startMs > (lastOk?.startMs ?? 0));
    // Down from the first of them (the second only when it came between two of this test's answers), not later.
    expect(seenBy(failed, down).length).toBeGreaterThanOrEqual(1);
    expect(seenBy(failed, down).length).toBeLessThanOrEqual(2);
    for (const o of answers.slice(0, -1)) expect(surelyBefore(failed, o), o.queriedAt).toEqual([]);
    const since = scrapes.filter((s) => s.endMs >= tStop).map((s) => `${s.ok ? "ok" : "failed"} ${Math.round(s.endMs - s.startMs)} ms`);
    console.log(
      `[fleet] b marked down ${at(down) - tStop} ms after SIGTERM, ${Math.round(at(down) - failed[0].endMs)} ms after the first failed scrape ended, ` +
        `at failed scrape ${seenBy(failed, down).length}; b's scrapes since SIGTERM: ${since.join(", ")}`,
    );
    const b2 = host(down, "b")!;
    expect(b2.lastSeenMs, JSON.stringify({ problems: down.problems, b: b2 })).not.toBeNull();
    expect(b2.lastSeenMs!).toBeLessThanOrEqual(Date.now());
    expect(b2.scrapeError).toMatch(/connection refused|EOF|reset/i);
    expect(host(down, "local")!.state).toBe("up");
    // The stored comparison outlives the host.
    const runs = await a.api<{ runs: { id: string }[] }>("GET", "/api/fleet/runs");
    const stored = await a.api<FleetRun>("GET", `/api/fleet/runs/${runs.runs[0].id}`);
    expect(stored.hosts.find((h) => h.name === "b")?.record?.status).toBe("done");
  });

  it("names a host that never answers", async () => {
    await a.api("POST", "/api/fleet/hosts", { name: "nowhere", url: `http://127.0.0.1:${await freePort()}` });
    const overview = (await until("host nowhere marked down", (o) => host(o, "nowhere")?.state === "down")).answers.at(-1)!;
    expect(host(overview, "nowhere")!.problems.join(" ")).toMatch(/scrape failed: .*connection refused/);
    expect(host(overview, "nowhere")!.lastSeenMs).toBeNull();
    await a.api("DELETE", "/api/fleet/hosts/nowhere");
  });

  it("names a wrong token (the scrape's 401), once sign-in is on", async (ctx) => {
    // Before sign-in every request passes, so no token is wrong; the server says which by writing its admin token.
    if (!authOn()) ctx.skip();
    await a.api("POST", "/api/fleet/hosts", { name: "wrong-token", url: a.url, token: "not-the-token-0123" });
    const overview = (await until("wrong token reported", (o) => /401/.test(host(o, "wrong-token")?.scrapeError ?? ""))).answers.at(-1)!;
    expect(host(overview, "wrong-token")!.state).toBe("down");
    await a.api("DELETE", "/api/fleet/hosts/wrong-token");
  });

  it("says Prometheus is down on every host, and the local dashboard still answers", async () => {
    await a.api("POST", "/api/fleet/prometheus/stop");
    expect(fs.existsSync(`${a.stateDir}/prometheus/prometheus.pid`)).toBe(false);
    const o = await a.api<FleetOverview>("GET", "/api/fleet");
    expect(o.prometheus.mode).toBe("stopped");
    expect(host(o, "local")!.state).toBe("unknown");
    expect(host(o, "local")!.problems[0]).toMatch(/^state unknown: no Prometheus/);
    expect(host(o, "local")!.instances.process).toEqual({ error: expect.stringMatching(/no Prometheus/) });
    expect((await a.api<{ instances: Instance[] }>("GET", "/api/instances")).instances.map((i) => i.name)).toContain("on-a");
  });

  it("says when the Prometheus it was given does not answer in time", async () => {
    // A socket that accepts and never answers: what a wedged Prometheus looks like from outside.
    hanging = http.createServer((req, res) => {
      if (hangingReady && req.url === "/-/ready") res.end("Prometheus Server is Ready.\n");
    });
    await new Promise<void>((r) => hanging!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    const status = await a.api<PrometheusStatus>("POST", "/api/fleet/prometheus/start", { url });
    expect(status).toMatchObject({ mode: "external", reachable: false });
    const o = await a.api<FleetOverview>("GET", "/api/fleet");
    expect(o.problems.join(" ")).toMatch(/not reachable.*TimeoutError/);
    await a.api("POST", "/api/fleet/prometheus/stop");
  });

  it("names a query that times out on every figure of every host, and the local API answers meanwhile", async () => {
    // Ready, but its queries never answer: a Prometheus too loaded to evaluate them.
    hangingReady = true;
    const url = `http://127.0.0.1:${(hanging!.address() as { port: number }).port}`;
    expect(await a.api<PrometheusStatus>("POST", "/api/fleet/prometheus/start", { url })).toMatchObject({ mode: "external", reachable: true });
    const order: string[] = [];
    const fleet = a.api<FleetOverview>("GET", "/api/fleet").finally(() => order.push("fleet"));
    await a.api("GET", "/api/instances").finally(() => order.push("instances"));
    const o = await fleet;
    expect(order).toEqual(["instances", "fleet"]);
    expect(o.problems.join(" ")).toMatch(/did not answer within 4 s/);
    const local = host(o, "local")!;
    expect(local.state).toBe("unknown");
    expect(local.problems.join(" ")).toMatch(/state unknown: .*did not answer within 4 s/);
    expect(local.instances.process).toEqual({ error: expect.stringMatching(/did not answer within 4 s/) });
    expect(local.memory.availableBytes).toEqual({ error: expect.stringMatching(/did not answer within 4 s/) });
    await a.api("POST", "/api/fleet/prometheus/stop");
  });
});

function authOn(): boolean {
  return fs.existsSync(`${a.stateDir}/admin-token`);
}
