import "server-only";
import type { ExperimentEnvironment } from "@/lib/experiments/types";
import type { CreateInstance, ExecRequest } from "@/lib/schemas/instance";
import type { ExecResult, Instance, InstanceKind } from "@/lib/core/types";
import { NotFoundError, StartFailedError } from "@/server/errors";
import type { Clock } from "./clock";
import type { ExperimentSupervisor } from "./context";

// Fakes for the runner's unit tests: a supervisor that starts nothing real
// and a clock that advances without sleeping.

export class FakeClock implements Clock {
  t = 0;
  wall = Date.parse("2025-01-01T00:00:00.000Z");
  now() {
    return this.t;
  }
  wallTime() {
    return new Date(this.wall + this.t).toISOString();
  }
  async sleep(ms: number, signal?: AbortSignal) {
    if (signal?.aborted) throw signal.reason;
    await Promise.resolve();
    this.t += ms;
    if (signal?.aborted) throw signal.reason;
  }
}

const PHASES: Record<InstanceKind, [string, number][]> = {
  process: [
    ["spawn", 1],
    ["ready", 2],
  ],
  container: [
    ["runtime-create", 20],
    ["runtime-start", 5],
    ["ready", 5],
  ],
  vm: [
    ["qemu-up", 30],
    ["kernel", 1000],
    ["ready", 200],
  ],
};
/** A warm VM: a restore, after the template is built once (its first warm start). */
const WARM_PHASES: [string, number][] = [
  ["qemu-up", 25],
  ["state-loaded", 35],
  ["ready", 50],
];

export class FakeSupervisor implements ExperimentSupervisor {
  readonly calls: string[] = [];
  readonly live = new Map<string, Instance>();
  private n = 0;
  /** Per kind: throw to fail a start, or return a promise to hold it. */
  onCreate: Partial<Record<InstanceKind, (input: CreateInstance) => Promise<void> | void>> = {};
  onExec: (inst: Instance, req: ExecRequest) => Promise<ExecResult> | ExecResult = (_i, req) => ({
    exitCode: 0,
    output: "",
    json: probeJson(req.command),
    durationMs: 1,
  });
  scale: Record<InstanceKind, number> = { process: 1, container: 1, vm: 1 };
  templateBuilt = false;

  async create(input: CreateInstance): Promise<Instance> {
    // A restore of the template, whichever field asks for it (the runner sends startMode; older callers warm).
    const warm = input.warm || (input.startMode !== undefined && input.startMode !== "cold");
    this.calls.push(`create ${input.kind}${warm ? ` ${input.startMode && input.startMode !== "warm" ? input.startMode : "warm"}` : ""}`);
    const n = ++this.n; // starts may overlap: each keeps its own number
    const id = `${input.kind}-${n}`;
    const inst: Instance = {
      id,
      name: input.name ?? id,
      kind: input.kind,
      image: input.image,
      state: "creating",
      memoryMiB: input.memoryMiB,
      cpus: input.cpus,
      createdAt: new Date(0).toISOString(),
    };
    this.live.set(id, inst);
    try {
      await this.onCreate[input.kind]?.(input);
    } catch (err) {
      inst.state = "failed";
      if (err instanceof StartFailedError) throw new StartFailedError(err.message, { instance: { ...inst } });
      this.live.delete(id);
      throw err;
    }
    const table = warm ? (this.templateBuilt ? WARM_PHASES : [["template", 2000] as [string, number], ...WARM_PHASES]) : PHASES[input.kind];
    if (warm) this.templateBuilt = true;
    const phases = table.map(([name, ms]) => ({ name, ms: ms * this.scale[input.kind] }));
    Object.assign(inst, {
      state: "running",
      pid: 1000 + n,
      accel: input.kind === "vm" ? "tcg" : undefined,
      startup: { totalMs: phases.reduce((a, p) => a + p.ms, 0), phases },
    });
    return { ...inst };
  }

  async exec(id: string, req: ExecRequest): Promise<ExecResult> {
    const inst = this.live.get(id);
    if (!inst) throw new NotFoundError(`no ${id}`);
    this.calls.push(`exec ${inst.kind} ${req.command}`);
    return this.onExec(inst, req);
  }

  async remove(id: string): Promise<void> {
    if (!this.live.delete(id)) throw new NotFoundError(`no ${id}`);
    this.calls.push(`remove ${id.split("-")[0]}`);
  }

  handle(id: string) {
    const inst = this.live.get(id);
    return inst?.pid ? { pid: inst.pid, cgroupPath: inst.kind === "container" ? `/isolab/${id}` : undefined } : undefined;
  }
}

export function probeJson(command: string): unknown {
  switch (command) {
    case "cpu":
      return { workload: "cpu", ops: 1000, seconds: 0.5, opsPerSec: 2000 };
    case "stream":
      return { workload: "stream", copyMBps: 1000, scaleMBps: 1000, addMBps: 1000, triadMBps: 1000 };
    case "syscall":
      return { workload: "syscall", calls: 1000, nsPerCall: 200 };
    case "io":
      return { workload: "io", writeMBps: 100, readMBps: 1000 };
    default:
      return undefined;
  }
}

export function fakeEnvironment(accel: "kvm" | "tcg" | null = null): ExperimentEnvironment {
  return {
    host: {
      hostname: "test",
      os: "Debian 12",
      kernelRelease: "6.1.0",
      cpu: { model: "Fake CPU", cores: 2 },
      memory: { totalBytes: 2 ** 34, availableBytes: 2 ** 33, swapTotalBytes: 0 },
      cgroup: { version: "v1" },
      runtime: { name: "runc", version: "runc version 1.1.5", available: true },
      qemu: { version: "QEMU emulator version 7.2", available: true },
      accelerator: accel ? { accel, reason: "probed in test" } : null,
      limits: { maxInstances: 8, maxMemoryMiB: 4096 },
      measuredAt: "2025-01-01T00:00:00.000Z",
    },
    accelerator: null,
    node: process.version,
    capturedAt: "2025-01-01T00:00:00.000Z",
  };
}
