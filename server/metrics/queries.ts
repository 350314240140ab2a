import "server-only";
import { buildFamilies } from "@/lib/metrics/exposition";
import { compareViews, ProbeInfoSchema, type ProbeInfo, type WhatItSees } from "@/lib/metrics/guest-view";
import { formatExposition } from "@/lib/metrics/prometheus";
import type { InstanceSamples, SampleWindowS, SamplesSnapshot } from "@/lib/metrics/samples";
import { parseLastJson } from "@/lib/probe/output";
import type { Instance } from "@/lib/core/types";
import { ExecError } from "@/server/errors";
import { resolveImage } from "@/server/images";
import { getSupervisor } from "@/server/instances";
import { runCommand } from "@/server/host/run-command";
import { liveSampler } from "./index";

// What the metric routes answer. Routes parse and map errors; this is the logic.

/** One instance's history; 404 (NotFoundError) for an unknown id. */
export async function instanceSamples(id: string, windowS: SampleWindowS): Promise<InstanceSamples> {
  const supervisor = await getSupervisor();
  const instance = supervisor.get(id);
  const sampler = await liveSampler();
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
export async function samplesSnapshot(windowS: SampleWindowS): Promise<SamplesSnapshot> {
  const sampler = await liveSampler();
  return { windowS, host: sampler.hostSamples(windowS), sampler: sampler.stats(), latest: sampler.latest() };
}

export async function metricsText(): Promise<string> {
  const supervisor = await getSupervisor();
  const sampler = await liveSampler();
  return formatExposition(
    buildFamilies({
      instances: supervisor.list(),
      latest: sampler.latest(),
      host: sampler.hostSamples(60).at(-1) ?? null,
      sampler: sampler.stats(),
    }),
  );
}

function parseInfo(output: string, where: string): ProbeInfo {
  const parsed = ProbeInfoSchema.safeParse(parseLastJson(output));
  if (!parsed.success) throw new ExecError(`probe info ${where} printed no usable result: ${output.slice(-300)}`);
  return parsed.data;
}

/** `probe info` inside the instance next to the same probe run on the host itself. */
export async function whatItSees(id: string): Promise<WhatItSees> {
  const supervisor = await getSupervisor();
  const instance: Instance = supervisor.get(id);
  const image = await resolveImage(instance.image, instance.kind);
  const [inside, onHost] = await Promise.all([
    supervisor.exec(id, { command: "info", args: [], timeoutMs: 15_000 }),
    runCommand(image.probePath, ["info"], { timeoutMs: 5000 }),
  ]);
  if (inside.exitCode !== 0) throw new ExecError(`probe info inside "${instance.name}" exited with ${inside.exitCode}: ${inside.output.slice(-300)}`);
  const guest = parseInfo(inside.output, `inside "${instance.name}"`);
  const host = parseInfo(onHost.output, "on the host");
  return { id, host, guest, rows: compareViews(host, guest) };
}
