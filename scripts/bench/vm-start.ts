// VM start: Isolab's engine (spawn → READY, as the supervisor sees it) against
// a raw qemu-system-x86_64 boot of the same kernel (bzImage as shipped) and
// initramfs with QEMU's defaults (default machine, SeaBIOS, `-append
// console=ttyS0`), plus only the agent serial port needed to see READY.
// Runs alternate so both see the same host load. Both use TCG: the point is
// what Isolab's boot tuning buys, not which accelerator the host has.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { buildDefaultBootArgs } from "../../lib/vm/qemu-args";
import { median } from "../../lib/core/stats";
import { getImage, getKernel } from "../../server/images/store";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import type { BenchTimings } from "./report";

const WARMUP_RUNS = 1;
const MEMORY_MIB = 128;

export interface VmStartTimings extends BenchTimings {
  /** Median of each Isolab startup phase. */
  isolabPhasesMs: Record<string, number>;
}

/** spawn → READY on the agent port for QEMU with default options; then SIGKILL. */
async function rawDefaultBoot(dir: string, kernel: string, initrd: string, timeoutMs = 60_000): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const agentSocket = path.join(dir, "agent.sock");
  fs.rmSync(agentSocket, { force: true });
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(agentSocket, r));
  const args = buildDefaultBootArgs({ memoryMiB: MEMORY_MIB, kernel, initrd, consoleLog: path.join(dir, "console.log"), agentSocket });
  const t0 = performance.now();
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  qemu.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => qemu.once("exit", () => r()));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw QEMU: no READY within ${timeoutMs} ms`)), timeoutMs);
      void exited.then(() => reject(new Error(`raw QEMU exited before READY: ${stderr.trim()}`)));
      server.once("connection", (sock) => {
        let buf = "";
        sock.on("data", (d) => {
          buf += d.toString("utf8");
          if (/(^|\n)READY /.test(buf) && buf.slice(buf.search(/(^|\n)READY /) + 1).includes("\n")) {
            clearTimeout(timer);
            resolve(performance.now() - t0);
          }
        });
        sock.on("error", () => {});
      });
    });
  } finally {
    qemu.kill("SIGKILL");
    await exited;
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchVmStart(opts: { runs: number }): Promise<VmStartTimings> {
  const image = await getImage("probe");
  const kernel = await getKernel();
  if (!kernel.bzImagePath) throw new Error(`no bzImage beside ${kernel.path}: run \`npm run setup\``);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-vmb-"));
  const engine = createEngines(testAppConfig(stateDir, { kernelPath: kernel.path, accel: "tcg" })).vm;
  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  const phases: Record<string, number[]> = {};
  try {
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const id = `b${i}`;
      const dir = path.join(stateDir, "instances", id);
      const t0 = performance.now();
      const handle = await engine.start({ id, name: `bench-${i}`, image, memoryMiB: MEMORY_MIB, cpus: 1, dir, readyTimeoutMs: 60_000 });
      const iso = performance.now() - t0;
      await handle.stop({ timeoutMs: 2000 });
      fs.rmSync(dir, { recursive: true, force: true });

      const raw = await rawDefaultBoot(path.join(stateDir, "raw"), kernel.bzImagePath, image.initramfsPath);
      if (i < WARMUP_RUNS) continue;
      isolabMs.push(iso);
      rawMs.push(raw);
      for (const ph of handle.startup.phases) (phases[ph.name] ??= []).push(ph.ms);
    }
  } finally {
    await engine.reconcile(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const isolabPhasesMs = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
  return { label: "vm start (TCG)", isolabMs, rawMs, rawLabel: "qemu defaults", target: 0.6, isolabPhasesMs };
}

// `node --conditions=react-server --import tsx scripts/bench/vm-start.ts [runs=5]`
if (require.main === module) {
  const runs = Number(process.argv[2] ?? 5);
  void benchVmStart({ runs }).then((r) => {
    const iso = median(r.isolabMs);
    const raw = median(r.rawMs);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
    console.log(`isolab  median ${iso.toFixed(0)} ms  [${fmt(r.isolabMs)}]  phases ${JSON.stringify(r.isolabPhasesMs)}`);
    console.log(`default median ${raw.toFixed(0)} ms  [${fmt(r.rawMs)}]`);
    console.log(`ratio ${(iso / raw).toFixed(2)}× (target ≤ ${r.target}×)`);
  });
}
