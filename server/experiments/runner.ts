import "server-only";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { FINISHED_STATUSES, type ExperimentListItem, type ExperimentRecord } from "@/lib/experiments/types";
import type { ExperimentPlan } from "@/lib/schemas/experiment";
import { CapacityError, ConflictError, NotFoundError } from "@/server/errors";
import type { RunnerDeps } from "./deps";
import { executeRun, Stop } from "./execute";

export type { RunnerDeps };

/** Runs waiting behind the current one at most: each queued plan is a promise of minutes of host time. */
export const MAX_QUEUED_EXPERIMENTS = 20;

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
    if (this.queue.length >= MAX_QUEUED_EXPERIMENTS) {
      throw new CapacityError(
        `${this.queue.length} experiments are already queued (the most Isolab keeps waiting); wait for some to finish or cancel one, then submit again.`,
        { limit: MAX_QUEUED_EXPERIMENTS, queued: this.queue.length },
      );
    }
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
    throw new ConflictError(
      `Experiment ${id} is run by another Isolab process (${this.deps.store.unfinished().find((u) => u.id === id)?.owner ?? "unknown"}); stop it there.`,
    );
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
    const controller = new AbortController();
    let markFinished!: () => void;
    this.current = { id, controller, finished: new Promise((r) => (markFinished = r)) };
    await executeRun(this.deps, id, plan, controller.signal, () => this.publish(id));
    this.current = undefined;
    markFinished();
    this.announceFinished(id);
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
