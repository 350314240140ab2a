import "server-only";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { summarizeDensity } from "@/lib/experiments/density/summary";
import { summarizeOverhead, summarizeStartup } from "@/lib/experiments/summary";
import { summarizeIsolation } from "@/lib/experiments/isolation/summary";
import {
  FINISHED_STATUSES,
  type ExperimentEnvironment,
  type ExperimentEvent,
  type ExperimentListItem,
  type ExperimentRecord,
  type ExperimentResult,
  type ExperimentStatus,
} from "@/lib/experiments/types";
import type { ExperimentPlan, OverheadPlan, StartupPlan } from "@/lib/schemas/experiment";
import type { DensityPlan, IsolationPlan } from "@/lib/schemas/experiment-capacity";
import { WORKLOAD_ARGS } from "@/lib/probe/workload-metrics";
import { ConflictError, NotFoundError } from "@/server/errors";
import type { ExperimentStore } from "@/server/store/experiments";
import type { CapacityProbes } from "./capacity-probes";
import type { Clock } from "./clock";
import { errorMessage, RunContext, type ExperimentSupervisor } from "./context";
import type { ReadHostUsage } from "./host-usage";
import { runDensity } from "./density";
import { runIsolation } from "./isolation";
import { runOverhead } from "./overhead";
import { runStartup, type ReadMemory } from "./startup";

export interface RunnerDeps {
  store: ExperimentStore;
  supervisor: () => Promise<ExperimentSupervisor>;
  clock: Clock;
  captureEnvironment: () => Promise<ExperimentEnvironment>;
  readHostUsage: ReadHostUsage;
  /** Host memory, hog and console readers of the isolation and density runs; the real host's when absent. */
  capacityProbes?: CapacityProbes;
  /** QEMU PSS and RSS for the startup run's memory watch; /proc/<pid>/smaps_rollup when absent. */
  readMemory?: ReadMemory;
  /** "<pid>:<start ticks>" of this process (see owner.ts). */
  owner: string;
  /** Whether the process that owns an unfinished run still lives. */
  ownerAlive: (owner: string | null) => boolean;
  publish?: (e: ExperimentEvent) => void;
  newId?: () => string;
}

