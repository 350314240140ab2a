import { accelLabel } from "@/lib/experiments/types";
import type { FiguresPayload } from "@/lib/schemas/figures";
import { clockTime, EXPERIMENT_STALE_MS, freshness, LIVE_STALE_MS, oldest, type Freshness } from "./age";
import { fig22Model, formatNs } from "./fig22";
import { drawsTemplatedHost } from "./fig21-templated";

// What each figure's caption says: which measurement, when, and how old. Pure.

export interface Caption {
  /** The whole caption, for the SVG's <desc> and aria. */
  text: string;
  /** What was measured, without the time. */
  base: string;
  /** Age of the oldest value the figure shows; null when it shows none. */
  freshness: Freshness | null;
  at: string | null;
}

function caption(text: string, at: string | null, now: number, staleMs: number): Caption {
  const f = freshness(at, now, staleMs);
  return { text: at && f ? `${text} Measured ${clockTime(at)} (${f.text}).` : text, base: text, freshness: f, at };
}

const running = (p: FiguresPayload) => p.instances.filter((i) => i.state === "running");

export function fig21Caption(p: FiguresPayload, now: number): Caption {
  const shown = running(p).filter((i) => i.kind !== "process");
  const at = oldest([p.host.memAvailable.at, ...shown.map((i) => i.hostMemory?.at), ...shown.filter((i) => i.kind === "vm").map((i) => i.guest?.at)]);
  const m = p.fig21.marginal;
  const densityAt = m.vm?.at ?? m.container?.at;
  const densityAge = densityAt ? freshness(densityAt, now, EXPERIMENT_STALE_MS) : null;
  const basis =
    m.basis === "density"
      ? `"Room for N more" divides each host's free memory by the marginal memory per instance from density experiment ${m.experimentId}${densityAt && densityAge ? `, finished ${clockTime(densityAt)} (${densityAge.text})` : ""}${m.firstLimit ? ", capped by the first limit that run found beyond memory (Isolab's caps, pid_max, namespaces)" : ""}.`
      : m.basis === "live"
        ? `"Room for N more" divides each host's free memory by the median footprint of the live instances of that kind (no density experiment).`
        : `"Room for N more" needs a per-instance footprint: launch instances${p.fig21.densityAvailable ? " or run the density experiment" : ""}.`;
  const templated = drawsTemplatedHost(p.instances, p.fig21.templated)
    ? ` Templated VMs: the template's RAM file is counted once, by what tmpfs holds for it (st_blocks), and each clone by its PSS less its share of that file (Pss_Shmem), so no page is counted twice; their room divides by ${p.fig21.templated.density ? `density experiment ${p.fig21.templated.density.experimentId}'s marginal memory per clone` : "the live clones' median own cost"}. What is given up: every clone starts from the template's memory — its page cache, its kernel's random state at save time and any secret it held — shared with every other clone.`
    : "";
  return caption(
    `Every host has this host's memory (MemTotal). Host OS = used − instances, from /proc/meminfo; containers by cgroup usage, VMs by QEMU's PSS (host view) split by the guest's own MemTotal − MemAvailable (guest view). ${basis}${templated}`,
    at,
    now,
    LIVE_STALE_MS,
  );
}

export function fig22Caption(p: FiguresPayload, now: number): Caption {
  const o = p.fig22.overhead;
  const m = fig22Model(p);
  if (!o)
    return caption(
      `No overhead experiment with the syscall workload has finished yet; the path is drawn without numbers. ${m.path}`,
      null,
      now,
      EXPERIMENT_STALE_MS,
    );
  const n = Math.max(...Object.values(o.syscall).map((s) => s?.n ?? 0));
  const vm = o.syscall.vm ? `; VM ${formatNs(o.syscall.vm.medianNs)}` : "";
  const s = p.fig22.startup;
  const startup = s ? ` Start-up medians from startup experiment ${s.experimentId}.` : "";
  return caption(
    `System-call latency: getppid() × ${o.syscallArgs.join(" ") || "?"} per repetition, median of up to ${n}, from overhead experiment ${o.experimentId}${vm} (${accelLabel(o.accel?.accel)}).${startup} ${m.path} ${m.mitigations}${m.vmFaster ? ` ${m.vmFaster}` : ""}`,
    o.at,
    now,
    EXPERIMENT_STALE_MS,
  );
}

export function fig23Caption(p: FiguresPayload, now: number): Caption {
  const ids = new Set(p.fig23.members.map((m) => m.instanceId).filter(Boolean));
  const mine = running(p).filter((i) => ids.has(i.id));
  const at = oldest(mine.flatMap((i) => [i.guest?.at, i.hostMemory?.at]));
  return caption(
    "Kernel, processes and memory as each instance reported them from inside (probe info, cached up to 10 s), the app's own PSS among them (marked as an estimate from the bare process where an instance gave none); memory of the host view from the sampler. Shared kernels are drawn where release, build, memory total and boot time agree.",
    at,
    now,
    LIVE_STALE_MS,
  );
}

export function fig24Caption(p: FiguresPayload, now: number): Caption {
  const at = oldest(p.fig24.images.map((i) => i.at));
  const r = p.fig24.registry;
  const registry = r.running
    ? `registry: ${r.note}, holding ${r.repositories.length} tag${r.repositories.length === 1 ? "" : "s"}`
    : `no registry running (${r.note})`;
  return caption(
    `The local OCI image store (name:tag, size, layers, origin, digest) and each running instance linked to the image the store says it was started from; ${registry}.`,
    at,
    now,
    LIVE_STALE_MS,
  );
}
