import type { FigureInstance, FiguresPayload, GuestFacts } from "@/lib/schemas/figures";

// Payload fixtures for the figure layout tests: numbers shaped like this
// host's (24 GiB, TCG VMs of ~170 MiB PSS, containers of ~1 MiB).

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const AT = "2026-01-01T12:00:00.000Z";
const HOST_BOOT = Date.parse("2026-01-01T08:00:00Z");

export function guest(over: Partial<GuestFacts> = {}): GuestFacts {
  return {
    kernelRelease: "6.1.0-56-cloud-amd64",
    kernelVersion: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1",
    hostname: "vm",
    processCount: 62,
    processNames: ["sh", "probe", "kthreadd"],
    memTotalBytes: 110 * MiB,
    memUsedBytes: 40 * MiB,
    bootedAtMs: Date.parse("2026-01-01T11:59:00Z"),
    bootedAtErrorMs: 120,
    source: "probe info inside",
    at: AT,
    ...over,
  };
}

export function hostGuest(over: Partial<GuestFacts> = {}): GuestFacts {
  return guest({
    kernelRelease: "6.1.0-host",
    kernelVersion: "#1 SMP",
    memTotalBytes: 24 * GiB,
    memUsedBytes: 6 * GiB,
    processCount: 180,
    bootedAtMs: HOST_BOOT,
    bootedAtErrorMs: 10,
    ...over,
  });
}

export function inst(name: string, kind: FigureInstance["kind"], hostBytes: number | null, over: Partial<FigureInstance> = {}): FigureInstance {
  return {
    id: `${kind}-${name}`,
    name,
    kind,
    image: "probe",
    state: "running",
    memoryMiB: 128,
    createdAt: AT,
    hostMemory: hostBytes === null ? null : { value: hostBytes, source: kind === "container" ? "cgroup memory usage" : "PSS", at: AT },
    guest: kind === "vm" ? guest({ hostname: name }) : hostGuest({ hostname: kind === "container" ? name : "host" }),
    ...(kind === "vm" ? { accel: "tcg" as const } : {}),
    ...over,
  };
}

/** No templated VM, template file, pool or density run with vm-template. */
export const NO_TEMPLATED = { files: [], pool: null, density: null };

export function payload(over: Partial<FiguresPayload> = {}): FiguresPayload {
  return {
    generatedAt: AT,
    host: {
      source: "probe info on the host",
      at: AT,
      hostname: "host",
      kernelRelease: "6.1.0-host",
      kernelVersion: "#1 SMP",
      bootedAtMs: HOST_BOOT,
      bootedAtErrorMs: 10,
      memTotal: { value: 24 * GiB, source: "/proc/meminfo MemTotal", at: AT },
      memAvailable: { value: 18 * GiB, source: "/proc/meminfo MemAvailable", at: AT },
      accelerator: { accel: "tcg", reason: "KVM hung at boot", source: "accelerator probe", at: AT },
    },
    instances: [],
    fig21: { marginal: { basis: "none", vm: null, container: null }, app: null, densityAvailable: false, templated: NO_TEMPLATED },
    fig22: { overhead: null, startup: null, pending: [] },
    fig23: { members: [], running: false },
    fig24: { images: [], imagesNote: null, registry: { running: false, mode: "stopped", url: null, repositories: [], note: "no registry running", at: AT } },
    ...over,
  };
}
