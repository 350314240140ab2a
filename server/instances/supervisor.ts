import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { limitRefusal, type InstanceLimits } from "@/lib/host/limits";
import type { CreateInstance, ExecRequest } from "@/lib/schemas/instance";
import type { ExecResult, Instance, InstanceKind, Startup, VmStartMode } from "@/lib/core/types";
import { CapacityError, ConflictError, InvalidRequestError, NotFoundError } from "@/server/errors";
import { parseLastJson } from "@/lib/probe/output";
import { bus } from "@/server/events";
import type { Engine, ExecOptions, ImageRef, RunningHandle } from "../engine/contract";
import { tailFile } from "../host/process-tools";
import { nodeInstanceFiles, type InstanceFiles } from "./instance-files";
import { describeStartFailure } from "./start-failure";

export interface SupervisorDeps {
  engines: Record<InstanceKind, Engine>;
  /** `kind` lets the image store prepare only what that kind runs (a rootfs, an initramfs). */
  getImage(name: string, kind?: InstanceKind): Promise<ImageRef>;
  stateDir: string;
  limits: InstanceLimits;
  readyTimeoutMs?: number;
  /** The instance directories and records; node's fs unless a test injects faults. */
  files?: InstanceFiles;
  /** Monotonic ms, the clock CreateOptions.receivedAt is read from; performance.now unless a test injects one. */
  now?: () => number;
}

interface Entry {
  instance: Instance;
  handle?: RunningHandle;
  dir: string;
}

/** A start in flight: it holds its name and its share of the caps from its first line until it settles. */
interface Start {
  id: string;
  name: string;
  memoryMiB: number;
  abort: AbortController;
  settled: Promise<void>;
  /** stop() asked for it: the undone start is `stopped`, not `failed`. */
  stopped?: boolean;
}

const LIVE_STATES = new Set(["creating", "running", "stopping"]);
const noop = () => {};

/** What only server code may ask for at create time; the API's schema has no way to say it. */
export interface CreateOptions {
  /** Container only: no memory limit; memoryMiB is still what the caps count it as. */
  unlimitedMemory?: boolean;
  /** The experiment that starts and removes this instance. */
  experimentId?: string;
  /**
   * When the request arrived (the supervisor's clock, performance.now): the
   * start then reports a first phase, `prepare`, for Isolab's own work up to
   * the engine's start, so its total is what the caller waited for. Server
   * callers that compare engines leave it out and get the engine's phases.
   */
  receivedAt?: number;
}

/**
 * Owns every instance Isolab starts: one registry, one state machine
 * (creating → running → stopping → stopped | exited | failed), idempotent
 * stop, and a directory per instance under the state directory.
 *
 * A start that fails leaves nothing behind: no process, no directory, no
 * reservation. Once it had been registered (the engine was about to be
 * asked) it keeps a `failed` record in memory only, so the UI can say why;
 * that record holds no cap, does not block its name (the next start with the
 * name replaces it), stops as a no-op and deletes like any other.
 */
