// Templated and pooled VM starts against the raw QEMU invocation of the same
// technique, and against Isolab's container start measured in the same run.
//   template  Isolab: engine.start({ startMode: "template" }) until it resolves
//             (checks, spawn, x-ignore-shared, migrate-incoming, cont, new
//             name and seed, ping answered).
//             raw: the clone's own arguments + `-S -incoming defer`, by hand:
//             qmp_capabilities, migrate-set-capabilities x-ignore-shared,
//             migrate-incoming fd:3, poll query-migrate, cont, ping.
//   pooled    Isolab: engine.start({ startMode: "pooled" }) with a clone
//             waiting (the pool is idle first); raw: a clone loaded by hand
//             ahead, run once and stopped (as the pool does), timed from
//             `cont` to the ping's answer.
// Runs alternate (container, template, raw template, pooled, raw pooled) so
// every column sees the same host load. TCG.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "../../lib/core/stats";
import { instantiateArgs } from "../../lib/vm/snapshot";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { probeImage } from "../../server/container/test-support";
import type { StartRequest } from "../../server/engine/contract";
import { getImage, getKernel } from "../../server/images/store";
import { vmPaths } from "../../server/vm/engine";
import type { BenchTimings } from "./report";

const WARMUP_RUNS = 1;
const MEMORY_MIB = 128;

export interface VmTemplateTimings {
  template: BenchTimings;
  pooled: BenchTimings;
  containerMs: number[];
  templatePhasesMs: Record<string, number>;
  stateBytes: number;
}

