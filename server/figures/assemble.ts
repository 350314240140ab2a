import "server-only";
import fs from "node:fs";
import { FIG23_SCENARIO } from "@/lib/figures/fig23";
import { appFootprint, hostMemoryFact, liveMarginals } from "@/lib/figures/memory-facts";
import { parseMeminfo } from "@/lib/host/procfs";
import { FiguresPayloadSchema, type FigureInstance, type FiguresPayload, type HostFacts } from "@/lib/schemas/figures";
import type { App } from "@/server/app/create-app";
import type { Sampler } from "@/server/metrics/sampler";
import { knownAccelerator } from "@/server/vm/accel";
import { experimentFacts, experimentSources, imageFacts, registryFacts } from "./sources";
import { templatedSources } from "./templated-sources";

// GET /api/figures: every figure's facts from what exists now — live
// instances, their latest samples and `probe info` from inside, the newest
// finished experiments, the image store — each with its source and time.

function hostMemory(sampler: Sampler, now: string): Pick<HostFacts, "memTotal" | "memAvailable"> {
  const s = sampler.hostSamples(60).at(-1);
  if (s) {
    const at = new Date(s.t).toISOString();
    return {
      memTotal: { value: s.memTotalBytes, source: "/proc/meminfo MemTotal, sampler", at },
      memAvailable: { value: s.memAvailableBytes, source: "/proc/meminfo MemAvailable, sampler", at },
    };
  }
  const m = parseMeminfo(fs.readFileSync("/proc/meminfo", "utf8"));
  return {
    memTotal: { value: m.MemTotal, source: "/proc/meminfo MemTotal", at: now },
    memAvailable: { value: m.MemAvailable, source: "/proc/meminfo MemAvailable", at: now },
  };
}

export async function getFigures(app: App): Promise<FiguresPayload> {
  const generatedAt = new Date().toISOString();
  const { supervisor, sampler, guestFacts } = app;
  const list = supervisor.list();
  guestFacts.prune(list.map((i) => i.id));
  const latest = sampler.latest();

  const [guests, hostProbe, images, registry] = await Promise.all([
    guestFacts.readAll(supervisor, list),
    guestFacts.readHost(),
    imageFacts(app, generatedAt),
    registryFacts(app, generatedAt),
  ]);
  const memory = hostMemory(sampler, generatedAt);

  const templated = templatedSources(app, list, generatedAt);
  const instances: FigureInstance[] = list.map((i, k) => {
    const g = guests[k];
    const clone = templated.clones.get(i.id);
    return {
      id: i.id,
      name: i.name,
      kind: i.kind,
      image: i.image,
      state: i.state,
      ...(i.accel ? { accel: i.accel } : {}),
      memoryMiB: i.memoryMiB,
      createdAt: i.createdAt,
      hostMemory: i.state === "running" ? hostMemoryFact(i, latest[i.id]) : null,
      guest: g && "facts" in g ? g.facts : null,
      ...(g && "error" in g ? { guestError: g.error } : {}),
      ...(i.startMode ? { startMode: i.startMode } : {}),
      ...(clone !== undefined ? { clone } : {}),
    };
  });

  if (!("facts" in hostProbe)) throw new Error(`the host's own view could not be read: ${hostProbe.error}`);
  const hf = hostProbe.facts;
  const accel = knownAccelerator(app.config.stateDir);
  const host: HostFacts = {
    source: hf.source,
    at: hf.at,
    hostname: hf.hostname,
    kernelRelease: hf.kernelRelease,
    kernelVersion: hf.kernelVersion,
    bootedAtMs: hf.bootedAtMs,
    bootedAtErrorMs: hf.bootedAtErrorMs,
    ...memory,
    accelerator: accel ? { accel: accel.accel, reason: accel.reason, source: "accelerator probe (boots the image)", at: accel.checkedAt ?? generatedAt } : null,
  };

  const xp = experimentSources(app);
  const facts = experimentFacts(xp.items);
  const live = liveMarginals(instances);
  const marginal = facts.density
    ? {
        basis: "density" as const,
        experimentId: facts.density.experimentId,
        vm: facts.density.vm ?? live.vm,
        container: facts.density.container ?? live.container,
        firstLimit: facts.density.firstLimit,
      }
    : live;

  const byName = new Map(list.map((i) => [i.name, i]));
  const members = FIG23_SCENARIO.map((m) => {
    const i = byName.get(m.name);
    return { name: m.name, kind: m.kind, apps: [...m.apps], instanceId: i && i.kind === m.kind ? i.id : null };
  });

  const payload: FiguresPayload = {
    generatedAt,
    host,
    instances,
    fig21: {
      marginal,
      app: appFootprint(instances),
      densityAvailable: facts.densityAvailable,
      templated: { files: templated.files, pool: templated.pool, density: facts.templated },
    },
    fig22: { overhead: facts.overhead, startup: facts.startup, pending: facts.pending },
    fig23: { members, running: members.every((m) => m.instanceId && byName.get(m.name)?.state === "running") },
    fig24: { ...images, registry },
  };
  const checked = FiguresPayloadSchema.safeParse(payload);
  // An answer that breaks its own schema is a bug here, not bad input: a 500, not a 422.
  if (!checked.success)
    throw new Error(`figures payload failed its schema: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return checked.data;
}
