import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pooledStartupPhases, restoreStartupPhases, type MachineSpec } from "@/lib/vm/snapshot";
import { ConflictError, isIsolabError, MissingDependencyError, StartFailedError } from "@/server/errors";
import { PoolDisabledError } from "./snapshot-errors";
import type { StartRequest } from "@/server/engine/contract";
import { readProcUsage } from "@/server/engine/host-usage";
import type { AccelDecision } from "./accel";
import { createVmHandle, type VmHandle } from "./handle";
import { readTail } from "./host";
import { LaunchError, removeFiles, type LaunchPaths } from "./launch";
import { currentBinding, templateKey } from "./snapshot-binding";
import { discardLoaded, loadSnapshot, resumeLoaded, type LoadedQemu } from "./snapshot-restore";
import { createSharedTemplates, type SharedTemplateContext } from "./vm-templates";
import { createVmPool, type PoolMember } from "./vm-pool";
import { withSnapshots, type WarmHandleExtras } from "./warm-start";

// The VM engine's templated and pooled starts (vm-templates.ts, vm-pool.ts):
//   template  spawn a clone of the machine's shared-memory template (lean:
//             launch.ts), load its device state (~150 KB), cont, name it,
//             reseed, ping
//   pooled    take a clone the pool loaded (and ran once, then stopped)
//             ahead; cont, name it, reseed, ping, its files moving into the
//             instance's directory meanwhile
// Clone identity: hostname and RNG are the clone's own (set after cont, as
// for warm starts). QEMU's `vmgenid` device is not added: the guest kernel
// (Debian's cloud 6.1) is built without CONFIG_VMGENID, so nothing inside
// would read it; the reseed does what it would have triggered.

type VmPaths = LaunchPaths & { consoleLog: string; pidfile: string; termSocket: string };

interface PoolClone extends PoolMember {
  loaded: LoadedQemu;
  paths: VmPaths;
  dir: string;
  templateId: string;
}

export interface TemplatedContext extends SharedTemplateContext {
  poolSize: number;
  /** isolab-nothp (guest/nothp, built by set-up): clones run without transparent huge pages. */
  nothp: string;
}

/** A SIGBUS in a clone is almost always its template's RAM file truncated under it. */
function sigbusHint(signal: string | null): string | undefined {
  return signal === "SIGBUS"
    ? "the template's RAM file was truncated or its tmpfs ran out under this clone (a private mapping past the file's end faults)"
    : undefined;
}

