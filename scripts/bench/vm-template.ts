// Templated and pooled VM starts against the raw QEMU invocation of the same
// technique, and against Isolab's container start measured in the same run.
//   template  Isolab: engine.start({ startMode: "template" }) until it resolves
//             (checks, spawn, x-ignore-shared, migrate-incoming, cont, new
//             name and seed, ping answered).
//             raw: the same QEMU invocation by hand (raw-clone.ts): the
//             clone's own argument array, user, sandbox and environment;
//             the shortest QMP and agent script doing the same work.
//   pooled    Isolab: engine.start({ startMode: "pooled" }) with a clone
//             waiting (the pool is idle first); raw: a clone loaded by hand
//             ahead, run once and stopped (as the pool does), timed from
//             `cont` to the ping's answer.
// Runs alternate (container, template, raw template, pooled, raw pooled) so
// every column sees the same host load. TCG. Whatever fails, the finally
// kills the raw QEMUs, the pool and the templates' RAM files.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { median } from "../../lib/core/stats";
import { config } from "../../server/config";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { probeImage } from "../../server/container/test-support";
import type { StartRequest } from "../../server/engine/contract";
import { qemuDirs, requireQemuUser } from "../../server/host/qemu-user";
import { getImage, getKernel } from "../../server/images/store";
import { startRawClone, timed, type RawClone } from "./raw-clone";
import type { BenchTimings } from "./report";

const WARMUP_RUNS = 1;
const MEMORY_MIB = 128;
const TIMEOUT_MS = 60_000;

export interface VmTemplateTimings {
  template: BenchTimings;
  pooled: BenchTimings;
  containerMs: number[];
  templatePhasesMs: Record<string, number>;
  stateBytes: number;
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
    readyTimeoutMs: TIMEOUT_MS,
    ...patch,
  });
  const containerImage = probeImage();
  const out = { template: [] as number[], rawTemplate: [] as number[], pooled: [] as number[], rawPooled: [] as number[], container: [] as number[] };
  const phases: Record<string, number[]> = {};
  const raws = new Set<RawClone>();
  const qemu = qemuDirs(stateDir, requireQemuUser(config.qemuUser));
  try {
    // The first templated start builds the template; its state and clone arguments are what the raw side uses.
    const first = await vm.start(request("t", { startMode: "template" }));
    await first.stop({ timeoutMs: 2000 });
    const { meta, statePath: stateFile } = vm.templated.template(first.snapshotId!);
    const rawClone = async (name: string) => {
      const r = await startRawClone({
        dir: path.join(stateDir, "instances", name),
        qemu,
        qemuBinary: config.qemuBinary,
        cloneArgs: meta.args,
        stateFile,
        lean: vm.templated.lean(),
        timeoutMs: TIMEOUT_MS,
      });
      raws.add(r);
      return r;
    };
    const killRaw = async (r: RawClone) => {
      raws.delete(r);
      await r.kill();
    };
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const warm = i < WARMUP_RUNS;
      await vm.idle!();
      const [c, cMs] = await timed(() => engines.container.start({ ...request(`c${i}`, {}), image: containerImage }));
      await c.stop({ timeoutMs: 2000 });

      await vm.idle!();
      const [t, tMs] = await timed(() => vm.start(request(`t${i}`, { startMode: "template" })));
      await t.stop({ timeoutMs: 2000 });

      const [raw, rawMs] = await timed(async () => {
        const r = await rawClone("raw");
        await r.loaded;
        await r.resume();
        return r;
      });
      await killRaw(raw);

      await vm.idle!();
      const [p, pMs] = await timed(() => vm.start(request(`p${i}`, { startMode: "pooled" })));
      await p.stop({ timeoutMs: 2000 });

      // The pool's technique: loaded, run once (translating the attach path under TCG), stopped.
      await vm.idle!();
      const rp = await rawClone("rawp");
      await rp.loaded;
      await rp.resume();
      await rp.stop();
      const [, rpMs] = await timed(() => rp.resume());
      await killRaw(rp);

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
        rawLabel: "same qemu invocation by hand",
        target: 1.25,
      },
      pooled: {
        label: "VM pooled start → ping (TCG)",
        isolabMs: out.pooled,
        rawMs: out.rawPooled,
        rawLabel: "loaded qemu: cont, name, seed, ping",
        target: 1.25,
      },
      containerMs: out.container,
      templatePhasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
      stateBytes: meta.state.sizeBytes,
    };
  } finally {
    try {
      await Promise.all([...raws].map((r) => r.kill()));
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
