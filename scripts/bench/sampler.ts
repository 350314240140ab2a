// The sampler's cost and the live stream's latency, for `npm run bench`.
//
// benchSamplerCost: 10 idle containers + 2 TCG VMs sampled at 1 Hz (guest
// view every 5 s) for ~20 s; the sampler's CPU as % of one core, measured
// three ways: its own per-tick accounting, the whole process with vs without
// the sampler, and the child processes its guest-view reads spawn.
//
// benchSseLatency: an instance's state changes (its process is killed) →
// the `instance` event reaches an SSE client over HTTP, served by the same
// eventStream() as GET /api/stream.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { SseParser } from "../../lib/core/sse";
import { median, percentile } from "../../lib/core/stats";
import { CreateInstanceSchema } from "../../lib/schemas/instance";
import type { Instance, InstanceKind } from "../../lib/core/types";
import { createApp, type App } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { config } from "../../server/config";
import type { Supervisor } from "../../server/instances/supervisor";
import { eventStream, SSE_HEADERS } from "../../server/metrics/event-stream";

export interface SamplerCostResult {
  label: string;
  containers: number;
  vms: number;
  seconds: number;
  ticks: number;
  /** The sampler's own accounting: CPU of its ticks and guest-read bookkeeping, % of one core. */
  samplerCpuPercent: number;
  /** Whole-process CPU with the sampler minus without it, % of one core (cross-check). */
  processDeltaCpuPercent: number;
  /** CPU of the processes the guest-view reads spawn (runc exec + the probe inside), % of one core. */
  guestReadChildCpuPercent: number;
  meanTickCpuMs: number;
  p95TickWallMs: number;
  guestReads: number;
  guestErrors: number;
  target: number;
  pass: boolean;
}

export interface SseLatencyResult {
  label: string;
  runs: number;
  /** Process killed → `instance` event with state exited parsed by the SSE client, ms. */
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Bus emit → SSE client, ms: the stream's own share. */
  pipelineMedianMs: number;
  byKind: Record<string, { medianMs: number; maxMs: number; runs: number }>;
  target: number;
  pass: boolean;
}

/** An app of its own whose sampler waits: the bench starts it when it measures it. */
async function tempSupervisor(maxInstances: number) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-sampler-"));
  const app = createApp(testAppConfig(stateDir, { accel: config.accel, maxInstances, maxMemoryMiB: 4096, readyTimeoutMs: 60_000 }));
  await app.ready;
  const { supervisor } = app;
  const dispose = async () => {
    await app.shutdown();
    await supervisor.reconcile();
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  return { app, supervisor, dispose };
}

const create = (s: Supervisor, kind: InstanceKind, name: string, memoryMiB: number) => s.create(CreateInstanceSchema.parse({ kind, name, memoryMiB }));