export function createTemplatedStarts(ctx: TemplatedContext) {
  const templates = createSharedTemplates(ctx);
  const pool = createVmPool<PoolClone>({ size: ctx.poolSize });

  /** How every clone's QEMU starts (launch.ts QemuCommandOptions); refused before anything starts when set-up has not built the helper. */
  function lean(): { nothp: string } {
    if (!fs.existsSync(ctx.nothp)) throw new MissingDependencyError("isolab-nothp", `${ctx.nothp} is missing; run npm run setup to build it.`);
    return { nothp: ctx.nothp };
  }

  /** The machine's binding and template key: a few stat() calls (the hashes are cached). */
  async function keyOf(req: Pick<StartRequest, "image">, machine: MachineSpec) {
    const current = await currentBinding({ qemuBinary: ctx.qemuBinary, spec: machine, imageName: req.image.name });
    return { current, key: templateKey(current.binding) };
  }

  /** The key and a usable template, built now when there is none. */
  async function prepare(req: Pick<StartRequest, "image">, machine: MachineSpec, readyTimeoutMs: number) {
    const { current, key } = await keyOf(req, machine);
    const t = await templates.ensure({ key, binding: current.binding, machine, readyTimeoutMs });
    return { current, key, t };
  }

  async function spawnClone(req: Pick<StartRequest, "image">, machine: MachineSpec, readyTimeoutMs: number): Promise<PoolClone> {
    const leanQemu = lean();
    const { current, t } = await prepare(req, machine, readyTimeoutMs);
    const dir = path.join(ctx.instancesDir, `pool-${randomBytes(5).toString("hex")}`);
    const paths = ctx.vmPaths(dir);
    try {
      const qemu = ctx.qemu();
      // Its console log and pid file are made here for QEMU (its user); adopt() moves them, modes and all, into the instance's directory.
      qemu.instanceDir(dir, [paths.consoleLog, paths.pidfile]);
      const loaded = await loadSnapshot({
        user: qemu.user,
        lean: leanQemu,
        store: ctx.store,
        id: t.meta.id,
        expected: { binding: current.binding, args: t.cloneArgs },
        qemuBinary: ctx.qemuBinary,
        paths,
        name: `isolab-${path.basename(dir)}`,
        timeoutMs: readyTimeoutMs,
        ignoreShared: true,
      });
      // Run the attach path once and stop again: under TCG a restored guest
      // first translates every code path it runs (cont, the agent's built-ins,
      // the CRNG reseed); doing that now keeps it out of the pooled start.
      // The clone is named and reseeded again, with fresh bytes, when taken.
      await resumeLoaded(loaded, { hostname: path.basename(dir), timeoutMs: readyTimeoutMs, id: t.meta.id, paths });
      await loaded.qmp.execute("stop").catch(async (err: Error) => {
        await discardLoaded(loaded);
        throw err;
      });
      let gone = false;
      return {
        pid: loaded.pid,
        exit: loaded.exit,
        loaded,
        paths,
        dir,
        templateId: t.meta.id,
        async discard() {
          if (gone) return;
          gone = true;
          await discardLoaded(loaded);
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Moves a pool clone's files into the instance's directory: open fds follow a rename, and reconcile finds its pidfile there. */
  function adopt(clone: PoolClone, paths: VmPaths): void {
    for (const k of ["consoleLog", "qemuLog", "pidfile"] as const) {
      const from = clone.paths[k];
      const to = paths[k];
      if (from && to && fs.existsSync(from)) fs.renameSync(from, to);
    }
    fs.rmSync(clone.dir, { recursive: true, force: true });
  }

  async function start(
    req: StartRequest,
    mode: "template" | "pooled",
    machine: MachineSpec,
    decision: AccelDecision,
    readyTimeoutMs: number,
    paths: VmPaths,
  ): Promise<VmHandle & WarmHandleExtras> {
    const askedAt = performance.now();
    let loaded: LoadedQemu | undefined;
    let resumed = false;
    try {
      const leanQemu = lean();
      let startup;
      let snapshotId: string;
      let vm;
      if (mode === "pooled") {
        if (ctx.poolSize <= 0) {
          throw new PoolDisabledError("The VM pool is off (ISOLAB_VM_POOL_SIZE=0): set it to 1 or more to launch pooled VMs, or launch `template`.");
        }
        // No template check here: a waiting clone already holds its template's
        // RAM mapped; a missing or damaged template is rebuilt by the refill.
        const { key } = await keyOf(req, machine);
        pool.ensure(key, { image: req.image.name, memoryMiB: machine.memoryMiB }, () => spawnClone(req, machine, readyTimeoutMs));
        const clone = await pool.take(key, req.signal);
        loaded = clone.loaded;
        const takenAt = performance.now();
        try {
          snapshotId = clone.templateId;
          // cont and the identity go out first; the clone's files move into
          // the instance's directory while its guest answers them.
          const resuming = resumeLoaded(loaded, { hostname: req.name, timeoutMs: readyTimeoutMs, signal: req.signal, id: snapshotId, paths });
          resuming.catch(() => {});
          resumed = true; // from here resumeLoaded owns the QEMU (it kills it on failure)
          try {
            adopt(clone, paths);
          } catch (err) {
            await resuming.catch(() => undefined);
            await discardLoaded(loaded);
            throw err;
          }
          vm = await resuming;
        } finally {
          pool.refill(key);
        }
        startup = pooledStartupPhases({ askedAt, takenAt, readyAt: vm.ready.at });
      } else {
        const { current, key, t } = await prepare(req, machine, readyTimeoutMs);
        snapshotId = t.meta.id;
        // The instance's directory was made for the QEMU user by the engine (engine.ts start).
        loaded = await loadSnapshot({
          user: ctx.qemu().user,
          lean: leanQemu,
          store: ctx.store,
          id: t.meta.id,
          expected: { binding: current.binding, args: t.cloneArgs },
          qemuBinary: ctx.qemuBinary,
          paths,
          name: `isolab-${req.id}`,
          timeoutMs: readyTimeoutMs,
          signal: req.signal,
          ignoreShared: true,
        });
        resumed = true;
        vm = await resumeLoaded(loaded, { hostname: req.name, timeoutMs: readyTimeoutMs, signal: req.signal, id: t.meta.id, paths });
        startup = restoreStartupPhases({
          askedAt,
          spawnAt: vm.spawnAt,
          greetingAt: vm.greetingAt,
          loadedAt: vm.loadedAt,
          readyAt: vm.ready.at,
          builtTemplate: t.built,
        });
        // After the first templated start of a machine, the pool (when on) fills for it.
        pool.ensure(key, { image: req.image.name, memoryMiB: machine.memoryMiB }, () => spawnClone(req, machine, readyTimeoutMs));
      }
      const handle = createVmHandle({ vm, startup, accel: decision, paths, exitHint: sigbusHint });
      return withSnapshots(handle, {
        startMode: mode,
        snapshotId,
        save: () =>
          Promise.reject(new ConflictError("A templated VM's RAM lives in its template's file, which a snapshot leaves out: save a cold or warm VM instead.")),
      });
    } catch (err) {
      if (loaded && !resumed) await discardLoaded(loaded).catch(() => {});
      removeFiles([paths.pidfile, paths.qmpSocket, paths.agentSocket]);
      if (isIsolabError(err)) throw err;
      const message = err instanceof LaunchError ? err.message : String(err);
      const stderr = readTail(paths.qemuLog, 10);
      const consoleTail = [readTail(paths.consoleLog, 40), stderr && `--- QEMU stderr ---\n${stderr}`].filter(Boolean).join("\n");
      throw new StartFailedError(`VM ${req.name} did not start ${mode === "pooled" ? "from the pool" : "from its template"}: ${message}`, {
        accel: decision.accel,
        consoleTail,
      });
    }
  }

  return {
    start,
    templates,
    pool,
    /** How clones' QEMUs start (the bench's raw side starts its clones the same way). */
    lean,
    /** A template's metadata and state file (the bench restores it by hand). */
    template: (id: string) => ({ meta: ctx.store.get(id), statePath: ctx.store.statePath(id) }),
    /** The pool's standing cost: every waiting QEMU's PSS and RSS, read now. */
    poolUsage() {
      return pool.status().map((s) => {
        let pssBytes = 0;
        let rssBytes = 0;
        for (const pid of s.pids) {
          try {
            const u = readProcUsage(pid);
            pssBytes += u.pssBytes ?? u.memoryBytes;
            rssBytes += u.rssBytes;
          } catch {
            // ended between status() and the read: the pool replaces it
          }
        }
        return { ...s, pssBytes, rssBytes };
      });
    },
  };
}

export type TemplatedStarts = ReturnType<typeof createTemplatedStarts>;
