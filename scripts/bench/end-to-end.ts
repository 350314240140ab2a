// A container start as the API's caller sees it: HTTP POST /api/instances
// (the probe image) until the 201, timed by the client, against a raw
// `runc run` of the same bundle until READY, alternated in one run so both
// see the same host load. The server is the real one (scripts/serve.mjs),
// with a state directory of its own; production when a `next build` exists,
// else `--dev`, and the row says which.
//   node --conditions=react-server --import tsx scripts/bench/end-to-end.ts [runs]
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Instance } from "../../lib/core/types";
import { median } from "../../lib/core/stats";
import { rawRuncRunMs, realImage, writeRawBundle } from "../../server/container/raw-run";
import { probeImage } from "../../server/container/test-support";
import { freePort } from "../../server/host/free-port";
import { formatPairedRow, type BenchTimings } from "./report";

// Next compiles a route on its first request (dev) and warms its caches on the first few.
const WARMUP_RUNS = 3;
const SERVER_UP_TIMEOUT_MS = 180_000;

export interface EndToEndTimings extends BenchTimings {
  /** Median of the phases the instances reported (prepare, runtime-run, ready, total). */
  reportedPhasesMs: Record<string, number>;
  mode: "production" | "development";
}

/** Starts scripts/serve.mjs and resolves once it listens; its output is kept for the error of a server that died. */
async function startServer(stateDir: string, port: number, dev: boolean): Promise<{ child: ChildProcess; url: string; token: string; output: () => string }> {
  const child = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: process.cwd(),
    env: { ...process.env, ISOLAB_STATE_DIR: stateDir, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: dev ? "development" : "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (c: Buffer) => (output = (output + c.toString("utf8")).slice(-8000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within ${SERVER_UP_TIMEOUT_MS} ms:\n${output}`)), SERVER_UP_TIMEOUT_MS);
    child.stdout!.on("data", () => {
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code}:\n${output}`));
    });
  });
  // Authenticated as a user's script is: the admin token the first start wrote.
  const token = fs.readFileSync(path.join(stateDir, "admin-token"), "utf8").trim();
  return { child, url: `http://127.0.0.1:${port}`, token, output: () => output };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  // SIGTERM: serve.mjs stops every instance its supervisor owns before exiting.
  child.kill("SIGTERM");
  const hard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(hard);
}

/** One POST → 201, timed by the client; the instance is deleted after (untimed). */
async function timedStart(url: string, token: string): Promise<{ ms: number; instance: Instance }> {
  const authorization = `Bearer ${token}`;
  const t0 = performance.now();
  const res = await fetch(`${url}/api/instances`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ kind: "container", image: "probe" }),
  });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 201) throw new Error(`POST /api/instances answered ${res.status}: ${body}`);
  const instance = JSON.parse(body) as Instance;
  const del = await fetch(`${url}/api/instances/${instance.id}`, { method: "DELETE", headers: { authorization } });
  if (!del.ok) throw new Error(`DELETE /api/instances/${instance.id} answered ${del.status}: ${await del.text()}`);
  return { ms, instance };
}

export async function benchEndToEnd(opts: { runs: number }): Promise<EndToEndTimings> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-e2e-"));
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-e2e-raw-"));
  const dev = !fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"));
  const image = realImage(probeImage());
  const rawBundle = await writeRawBundle(rawDir, image, "bench-e2e-raw");
  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  const phases: Record<string, number[]> = {};
  const server = await startServer(stateDir, await freePort(), dev);
  try {
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const { ms, instance } = await timedStart(server.url, server.token).catch((err: Error) => {
        throw new Error(`${err.message}\nserver output:\n${server.output()}`);
      });
      const raw = await rawRuncRunMs(rawDir, rawBundle, "bench-e2e-raw");
      if (i < WARMUP_RUNS) continue;
      isolabMs.push(ms);
      rawMs.push(raw);
      for (const p of instance.startup?.phases ?? []) (phases[p.name] ??= []).push(p.ms);
      (phases.total ??= []).push(instance.startup?.totalMs ?? NaN);
    }
  } finally {
    await stopServer(server.child);
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(rawDir, { recursive: true, force: true });
  }
  return {
    label: `container start via HTTP (${dev ? "next dev" : "production"})`,
    isolabMs,
    rawMs,
    rawLabel: "runc run",
    target: 1.15,
    mode: dev ? "development" : "production",
    reportedPhasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
  };
}

/** The paired row, then what the instances themselves reported. */
export function formatEndToEndRow(t: EndToEndTimings): string {
  const reported = Object.entries(t.reportedPhasesMs).map(([k, v]) => `${k} ${v} ms`);
  return `${formatPairedRow(t)}\n  reported by the instances (median): ${reported.join(", ")}`;
}

if (require.main === module) {
  void benchEndToEnd({ runs: Number(process.argv[2] ?? 20) }).then((t) => console.log(formatEndToEndRow(t)));
}