/** utime+stime of this process's waited-for children, ms (/proc/self/stat fields 16–17). */
function childrenCpuMs(): number {
  const f = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function benchSamplerCost(
  opts: { containers?: number; vms?: number; seconds?: number; baselineSeconds?: number } = {},
): Promise<SamplerCostResult> {
  const { containers = 10, vms = 2, seconds = 20, baselineSeconds = 10 } = opts;
  const { app, supervisor, dispose } = await tempSupervisor(containers + vms + 1);
  try {
    const starts: Promise<Instance>[] = [];
    for (let i = 0; i < containers; i++) starts.push(create(supervisor, "container", `bench-ct-${i}`, 32));
    await Promise.all(starts);
    await Promise.all(Array.from({ length: vms }, (_, i) => create(supervisor, "vm", `bench-vm-${i}`, 128)));
    await sleep(3000); // let the guests settle after boot

    // Baseline: the same instances, nothing sampling them.
    const b0 = { self: selfCpuMs(), t: performance.now() };
    await sleep(baselineSeconds * 1000);
    const baselinePercent = (100 * (selfCpuMs() - b0.self)) / (performance.now() - b0.t);

    const wallTicks: number[] = [];
    const { sampler } = app;
    const onTick = () => wallTicks.push(sampler.stats().lastTickWallMs);
    app.bus.on("sample", onTick);
    const m0 = { self: selfCpuMs(), children: childrenCpuMs(), t: performance.now() };
    sampler.start();
    await sleep(seconds * 1000);
    sampler.stop();
    app.bus.off("sample", onTick);
    const elapsed = performance.now() - m0.t;
    const stats = sampler.stats();
    const samplerCpuPercent = (100 * stats.cpuSecondsTotal * 1000) / elapsed;
    const processPercent = (100 * (selfCpuMs() - m0.self)) / elapsed;
    return {
      label: `sampler, ${containers} idle containers + ${vms} VMs at 1 Hz (guest view every ${stats.guestIntervalMs / 1000} s)`,
      containers,
      vms,
      seconds: elapsed / 1000,
      ticks: stats.ticks,
      samplerCpuPercent,
      processDeltaCpuPercent: processPercent - baselinePercent,
      guestReadChildCpuPercent: (100 * (childrenCpuMs() - m0.children)) / elapsed,
      meanTickCpuMs: (stats.cpuSecondsTotal * 1000) / Math.max(1, stats.ticks),
      p95TickWallMs: percentile(wallTicks.slice(1), 95),
      guestReads: stats.guestReads,
      guestErrors: stats.guestErrors,
      target: 2,
      pass: samplerCpuPercent <= 2,
    };
  } finally {
    await dispose();
  }
}

/** Serves eventStream() like GET /api/stream does; returns its URL and a closer. */
async function serveStream(app: App): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const ac = new AbortController();
    req.on("close", () => ac.abort());
    res.writeHead(200, SSE_HEADERS);
    Readable.fromWeb(eventStream({ signal: ac.signal, events: app.bus }) as unknown as NodeWebStream<Uint8Array>).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/stream`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export async function benchSseLatency(opts: { runsPerKind?: number; kinds?: InstanceKind[] } = {}): Promise<SseLatencyResult> {
  const { runsPerKind = 3, kinds = ["process", "container", "vm"] } = opts;
  const { app, supervisor, dispose } = await tempSupervisor(4);
  const stream = await serveStream(app);
  const ac = new AbortController();
  const waiters = new Map<string, (at: number) => void>();
  const emittedAt = new Map<string, number>();
  const onBus = (i: Instance) => i.state === "exited" && emittedAt.set(i.id, performance.now());
  app.bus.on("instance", onBus);
  try {
    const res = await fetch(stream.url, { signal: ac.signal });
    const parser = new SseParser();
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const m of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (m.event !== "instance") continue;
          const inst = JSON.parse(m.data) as Instance;
          if (inst.state === "exited") waiters.get(inst.id)?.(performance.now());
        }
      }
    })().catch(() => {});

    const total: number[] = [];
    const pipeline: number[] = [];
    const byKind: SseLatencyResult["byKind"] = {};
    for (const kind of kinds) {
      const mine: number[] = [];
      for (let run = 0; run < runsPerKind; run++) {
        const inst = await create(supervisor, kind, `sse-${kind}-${run}`, kind === "vm" ? 128 : 32);
        const received = new Promise<number>((resolve, reject) => {
          waiters.set(inst.id, resolve);
          setTimeout(() => reject(new Error(`${kind}: no exited event within 10 s`)), 10_000).unref();
        });
        const t0 = performance.now();
        process.kill(inst.pid!, "SIGKILL");
        const at = await received;
        mine.push(at - t0);
        pipeline.push(at - (emittedAt.get(inst.id) ?? at));
        await supervisor.remove(inst.id);
      }
      total.push(...mine);
      byKind[kind] = { medianMs: median(mine), maxMs: Math.max(...mine), runs: mine.length };
    }
    return {
      label: "instance state change (process killed) → SSE client",
      runs: total.length,
      medianMs: median(total),
      p95Ms: percentile(total, 95),
      maxMs: Math.max(...total),
      pipelineMedianMs: median(pipeline),
      byKind,
      target: 1500,
      pass: Math.max(...total) <= 1500,
    };
  } finally {
    app.bus.off("instance", onBus);
    ac.abort();
    await stream.close();
    await dispose();
  }
}

// Run on its own: node --conditions=react-server --import tsx scripts/bench/sampler.ts
async function main() {
  console.log(JSON.stringify(await benchSseLatency(), null, 2));
  console.log(JSON.stringify(await benchSamplerCost(), null, 2));
}
if (process.argv[1]?.endsWith(path.join("scripts", "bench", "sampler.ts"))) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
