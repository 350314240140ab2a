import "server-only";
import type { ExperimentPlan } from "@/lib/schemas/experiment";
import type { ExecRequest, CreateInstance } from "@/lib/schemas/instance";
import type { ExperimentProgress, ExperimentSample, SkippedKind, StartupKind } from "@/lib/experiments/types";
import type { ExecResult, Instance, InstanceKind } from "@/lib/core/types";
import type { IsolabError } from "@/server/errors";
import type { ExecOptions, RunningHandle } from "@/server/engine/contract";
import type { CreateOptions } from "@/server/instances/supervisor";
import { abortable, type Clock } from "./clock";
import type { ReadHostUsage } from "./host-usage";

/** The part of the supervisor an experiment drives; the real one and the test fake both fit. */
export interface ExperimentSupervisor {
  create(input: CreateInstance, opts?: CreateOptions): Promise<Instance>;
  exec(id: string, req: ExecRequest, opts?: ExecStreamOptions): Promise<ExecResult>;
  remove(id: string): Promise<void>;
  handle(id: string): { pid: number; cgroupPath?: string; logPath?: string; hostUsage?: RunningHandle["hostUsage"] } | undefined;
  /** Settles once the engines' background work (the VM pool refilling) is done. */
  idle?(): Promise<void>;
}

/** Progress lines as they arrive, and a signal that kills the command (isolation's latency and hogs). */
export type ExecStreamOptions = Pick<ExecOptions, "onLine" | "signal">;

const KIND_SHORT: Record<StartupKind, string> = { process: "p", container: "c", vm: "v", "vm-warm": "w", "vm-template": "t", "vm-pooled": "q" };

/**
 * What one running experiment owns: its samples, its progress and every
 * instance it started. `cleanup()` removes those instances whatever happened,
 * including starts still in flight when a cancel arrived.
 */
export class RunContext<P extends ExperimentPlan = ExperimentPlan> {
  readonly samples: ExperimentSample[] = [];
  readonly skipped: SkippedKind[] = [];
  private readonly live = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly id: string,
    readonly plan: P,
    readonly signal: AbortSignal,
    readonly clock: Clock,
    private readonly supervisor: ExperimentSupervisor,
    readonly readHostUsage: ReadHostUsage,
    private readonly onSample: (s: ExperimentSample) => void,
    private readonly onProgress: (p: ExperimentProgress) => void,
  ) {}

  throwIfAborted(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  instanceName(kind: StartupKind, label: string | number): string {
    return `${this.id}-${KIND_SHORT[kind]}${label}`;
  }

  /** Waits until no engine works in the background (a VM pool refilling), so that work lands in no measurement. */
  async settle(): Promise<void> {
    await abortable(this.supervisor.idle?.() ?? Promise.resolve(), this.signal);
  }

  /**
   * `over`: a memory size other than the plan's, (a container only) no memory
   * limit at all or a privileged start, or (a VM only) a start mode other than a cold boot.
   */
  async startInstance(
    kind: InstanceKind,
    name: string,
    over: { memoryMiB?: number; unlimitedMemory?: boolean; warm?: boolean; startMode?: "warm" | "template" | "pooled"; privileged?: boolean } = {},
  ): Promise<Instance> {
    this.throwIfAborted();
    const { image, memoryMiB, cpus } = this.plan;
    const startMode = over.startMode ?? (over.warm ? "warm" : undefined);
    const create = {
      kind,
      image,
      memoryMiB: over.memoryMiB ?? memoryMiB,
      cpus,
      name,
      ...(startMode ? { startMode } : {}),
      ...(over.privileged ? { privileged: true } : {}),
    };
    const p = this.supervisor.create(create, { experimentId: this.id, ...(over.unlimitedMemory ? { unlimitedMemory: true } : {}) });
    // A failed start leaves a `failed` record in the supervisor: remove it too.
    const tracked = p.then(
      (inst) => void this.live.add(inst.id),
      (err) => {
        const failedId = (err as IsolabError)?.details as { instance?: { id?: string } } | undefined;
        if (failedId?.instance?.id) this.live.add(failedId.instance.id);
      },
    );
    this.track(tracked);
    return abortable(p, this.signal);
  }

  async removeInstance(id: string): Promise<void> {
    await this.supervisor.remove(id).catch((err) => {
      if (statusOf(err) !== 404) throw err;
    });
    this.live.delete(id);
  }

  exec(id: string, req: ExecRequest, opts?: ExecStreamOptions): Promise<ExecResult> {
    this.throwIfAborted();
    const p = opts ? this.supervisor.exec(id, req, opts) : this.supervisor.exec(id, req);
    this.track(p);
    return abortable(p, this.signal);
  }

  usageTarget(inst: Instance) {
    const handle = this.supervisor.handle(inst.id);
    if (!handle) throw new Error(`${inst.name} has no running handle`);
    return { kind: inst.kind, pid: handle.pid, cgroupPath: handle.cgroupPath, hostUsage: handle.hostUsage };
  }

  /** The console (VM) or output log of a running instance, when the supervisor says. */
  logPath(id: string): string | undefined {
    return this.supervisor.handle(id)?.logPath;
  }

  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.signal);
  }

  record(s: Omit<ExperimentSample, "seq" | "takenAt">): ExperimentSample {
    const sample: ExperimentSample = { ...s, seq: this.samples.length + 1, takenAt: this.clock.wallTime() };
    this.samples.push(sample);
    this.onSample(sample);
    return sample;
  }

  skip(kind: StartupKind, reason: string): void {
    if (!this.skipped.some((s) => s.kind === kind)) this.skipped.push({ kind, reason });
  }

  progress(done: number, total: number, message: string): void {
    this.onProgress({ done, total, message });
  }

  /** Removes every instance this run started; waits for starts and commands still in flight. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    const removeLive = async () => {
      for (const id of [...this.live]) await this.removeInstance(id).catch((e: Error) => problems.push(`${id}: ${e.message}`));
    };
    await removeLive();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await removeLive();
    return problems;
  }

  private track(p: Promise<unknown>) {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }
}

/** True for a kind this host cannot run at all (no runtime, no QEMU, no kernel). */
export function isMissingDependency(err: unknown): boolean {
  return statusOf(err) === 503; // MissingDependencyError
}

/**
 * The HTTP status a domain error carries. Read from the value, not by
 * instanceof: in the Next.js server the supervisor may come from another
 * bundle (instrumentation) with its own copy of the error classes.
 */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