export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  /** Starts in flight, so shutdown (or a stop) can abort them instead of waiting them out. */
  private readonly starting = new Map<string, Start>();
  /** Kinds whose dependencies were found present, until a start of that kind fails. */
  private readonly checked = new Set<InstanceKind>();
  private shuttingDown = false;
  private readonly files: InstanceFiles;
  private readonly now: () => number;

  constructor(private readonly deps: SupervisorDeps) {
    this.files = deps.files ?? nodeInstanceFiles;
    this.now = deps.now ?? (() => performance.now());
  }

  get limits(): InstanceLimits {
    return { ...this.deps.limits };
  }

  list(): Instance[] {
    return [...this.entries.values()].map((e) => ({ ...e.instance }));
  }

  get(id: string): Instance {
    return { ...this.entry(id).instance };
  }

  handle(id: string): RunningHandle | undefined {
    return this.entry(id).handle;
  }

  /**
   * Starts an instance and resolves once it is ready. Everything up to the
   * reservation is synchronous, so parallel starts cannot all pass one check
   * of the name and the caps; the reservation is released when the start
   * settles, whichever way.
   */
  async create(input: CreateInstance, opts: CreateOptions = {}): Promise<Instance> {
    if (opts.unlimitedMemory && input.kind !== "container") {
      throw new InvalidRequestError(`Only a container can run without a memory limit; a ${input.kind} cannot.`);
    }
    if (this.shuttingDown) throw new ConflictError("Isolab is shutting down; no new instances start.");
    const id = `${input.kind === "container" ? "ct" : input.kind === "process" ? "proc" : "vm"}-${randomBytes(4).toString("hex")}`;
    const name = input.name ?? id;
    if (this.nameTaken(name)) {
      throw new ConflictError(`An instance named "${name}" already exists. Choose another name or delete it first.`, { field: "name" });
    }
    const usage = this.usage();
    const refusal = limitRefusal(usage, input.memoryMiB, this.deps.limits);
    if (refusal) throw new CapacityError(refusal, { limits: this.deps.limits, usage });

    const start: Start = { id, name, memoryMiB: input.memoryMiB, abort: new AbortController(), settled: Promise.resolve() };
    this.starting.set(id, start);
    const run = this.run(start, input, opts);
    start.settled = run.then(noop, noop);
    return run;
  }

  private async run(start: Start, input: CreateInstance, opts: CreateOptions): Promise<Instance> {
    const { id, name, abort } = start;
    const engine = this.deps.engines[input.kind];
    const dir = path.join(this.deps.stateDir, "instances", id);
    let entry: Entry | undefined;
    let handle: RunningHandle | undefined;
    try {
      // The check (when due) and the image lookup are independent; a missing part is named before a missing image.
      const [checked, found] = await this.unlessAborted(start, Promise.allSettled([this.checkEngine(engine), this.deps.getImage(input.image, input.kind)]));
      if (checked.status === "rejected") throw checked.reason;
      if (found.status === "rejected") throw found.reason;
      const image = found.value;
      this.files.mkdir(dir);
      entry = this.register(start, input, opts, dir);
      this.writeRecord(entry);
      bus().emit("instance", { ...entry.instance });

      const engineAskedAt = this.now();
      handle = await engine.start({
        signal: abort.signal,
        id,
        name,
        image,
        memoryMiB: input.memoryMiB,
        unlimitedMemory: opts.unlimitedMemory,
        ...(input.privileged ? { privileged: true } : {}),
        cpus: input.cpus,
        dir,
        readyTimeoutMs: this.deps.readyTimeoutMs,
        ...(input.warm || input.startMode === "warm" ? { warm: true } : {}),
        ...(input.startMode === "template" || input.startMode === "pooled" ? { startMode: input.startMode } : {}),
        ...(input.snapshot ? { snapshotId: input.snapshot } : {}),
      });
      // An engine that finished its start despite the abort is undone here.
      abort.signal.throwIfAborted();
      const { instance } = entry;
      Object.assign(instance, {
        state: "running",
        pid: handle.pid,
        startup: opts.receivedAt === undefined ? handle.startup : withPrepare(handle.startup, engineAskedAt - opts.receivedAt),
        accel: handle.accel,
        runtime: handle.runtime,
        ...(handle.probe === false ? { probe: false } : {}),
        ...(handle.snapshotId ? { snapshotId: handle.snapshotId } : {}),
        ...(handle.startMode ? { startMode: handle.startMode } : {}),
      });
      this.writeRecord(entry);
      entry.handle = handle;
      bus().emit("instance", { ...instance });
      const running = entry;
      void handle.exited.then((exit) => {
        if (instance.state !== "running") return;
        Object.assign(instance, {
          state: "exited",
          reason: exit.reason,
          exitCode: exit.code ?? undefined,
          ...(exit.signal ? { exitSignal: exit.signal } : {}),
        });
        this.emit(running);
      });
      return { ...instance };
    } catch (err) {
      this.checked.delete(input.kind);
      throw await this.undo(start, input, dir, entry, handle, abort.signal.aborted ? abort.signal.reason : err);
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * Undoes a start (its process, its directory) and says what failed: a full
   * disk at any of its writes is a DiskFullError (507) naming the directory.
   */
  private async undo(start: Start, input: CreateInstance, dir: string, entry: Entry | undefined, handle: RunningHandle | undefined, cause: unknown) {
    const label = `${input.kind} "${start.name}"`;
    const problems: string[] = [];
    if (handle) await handle.stop().catch((e: Error) => problems.push(`stopping it failed: ${e.message}`));
    try {
      this.files.remove(dir);
    } catch (e) {
      problems.push(`removing ${dir} failed: ${(e as Error).message}`);
    }
    const failure = describeStartFailure({
      label,
      dir,
      stateDir: this.deps.stateDir,
      cause,
      problems,
      aborted: start.abort.signal.aborted,
      registered: entry !== undefined,
    });
    if (entry) {
      // The record stays in memory only: its directory is gone.
      const { reason, consoleTail } = failure;
      Object.assign(
        entry.instance,
        start.stopped ? { state: "stopped", reason: "stopped by Isolab while it was starting" } : { state: "failed", reason, consoleTail },
      );
      bus().emit("instance", { ...entry.instance });
    }
    return failure.toError(entry ? { ...entry.instance } : undefined);
  }

  /** The new instance's record; a failed record of the same name gives way to it. */
  private register(start: Start, input: CreateInstance, opts: CreateOptions, dir: string): Entry {
    for (const [otherId, other] of this.entries) {
      if (other.instance.name !== start.name || other.instance.state !== "failed") continue;
      this.entries.delete(otherId);
      bus().emit("instance-removed", { id: otherId });
    }
    const instance: Instance = {
      id: start.id,
      name: start.name,
      kind: input.kind,
      image: input.image,
      state: "creating",
      memoryMiB: input.memoryMiB,
      ...(opts.unlimitedMemory ? { unlimitedMemory: true } : {}),
      ...(input.privileged ? { privileged: true } : {}),
      ...(opts.experimentId ? { experimentId: opts.experimentId } : {}),
      cpus: input.cpus,
      ...(input.kind === "vm" ? { startMode: requestedStartMode(input) } : {}),
      createdAt: new Date().toISOString(),
    };
    const entry: Entry = { instance, dir };
    this.entries.set(start.id, entry);
    return entry;
  }

  /** Settles with `work`, or rejects with the abort's reason as soon as the start is aborted. */
  private unlessAborted<T>(start: Start, work: Promise<T>): Promise<T> {
    const { signal } = start.abort;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /**
   * An engine's check spawns a binary (`runc --version`: 15–40 ms on a busy
   * 2-core host, and every spawn from the server's large process blocks its
   * event loop while it forks), so it is not on every start's path: it runs
   * on a kind's first start and again after a start of that kind failed. A
   * part that went missing in between fails that start in the engine, which
   * names it too; the next start re-checks and answers 503.
   */
  private async checkEngine(engine: Engine) {
    if (this.checked.has(engine.kind)) return;
    await engine.check();
    this.checked.add(engine.kind);
  }

  /** Idempotent: stopping a stopped, exited or failed instance succeeds; a start in flight is aborted and undone. */
  /** Resolves once the engines' background work (the VM pool's refills) is done: experiments wait for it between measured starts. */
  async idle(): Promise<void> {
    await Promise.all(Object.values(this.deps.engines).map((e) => e.idle?.()));
  }

  async stop(id: string): Promise<Instance> {
    const entry = this.entry(id);
    const { instance, handle } = entry;
    const start = this.starting.get(id);
    if (start) {
      start.stopped = true;
      start.abort.abort(new ConflictError(`"${instance.name}" was stopped while it was starting.`));
      await start.settled;
      return { ...instance };
    }
    if (handle && (instance.state === "running" || instance.state === "stopping")) {
      instance.state = "stopping";
      this.emit(entry);
      await handle.stop();
      instance.state = "stopped";
      instance.reason = "stopped by Isolab";
      this.emit(entry);
    }
    return { ...instance };
  }

  async remove(id: string): Promise<void> {
    const entry = this.entry(id);
    await this.stop(id);
    this.entries.delete(id);
    this.files.remove(entry.dir);
    bus().emit("instance-removed", { id });
  }

  /** `opts` (server code only): progress lines as they arrive, and a signal that kills the command. */
  async exec(id: string, req: ExecRequest, opts: Pick<ExecOptions, "onLine" | "signal"> = {}): Promise<ExecResult> {
    const { instance, handle } = this.entry(id);
    if (!handle || instance.state !== "running") {
      throw new ConflictError(`"${instance.name}" is ${instance.state}; commands run only in a running instance.`);
    }
    // On the bare process `hostile` would mount, ptrace and write sysctls as root on the host itself.
    if (req.command === "hostile" && instance.kind === "process") {
      throw new InvalidRequestError("probe hostile runs only in a container or a VM: on the bare process it would act on the host itself.", {
        field: "command",
      });
    }
    const t0 = performance.now();
    const result = await handle.exec(req.command, req.args, { timeoutMs: req.timeoutMs, onLine: opts.onLine, signal: opts.signal });
    return { ...result, json: parseLastJson(result.output), durationMs: performance.now() - t0 };
  }

  logTail(id: string, lines = 200): string {
    const { instance, handle, dir } = this.entry(id);
    if (handle) return tailFile(handle.logPath, lines, 64 * 1024);
    // A failed start's directory is gone; what its console said is on the record.
    if (!fs.existsSync(dir)) return instance.consoleTail ?? "";
    const log = fs.readdirSync(dir).find((f) => f.endsWith(".log"));
    return log ? tailFile(path.join(dir, log), lines, 64 * 1024) : "";
  }

  /** Removes what an earlier Isolab run left behind: processes, containers, QEMUs, instance dirs. */
  async reconcile(): Promise<string[]> {
    const removed: string[] = [];
    for (const engine of Object.values(this.deps.engines)) {
      removed.push(...(await engine.reconcile(this.deps.stateDir).catch((e: Error) => [`${engine.kind}: ${e.message}`])));
    }
    const root = path.join(this.deps.stateDir, "instances");
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      if (this.entries.has(id) || this.starting.has(id)) continue;
      this.files.remove(path.join(root, id));
      removed.push(`directory of ${id}`);
    }
    return removed;
  }

  /** Refuses new starts, aborts and undoes those in flight, then stops everything this supervisor started, in parallel. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const inFlight = [...this.starting.values()];
    for (const s of inFlight) s.abort.abort(new ConflictError("Isolab is shutting down; the start was aborted and undone."));
    await Promise.allSettled(inFlight.map((s) => s.settled));
    await Promise.allSettled([...this.entries.keys()].map((id) => this.stop(id)));
  }

  /** A failed record does not hold its name; a live, stopped or exited one, or a start in flight, does. */
  private nameTaken(name: string): boolean {
    for (const s of this.starting.values()) if (s.name === name) return true;
    for (const e of this.entries.values()) if (e.instance.name === name && e.instance.state !== "failed") return true;
    return false;
  }

  /** Live instances plus starts in flight (each counted once, by its reservation, until it settles). */
  private usage() {
    const live = [...this.entries.values()].filter((e) => LIVE_STATES.has(e.instance.state) && !this.starting.has(e.instance.id));
    const reserved = [...this.starting.values()];
    return {
      instances: live.length + reserved.length,
      memoryMiB: live.reduce((sum, e) => sum + e.instance.memoryMiB, 0) + reserved.reduce((sum, s) => sum + s.memoryMiB, 0),
    };
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new NotFoundError(`No instance with id "${id}".`, { id });
    return entry;
  }

  /** The record on disk lets a later run (or a person) see what was there. Throws: a start's own writes fail the start. */
  private writeRecord(entry: Entry) {
    this.files.writeFile(path.join(entry.dir, "instance.json"), JSON.stringify(entry.instance, null, 2));
  }

  /**
   * A change after the start: the record on disk is best effort, because a
   * full disk must not leave the instance half-way through a transition (a
   * stop that never stops). The change is in memory and on the bus either way.
   */
  private emit(entry: Entry) {
    try {
      this.writeRecord(entry);
    } catch (err) {
      // ENOENT: the directory itself is gone (removed by hand or by another run's reconcile); no record to keep.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        console.warn(`[isolab] ${entry.instance.name} is ${entry.instance.state}, but its record was not written: ${(err as Error).message}`);
      }
    }
    bus().emit("instance", { ...entry.instance });
  }
}

/** The engine's startup with Isolab's own work before it as a first phase, `prepare`; phases still sum to the total. */
export function withPrepare(startup: Startup, prepareMs: number): Startup {
  const ms = Math.max(0, prepareMs);
  return { totalMs: startup.totalMs + ms, phases: [{ name: "prepare", ms }, ...startup.phases] };
}

/** What a VM start asks for; the handle says what it got. */
function requestedStartMode(input: CreateInstance): VmStartMode {
  if (input.startMode) return input.startMode;
  return input.warm || input.snapshot ? "warm" : "cold";
}
