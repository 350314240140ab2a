import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { capacityRefusal, type CapacityLimits } from "@/lib/host/limits";
import type { CreateInstance, ExecRequest } from "@/lib/schemas/instance";
import type { ExecResult, Instance, InstanceKind } from "@/lib/core/types";
import { CapacityError, ConflictError, InvalidRequestError, isIsolabError, NotFoundError, StartFailedError } from "@/server/errors";
import { parseLastJson } from "@/lib/probe/output";
import { bus } from "@/server/events";
import type { Engine, ExecOptions, ImageRef, RunningHandle } from "../engine/contract";
import { tailFile } from "../host/process-tools";

export interface SupervisorDeps {
  engines: Record<InstanceKind, Engine>;
  /** `kind` lets the image store prepare only what that kind runs (a rootfs, an initramfs). */
  getImage(name: string, kind?: InstanceKind): Promise<ImageRef>;
  stateDir: string;
  limits: CapacityLimits;
  readyTimeoutMs?: number;
}

interface Entry {
  instance: Instance;
  handle?: RunningHandle;
  dir: string;
}

const CHECK_TTL_MS = 30_000;
const LIVE_STATES = new Set(["creating", "running", "stopping"]);

/** What only server code may ask for at create time; the API's schema has no way to say it. */
export interface CreateOptions {
  /** Container only: no memory limit; memoryMiB is still what the caps count it as. */
  unlimitedMemory?: boolean;
  /** The experiment that starts and removes this instance. */
  experimentId?: string;
}

/**
 * Owns every instance Isolab starts: one registry, one state machine
 * (creating → running → stopping → stopped | exited | failed), idempotent
 * stop, and a directory per instance under the state directory.
 */
