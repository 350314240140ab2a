import "server-only";
import os from "node:os";
import fs from "node:fs";
import { buildFamilies } from "@/lib/metrics/exposition";
import { carrierRows, compareViews, ProbeInfoSchema, type Carrier, type ProbeInfo, type WhatItSees } from "@/lib/metrics/guest-view";
import { confinementFromProc } from "@/lib/container/confinement-view";
import { formatExposition } from "@/lib/metrics/prometheus";
import type { InstanceSamples, SampleWindowS, SamplesSnapshot } from "@/lib/metrics/samples";
import { parseLastJson } from "@/lib/probe/output";
import type { Instance } from "@/lib/core/types";
import { ExecError } from "@/server/errors";
import type { App } from "@/server/app/create-app";
import { runCommand } from "@/server/host/run-command";
import { hostCgroupVersion } from "@/server/container/cgroup";
import { knownAccelerator } from "@/server/vm/accel";
import { hostReserveBytes } from "@/lib/host/memory-guard";

// What the metric routes answer: the sampler's history and what an instance
// sees from inside. Routes parse and map errors; this is the logic.

/** One instance's history; 404 (NotFoundError) for an unknown id. */
export function instanceSamples(app: App, id: string, windowS: SampleWindowS): InstanceSamples {
  const { supervisor, sampler } = app;
  const instance = supervisor.get(id);
  return {
    id,
    name: instance.name,
    kind: instance.kind,
    state: instance.state,
    reason: instance.reason,
    windowS,
    intervalMs: sampler.intervalMs,
    samples: sampler.samples(id, windowS),
  };
}

/** Host history, the sampler's cost and the latest reading of every instance. */
export function samplesSnapshot(app: App, windowS: SampleWindowS): SamplesSnapshot {
  const { sampler } = app;
  return { windowS, host: sampler.hostSamples(windowS), sampler: sampler.stats(), latest: sampler.latest() };
}

export function metricsText(app: App): string {
  const { supervisor, sampler } = app;
  const host = sampler.hostSamples(60).at(-1) ?? null;
  return formatExposition(
    buildFamilies({
      instances: supervisor.list(),
      latest: sampler.latest(),
      host,
      sampler: sampler.stats(),
      startups: app.startups.list(),
      hostInfo: {
        hostname: os.hostname(),
        accelerator: knownAccelerator(app.config.stateDir)?.accel ?? "unknown",
        cgroup: hostCgroupVersion(),
      },
      memoryReserveBytes: host ? hostReserveBytes(host.memTotalBytes) : undefined,
      nowMs: Date.now(),
    }),
  );
}

function parseInfo(output: string, where: string): ProbeInfo {
  const parsed = ProbeInfoSchema.safeParse(parseLastJson(output));
  if (!parsed.success) throw new ExecError(`probe info ${where} printed no usable result: ${output.slice(-300)}`);
  return parsed.data;
}

/** `probe info` inside the instance next to the same probe run on the host itself. */
export async function whatItSees(app: App, id: string): Promise<WhatItSees> {
  const { supervisor } = app;
  const instance: Instance = supervisor.get(id);
  const image = await app.resolveImage(instance.image, instance.kind);
  const [inside, onHost] = await Promise.all([
    supervisor.exec(id, { command: "info", args: [], timeoutMs: 15_000 }),
    runCommand(image.probePath, ["info"], { timeoutMs: 5000 }),
  ]);
  if (inside.exitCode !== 0) throw new ExecError(`probe info inside "${instance.name}" exited with ${inside.exitCode}: ${inside.output.slice(-300)}`);
  const guest = parseInfo(inside.output, `inside "${instance.name}"`);
  const host = parseInfo(onHost.output, "on the host");
  return { id, host, guest, rows: compareViews(host, guest), ...carrierOf(instance) };
}

const CARRIER: Record<Instance["kind"], string> = { process: "the probe", container: "the container's init", vm: "QEMU" };

/** The host process that carries the instance, as the host's /proc sees it (for a VM: QEMU's own confinement). */
function carrierOf(instance: Instance): { carrier?: Carrier } {
  const pid = instance.pid;
  if (!pid) return {};
  try {
    const read = (f: string) => fs.readFileSync(`/proc/${pid}/${f}`, "utf8");
    const confinement = confinementFromProc(read("status"), read("uid_map"), read("gid_map"));
    return { carrier: { pid, what: CARRIER[instance.kind], confinement, rows: carrierRows(confinement) } };
  } catch {
    return {}; // it ended between the exec and this read
  }
}