function lines(sock: net.Socket, onLine: (l: string) => void) {
  let buf = "";
  sock.on("data", (d) => {
    buf += d.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  sock.on("error", () => {});
}

async function listen(p: string): Promise<net.Server> {
  fs.rmSync(p, { force: true });
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(p, r));
  return server;
}

interface RawClone {
  qemu: ChildProcess;
  /** Spawned → state loaded, vCPUs stopped. */
  loadedMs: number;
  cmd(execute: string, args?: unknown): Promise<{ return?: { status?: string } }>;
  /** cont, then ping; resolves when the guest answers. */
  resume(): Promise<void>;
  kill(): Promise<void>;
}

/** A clone by hand: the clone's arguments, -incoming defer, x-ignore-shared, migrate-incoming fd:3; resolves once loaded. */
async function rawClone(dir: string, cloneArgs: string[], stateFile: string): Promise<RawClone> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const paths = vmPaths(dir);
  const [qmpServer, agentServer] = await Promise.all([listen(paths.qmpSocket), listen(paths.agentSocket)]);
  const args = [...instantiateArgs(cloneArgs, paths), "-S", "-incoming", "defer"];
  const stateFd = fs.openSync(stateFile, "r");
  const t0 = performance.now();
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "ignore", "pipe", stateFd], detached: true });
  fs.closeSync(stateFd);
  let stderr = "";
  qemu.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => qemu.once("exit", () => r()));
  const [q, agent] = await Promise.all([
    new Promise<net.Socket>((r) => qmpServer.once("connection", r)),
    new Promise<net.Socket>((r) => agentServer.once("connection", r)),
  ]);
  qmpServer.close();
  agentServer.close();
  let id = 0;
  const pending = new Map<number, (v: { return?: { status?: string } }) => void>();
  let greeted: () => void = () => {};
  const greeting = new Promise<void>((r) => (greeted = r));
  lines(q, (l) => {
    const m = JSON.parse(l) as { QMP?: unknown; id?: number };
    if (m.QMP) greeted();
    else if (m.id !== undefined) pending.get(m.id)?.(m as { return?: { status?: string } });
  });
  const cmd = (execute: string, a?: unknown) =>
    new Promise<{ return?: { status?: string } }>((r) => {
      pending.set(++id, r);
      q.write(`${JSON.stringify({ execute, id, ...(a ? { arguments: a } : {}) })}\n`);
    });
  let pong: () => void = () => {};
  lines(agent, (l) => {
    if (l.startsWith("900001|")) pong();
  });
  const kill = async () => {
    try {
      process.kill(-qemu.pid!, "SIGKILL");
    } catch {
      qemu.kill("SIGKILL");
    }
    await exited;
    q.destroy();
    agent.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([greeting, exited.then(() => Promise.reject(new Error(`raw QEMU exited: ${stderr.trim()}`)))]);
    await cmd("qmp_capabilities");
    await cmd("migrate-set-capabilities", { capabilities: [{ capability: "x-ignore-shared", state: true }] });
    await cmd("migrate-incoming", { uri: "fd:3" });
    for (;;) {
      const s = await cmd("query-migrate");
      if (s.return?.status === "completed") break;
      if (s.return?.status === "failed") throw new Error(`raw QEMU: migration failed: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  } catch (err) {
    await kill();
    throw err;
  }
  const loadedMs = performance.now() - t0;
  return {
    qemu,
    loadedMs,
    cmd,
    async resume() {
      const answered = new Promise<void>((r) => (pong = r));
      await cmd("cont");
      agent.write("900001 ping\n");
      await answered;
    },
    kill,
  };
}

export async function benchVmTemplate(opts: { runs: number }): Promise<VmTemplateTimings> {
  const image = await getImage("probe");
  const kernel = await getKernel();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-vmt-"));
  const engines = createEngines(testAppConfig(stateDir, { kernelPath: kernel.path, accel: "tcg", vm: { poolSize: 1 } }));
  const vm = engines.vm;
  const request = (id: string, patch: Partial<StartRequest>): StartRequest => ({
    id,
    name: `bench-${id}`,
    image,
    memoryMiB: MEMORY_MIB,
    cpus: 1,
    dir: path.join(stateDir, "instances", id),
    readyTimeoutMs: 60_000,
    ...patch,
  });
  const containerImage = probeImage();
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const v = await f();
    return [v, performance.now() - t0];
  };
  const out = { template: [] as number[], rawTemplate: [] as number[], pooled: [] as number[], rawPooled: [] as number[], container: [] as number[] };
  const phases: Record<string, number[]> = {};
  try {
    // The first templated start builds the template; its state and clone arguments are what the raw side uses.
    const first = await vm.start(request("t", { startMode: "template" }));
    await first.stop({ timeoutMs: 2000 });
    const { meta, statePath: stateFile } = vm.templated.template(first.snapshotId!);
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const warm = i < WARMUP_RUNS;
      await vm.idle!();
      const [c, cMs] = await timed(() => engines.container.start({ ...request(`c${i}`, {}), image: containerImage }));
      await c.stop({ timeoutMs: 2000 });

      await vm.idle!();
      const [t, tMs] = await timed(() => vm.start(request(`t${i}`, { startMode: "template" })));
      await t.stop({ timeoutMs: 2000 });

      const [raw, rawMs] = await timed(async () => {
        const r = await rawClone(path.join(stateDir, "raw"), meta.args, stateFile);
        await r.resume();
        return r;
      });
      await raw.kill();

      await vm.idle!();
      const [p, pMs] = await timed(() => vm.start(request(`p${i}`, { startMode: "pooled" })));
      await p.stop({ timeoutMs: 2000 });

      // The pool's technique: loaded, run once (translating the attach path under TCG), stopped.
      const rp = await rawClone(path.join(stateDir, "rawp"), meta.args, stateFile);
      await rp.resume();
      await rp.cmd("stop");
      const [, rpMs] = await timed(() => rp.resume());
      await rp.kill();

      for (const id of [`c${i}`, `t${i}`, `p${i}`]) fs.rmSync(path.join(stateDir, "instances", id), { recursive: true, force: true });
      if (warm) continue;
      out.container.push(cMs);
      out.template.push(tMs);
      out.rawTemplate.push(rawMs);
      out.pooled.push(pMs);
      out.rawPooled.push(rpMs);
      for (const ph of t.startup.phases) (phases[ph.name] ??= []).push(ph.ms);
    }
    return {
      template: {
        label: "VM template clone → ping (TCG)",
        isolabMs: out.template,
        rawMs: out.rawTemplate,
        rawLabel: "qemu -incoming defer + x-ignore-shared",
        target: 1.25,
      },
      pooled: { label: "VM pooled start → ping (TCG)", isolabMs: out.pooled, rawMs: out.rawPooled, rawLabel: "loaded qemu: cont + ping", target: 1.25 },
      containerMs: out.container,
      templatePhasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
      stateBytes: meta.state.sizeBytes,
    };
  } finally {
    try {
      await vm.shutdown();
    } finally {
      // The template's RAM file lives on /dev/shm, not in the state directory: it goes even when the shutdown failed.
      vm.templated.templates.removeAll();
    }
    await vm.reconcile(stateDir);
    await engines.container.reconcile(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