/** Why a run stopped early; the verdict it leaves in the store. */
class Stop extends Error {
  constructor(
    readonly status: "cancelled" | "interrupted",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs experiments one at a time, in the order they were submitted; later
 * ones wait as `queued` (never two at once: they would measure each other).
 * Every state change is written to the store first, then published.
 */
export class ExperimentRunner {
  private readonly queue: { id: string; plan: ExperimentPlan }[] = [];
  private current: { id: string; controller: AbortController; finished: Promise<void> } | undefined;
  private pumping = false;
  private closed = false;
  private readonly finished = new EventEmitter();

  constructor(private readonly deps: RunnerDeps) {
    this.finished.setMaxListeners(100);
  }

  /** Marks runs whose owning process is gone (a restart, a kill) as interrupted; returns their ids. */
  recoverInterrupted(): string[] {
    const ids: string[] = [];
    for (const row of this.deps.store.unfinished()) {
      if (this.deps.ownerAlive(row.owner)) continue;
      const error = `interrupted: the process running it stopped while it was ${row.status}`;
      if (this.deps.store.finish(row.id, { status: "interrupted", finishedAt: this.deps.clock.wallTime(), error })) ids.push(row.id);
    }
    return ids;
  }

  submit(plan: ExperimentPlan): ExperimentListItem {
    if (this.closed) throw new ConflictError("Isolab is shutting down; experiments are not accepted.");
    const id = this.deps.newId?.() ?? `x${randomBytes(5).toString("hex")}`;
    this.deps.store.insert({ id, type: plan.type, plan, createdAt: this.deps.clock.wallTime(), owner: this.deps.owner });
    this.queue.push({ id, plan });
    this.publish(id);
    void this.pump();
    return this.item(id);
  }

  get(id: string): ExperimentRecord {
    const rec = this.deps.store.get(id);
    if (!rec) throw new NotFoundError(`No experiment with id "${id}".`, { id });
    return rec;
  }

  /** The record, or undefined for an unknown id. */
  find(id: string): ExperimentRecord | undefined {
    return this.deps.store.get(id);
  }

  item(id: string): ExperimentListItem {
    const rec = this.deps.store.getItem(id);
    if (!rec) throw new NotFoundError(`No experiment with id "${id}".`, { id });
    return rec;
  }

  list(limit?: number): ExperimentListItem[] {
    return this.deps.store.list(limit);
  }

  /** Idempotent: a finished run is answered as it is. A running one stops and has removed its instances when this resolves. */
  async cancel(id: string, reason = "cancelled by request"): Promise<ExperimentListItem> {
    // What this runner holds comes first: even if the stored verdict was
    // already written (a shutdown), its instances must still be removed.
    if (this.current?.id === id) {
      const { controller, finished } = this.current;
      controller.abort(new Stop("cancelled", reason));
      await finished;
      return this.item(id);
    }
    const queued = this.queue.findIndex((q) => q.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.deps.store.finish(id, { status: "cancelled", finishedAt: this.deps.clock.wallTime(), error: `${reason} before it started` });
      this.announceFinished(id);
      return this.item(id);
    }
    const rec = this.item(id);
    if (FINISHED_STATUSES.includes(rec.status)) return rec;
    throw new ConflictError(`Experiment ${id} is run by another Isolab process (${this.deps.store.unfinished().find((u) => u.id === id)?.owner ?? "unknown"}); stop it there.`);
  }

  /** Resolves with the record once the run has finished, whatever its verdict. */
  waitFor(id: string): Promise<ExperimentRecord> {
    return new Promise((resolve, reject) => {
      const check = () => {
        try {
          const rec = this.get(id);
          if (!FINISHED_STATUSES.includes(rec.status)) return false;
          this.finished.off("finished", onFinished);
          resolve(rec);
          return true;
        } catch (err) {
          this.finished.off("finished", onFinished);
          reject(err);
          return true;
        }
      };
      const onFinished = (fid: string) => fid === id && check();
      this.finished.on("finished", onFinished);
      check();
    });
  }

  /**
   * For shutdown: refuse new runs, mark queued ones interrupted, stop the
   * running one (as interrupted) and wait until its instances are removed.
   */
  async shutdown(reason = "Isolab shut down"): Promise<void> {
    const running = this.current;
    this.interruptNow(reason);
    await running?.finished;
  }

  /**
   * Synchronous part of shutdown, for a signal handler: the verdicts are in
   * the database before anything async can be cut short by process exit.
   */
  interruptNow(reason = "Isolab shut down"): void {
    this.closed = true;
    const finishedAt = this.deps.clock.wallTime();
    for (const q of this.queue.splice(0)) {
      this.deps.store.finish(q.id, { status: "interrupted", finishedAt, error: `${reason} while it was queued` });
      this.announceFinished(q.id);
    }
    if (this.current) {
      const message = `${reason} while it was running`;
      this.deps.store.finish(this.current.id, { status: "interrupted", finishedAt, error: message });
      this.current.controller.abort(new Stop("interrupted", message));
    }
  }

  get runningId(): string | undefined {
    return this.current?.id;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.closed) {
        const next = this.queue.shift()!;
        await this.run(next.id, next.plan);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async run(id: string, plan: ExperimentPlan): Promise<void> {
    const { store, clock } = this.deps;
    const controller = new AbortController();
    let markFinished!: () => void;
    this.current = { id, controller, finished: new Promise((r) => (markFinished = r)) };
    let ctx: RunContext | undefined;
    let environment: ExperimentEnvironment | undefined;
    let status: ExperimentStatus = "done";
    let error: string | null = null;
    try {
      environment = await this.deps.captureEnvironment();
      store.markRunning(id, clock.wallTime(), environment);
      this.publish(id);
      const supervisor = await this.deps.supervisor();
      ctx = new RunContext(
        id,
        plan,
        controller.signal,
        clock,
        supervisor,
        this.deps.readHostUsage,
        (s) => store.addSample(id, s),
        (p) => {
          store.setProgress(id, p);
          this.publish(id);
        },
      );
      if (plan.type === "startup") await runStartup(ctx as RunContext<StartupPlan>, this.deps.readMemory);
      else if (plan.type === "overhead") await runOverhead(ctx as RunContext<OverheadPlan>);
      else if (plan.type === "isolation") await runIsolation(ctx as RunContext<IsolationPlan>, this.deps.capacityProbes);
      else if (plan.type === "density") await runDensity(ctx as RunContext<DensityPlan>, this.deps.capacityProbes);
      else throw new Error(`no runner for ${(plan as { type: string }).type} experiments`);
    } catch (err) {
      const stop = controller.signal.aborted ? controller.signal.reason : undefined;
      status = stop instanceof Stop ? stop.status : "failed";
      error = stop instanceof Stop ? stop.message : errorMessage(err);
    } finally {
      const problems = (await ctx?.cleanup()) ?? [];
      if (problems.length) {
        status = status === "done" ? "failed" : status;
        error = [error, `could not remove: ${problems.join("; ")}`].filter(Boolean).join("; ");
      }
    }
    try {
      const result = ctx ? summarize(plan, ctx) : null;
      if (environment && ctx?.samples.some((s) => s.kind === "vm" && s.accel)) {
        store.setEnvironment(id, await this.withAccelerator(environment, ctx.samples.find((s) => s.accel)!.accel!));
      }
      store.finish(id, { status, finishedAt: clock.wallTime(), result, error });
    } catch (err) {
      store.finish(id, { status: "failed", finishedAt: clock.wallTime(), error: `could not summarize: ${errorMessage(err)}` });
    }
    this.current = undefined;
    markFinished();
    this.announceFinished(id);
  }

  /** The accelerator the VMs actually used, with the engine's reason when it knows one. */
  private async withAccelerator(env: ExperimentEnvironment, accel: "kvm" | "tcg"): Promise<ExperimentEnvironment> {
    const fresh = await this.deps.captureEnvironment().catch(() => env);
    const known = fresh.host.accelerator;
    const reason = known?.accel === accel ? known.reason : "reported by the VM engine for this run's instances";
    return { ...env, accelerator: { accel, reason } };
  }

  private announceFinished(id: string) {
    this.publish(id);
    this.finished.emit("finished", id);
  }

  private publish(id: string) {
    if (!this.deps.publish) return;
    const rec = this.deps.store.getItem(id);
    if (rec) this.deps.publish({ id, type: rec.type, status: rec.status, progress: rec.progress, error: rec.error });
  }
}

export function summarize(plan: ExperimentPlan, ctx: Pick<RunContext, "samples" | "skipped">): ExperimentResult | null {
  if (plan.type === "startup") return summarizeStartup(ctx.samples, plan.kinds, ctx.skipped);
  if (plan.type === "overhead") return summarizeOverhead(ctx.samples, plan.kinds, plan.workloads, ctx.skipped, WORKLOAD_ARGS);
  if (plan.type === "isolation") return summarizeIsolation(ctx.samples, plan, ctx.skipped);
  if (plan.type === "density") return summarizeDensity(ctx.samples, plan, ctx.skipped);
  return null;
}