export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  /** Starts in flight, so shutdown can abort them instead of waiting them out. */
  private readonly starting = new Map<string, { abort: AbortController; settled: Promise<void> }>();
  /** When each kind's dependencies were last found present (performance.now ms). */
  private readonly checkedAt = new Map<InstanceKind, number>();
  private shuttingDown = false;

  constructor(private readonly deps: SupervisorDeps) {}

  get limits(): CapacityLimits {
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

  /** Starts an instance and resolves once it is ready; a failed start leaves a `failed` record and nothing running. */
  async create(input: CreateInstance, opts: CreateOptions = {}): Promise<Instance> {
    const engine = this.deps.engines[input.kind];
    if (opts.unlimitedMemory && input.kind !== "container") {
      throw new InvalidRequestError(`Only a container can run without a memory limit; a ${input.kind} cannot.`);
    }
    const id = `${input.kind === "container" ? "ct" : input.kind === "process" ? "proc" : "vm"}-${randomBytes(4).toString("hex")}`;
    const name = input.name ?? id;
    if ([...this.entries.values()].some((e) => e.instance.name === name)) {
      throw new ConflictError(`An instance named "${name}" already exists. Choose another name or delete it first.`, { field: "name" });
    }
    const refusal = capacityRefusal(this.usage(), input.memoryMiB, this.deps.limits);
    if (refusal) throw new CapacityError(refusal, { limits: this.deps.limits, usage: this.usage() });
    if (this.shuttingDown) throw new ConflictError("Isolab is shutting down; no new instances start.");
    await this.checkEngine(engine);
    const image = await this.deps.getImage(input.image, input.kind);

    const dir = path.join(this.deps.stateDir, "instances", id);
    fs.mkdirSync(dir, { recursive: true });
    const instance: Instance = {
      id,
      name,
      kind: input.kind,
      image: input.image,
      state: "creating",
      memoryMiB: input.memoryMiB,
      ...(opts.unlimitedMemory ? { unlimitedMemory: true } : {}),
      ...(opts.experimentId ? { experimentId: opts.experimentId } : {}),
      cpus: input.cpus,
      ...(input.kind === "vm" ? { startMode: input.warm || input.snapshot ? ("warm" as const) : ("cold" as const) } : {}),
      createdAt: new Date().toISOString(),
    };
    const entry: Entry = { instance, dir };
    this.entries.set(id, entry);
    this.emit(entry);

    const abort = new AbortController();
    try {
      const started = engine.start({
        signal: abort.signal,
        id,
        name,
        image,
        memoryMiB: input.memoryMiB,
        unlimitedMemory: opts.unlimitedMemory,
        cpus: input.cpus,
        dir,
        readyTimeoutMs: this.deps.readyTimeoutMs,
        ...(input.warm ? { warm: true } : {}),
        ...(input.snapshot ? { snapshotId: input.snapshot } : {}),
      });
      this.starting.set(id, { abort, settled: started.then(() => undefined, () => undefined) });
      const handle = await started;
      entry.handle = handle;
      Object.assign(instance, {
        state: "running",
        pid: handle.pid,
        startup: handle.startup,
        accel: handle.accel,
        runtime: handle.runtime,
        ...(handle.probe === false ? { probe: false } : {}),
        ...(handle.snapshotId ? { snapshotId: handle.snapshotId } : {}),
      });
      this.emit(entry);
      void handle.exited.then((exit) => {
        if (instance.state !== "running") return;
        Object.assign(instance, { state: "exited", reason: exit.reason, exitCode: exit.code ?? undefined, exitSignal: exit.signal ?? undefined });
        this.emit(entry);
      });
      return { ...instance };
    } catch (err) {
      const details = isIsolabError(err) ? (err.details as { consoleTail?: string } | undefined) : undefined;
      Object.assign(instance, {
        state: "failed",
        reason: (err as Error).message,
        consoleTail: details?.consoleTail,
      });
      this.emit(entry);
      throw new StartFailedError(`${input.kind} "${name}" failed to start: ${(err as Error).message}`, {
        instance: { ...instance },
        consoleTail: details?.consoleTail,
      });
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * An engine's check spawns a binary (runc --version costs ~18 ms), so a
   * passing check is trusted for CHECK_TTL_MS; a failing one is re-run at once.
   */
  private async checkEngine(engine: Engine) {
    const last = this.checkedAt.get(engine.kind);
    if (last !== undefined && performance.now() - last < CHECK_TTL_MS) return;
    await engine.check();
    this.checkedAt.set(engine.kind, performance.now());
  }

  /** Idempotent: stopping a stopped, exited or failed instance succeeds. */
  async stop(id: string): Promise<Instance> {
    const entry = this.entry(id);
    const { instance, handle } = entry;
    if (instance.state === "creating") {
      throw new ConflictError(`"${instance.name}" is still starting; stop it once it is running or has failed.`);
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
    fs.rmSync(entry.dir, { recursive: true, force: true });
    bus().emit("instance-removed", { id });
  }

  /** `opts` (server code only): progress lines as they arrive, and a signal that kills the command. */
  async exec(id: string, req: ExecRequest, opts: Pick<ExecOptions, "onLine" | "signal"> = {}): Promise<ExecResult> {
    const { instance, handle } = this.entry(id);
    if (!handle || instance.state !== "running") {
      throw new ConflictError(`"${instance.name}" is ${instance.state}; commands run only in a running instance.`);
    }
    const t0 = performance.now();
    const result = await handle.exec(req.command, req.args, { timeoutMs: req.timeoutMs, onLine: opts.onLine, signal: opts.signal });
    return { ...result, json: parseLastJson(result.output), durationMs: performance.now() - t0 };
  }

  logTail(id: string, lines = 200): string {
    const { handle, dir } = this.entry(id);
    if (handle) return tailFile(handle.logPath, lines, 64 * 1024);
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
      if (this.entries.has(id)) continue;
      fs.rmSync(path.join(root, id), { recursive: true, force: true });
      removed.push(`directory of ${id}`);
    }
    return removed;
  }

  /** Stops everything this supervisor started, in parallel. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    // A start in flight is aborted (its engine undoes it) rather than waited out.
    const inFlight = [...this.starting.values()];
    for (const s of inFlight) s.abort.abort();
    await Promise.allSettled(inFlight.map((s) => s.settled));
    await Promise.allSettled([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private usage() {
    const live = [...this.entries.values()].filter((e) => LIVE_STATES.has(e.instance.state));
    return { instances: live.length, memoryMiB: live.reduce((sum, e) => sum + e.instance.memoryMiB, 0) };
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new NotFoundError(`No instance with id "${id}".`, { id });
    return entry;
  }

  private emit(entry: Entry) {
    // The record on disk lets a later run (or a person) see what was there.
    if (fs.existsSync(entry.dir)) fs.writeFileSync(path.join(entry.dir, "instance.json"), JSON.stringify(entry.instance, null, 2));
    bus().emit("instance", { ...entry.instance });
  }
}
