// VM warm start: Isolab's engine restoring its template snapshot (the call
// until it resolves, as the supervisor sees it: checks, restore, the guest's
// new name and seed, ping answered) against a raw QEMU restoring the very
// same snapshot file the way it was first measured by hand: the same arguments plus
// `-S -incoming "exec:cat FILE"`, poll `query-migrate` until completed,
// `cont`, and the agent answering `ping`. Runs alternate so both see the
// same host load. Both use TCG.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "../../lib/core/stats";
import { instantiateArgs } from "../../lib/vm/snapshot";
import { getImage, getKernel } from "../../server/images/store";
import type { StartRequest } from "../../server/engine/contract";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { vmPaths } from "../../server/vm/engine";
import { lines, listen } from "./raw-clone";
import type { BenchTimings } from "./report";

const WARMUP_RUNS = 1;
const MEMORY_MIB = 128;

export interface VmWarmTimings extends BenchTimings {
  /** Median of each Isolab restore phase. */
  isolabPhasesMs: Record<string, number>;
  snapshot: { id: string; sizeBytes: number; saveMs: number };
}

/** Spawn → the restored guest answers ping, by hand; then SIGKILL. */
async function rawRestore(dir: string, template: string[], stateFile: string, timeoutMs = 30_000): Promise<number> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const paths = vmPaths(dir);
  // QEMU connects to each chardev socket as a client: the terminal's too (ttyS2), or it exits at start.
  const [qmpServer, agentServer, termServer] = await Promise.all([listen(paths.qmpSocket), listen(paths.agentSocket), listen(paths.termSocket)]);
  const termConn = new Promise<net.Socket>((r) => termServer.once("connection", r));
  // The file path goes through QEMU's /bin/sh: the bench's own temp path, no quoting needed.
  // Raw QEMU as people run it: without Isolab's -sandbox (whose spawn=deny would forbid exec:), as root.
  const raw = instantiateArgs(template, paths).filter((a, i, all) => a !== "-sandbox" && all[i - 1] !== "-sandbox");
  const args = [...raw, "-S", "-incoming", `exec:cat ${stateFile}`];
  const t0 = performance.now();
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  qemu.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => qemu.once("exit", () => r()));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw QEMU: no answer within ${timeoutMs} ms`)), timeoutMs);
      void exited.then(() => reject(new Error(`raw QEMU exited: ${stderr.trim()}`)));
      let agent: net.Socket | undefined;
      agentServer.once("connection", (s) => {
        agent = s;
        lines(s, (l) => {
          if (l.startsWith("1|")) {
            clearTimeout(timer);
            resolve(performance.now() - t0);
          }
        });
      });
      qmpServer.once("connection", (q) => {
        let id = 0;
        const pending = new Map<number, (v: { return?: { status?: string } }) => void>();
        const cmd = (execute: string) =>
          new Promise<{ return?: { status?: string } }>((r) => {
            pending.set(++id, r);
            q.write(`${JSON.stringify({ execute, id })}\n`);
          });
        lines(q, (l) => {
          const m = JSON.parse(l) as { QMP?: unknown; id?: number };
          if (m.QMP) {
            void (async () => {
              await cmd("qmp_capabilities");
              for (;;) {
                const s = await cmd("query-migrate");
                if (s.return?.status === "completed") break;
                if (s.return?.status === "failed") return reject(new Error("raw QEMU: migration failed"));
                await new Promise((r) => setTimeout(r, 2));
              }
              await cmd("cont");
              agent?.write("1 ping\n");
            })();
          } else if (m.id !== undefined) pending.get(m.id)?.(m as { return?: { status?: string } });
        });
      });
    });
  } finally {
    try {
      process.kill(-qemu.pid!, "SIGKILL");
    } catch {
      qemu.kill("SIGKILL");
    }
    await exited;
    qmpServer.close();
    agentServer.close();
    termServer.close();
    void termConn.then((s) => s.destroy());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchVmWarm(opts: { runs: number }): Promise<VmWarmTimings> {
  const image = await getImage("probe");
  const kernel = await getKernel();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-vmw-"));
  const engine = createEngines(testAppConfig(stateDir, { kernelPath: kernel.path, accel: "tcg" })).vm;
  const request = (id: string): StartRequest => ({
    id,
    name: `bench-${id}`,
    image,
    memoryMiB: MEMORY_MIB,
    cpus: 1,
    dir: path.join(stateDir, "instances", id),
    readyTimeoutMs: 60_000,
    warm: true,
  });
  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  const phases: Record<string, number[]> = {};
  try {
    // The first warm start builds the template; its snapshot is what both sides restore.
    const first = await engine.start(request("t"));
    await first.stop({ timeoutMs: 2000 });
    const meta = engine.snapshots.get(first.snapshotId!);
    const stateFile = engine.snapshots.statePath(meta.id);
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const t0 = performance.now();
      const h = await engine.start(request(`b${i}`));
      const iso = performance.now() - t0;
      await h.stop({ timeoutMs: 2000 });
      fs.rmSync(path.join(stateDir, "instances", `b${i}`), { recursive: true, force: true });
      const raw = await rawRestore(path.join(stateDir, "raw"), meta.args, stateFile);
      if (i < WARMUP_RUNS) continue;
      isolabMs.push(iso);
      rawMs.push(raw);
      for (const ph of h.startup.phases) (phases[ph.name] ??= []).push(ph.ms);
    }
    const isolabPhasesMs = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
    return {
      label: "VM warm start → ping (TCG)",
      isolabMs,
      rawMs,
      rawLabel: "qemu -incoming exec:cat + cont",
      // Isolab also checks the snapshot, renames and reseeds the clone: a little more than the raw restore.
      target: 1.25,
      isolabPhasesMs,
      snapshot: { id: meta.id, sizeBytes: meta.state.sizeBytes, saveMs: meta.saveMs },
    };
  } finally {
    await engine.reconcile(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

// `node --conditions=react-server --import tsx scripts/bench/vm-warm.ts [runs=10]`
if (require.main === module) {
  const runs = Number(process.argv[2] ?? 10);
  void benchVmWarm({ runs }).then((r) => {
    const iso = median(r.isolabMs);
    const raw = median(r.rawMs);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
    console.log(`snapshot ${(r.snapshot.sizeBytes / 2 ** 20).toFixed(1)} MiB, saved in ${r.snapshot.saveMs} ms`);
    console.log(`isolab median ${iso.toFixed(0)} ms  [${fmt(r.isolabMs)}]  phases ${JSON.stringify(r.isolabPhasesMs)}`);
    console.log(`raw    median ${raw.toFixed(0)} ms  [${fmt(r.rawMs)}]`);
    console.log(`ratio ${(iso / raw).toFixed(2)}× (target ≤ ${r.target}×)`);
  });
}
