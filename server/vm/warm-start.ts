import "server-only";
import type { VmStartMode } from "@/lib/core/types";
import type { SnapshotMeta } from "@/lib/schemas/snapshot";
import { restoreStartupPhases, type MachineSpec } from "@/lib/vm/snapshot";
import { isIsolabError, StartFailedError } from "@/server/errors";
import type { SnapshotCapability, StartRequest } from "@/server/engine/contract";
import type { AccelDecision } from "./accel";
import { createVmHandle, type VmHandle } from "./handle";
import { readTail } from "./host";
import { LaunchError, removeFiles } from "./launch";
import { currentBinding, templateKey } from "./snapshot-binding";
import { restoreSnapshot } from "./snapshot-restore";
import { saveSnapshot } from "./snapshot-save";
import { createTemplates, type TemplateContext } from "./snapshot-templates";

// The VM engine's warm path: restore the machine's template (built on first
// use) or a named snapshot into the instance's directory, and hand back the
// same VmHandle a cold boot gives, with startup phases of a restore.

type Binding = Awaited<ReturnType<typeof currentBinding>>;

export interface WarmHandleExtras {
  startMode: VmStartMode;
  /** The snapshot a warm VM was restored from. */
  snapshotId?: string;
  capabilities: { snapshot: SnapshotCapability };
}

/** Gives a VM handle its start mode and the snapshot capability. */
export function withSnapshots(
  handle: VmHandle,
  extras: { startMode: VmStartMode; snapshotId?: string; save: (opts: { resume: boolean }) => Promise<SnapshotMeta> },
): VmHandle & WarmHandleExtras {
  const { save, ...rest } = extras;
  return Object.assign(handle, { ...rest, capabilities: { ...handle.capabilities, snapshot: { save } } });
}

export function createWarmStarts(ctx: TemplateContext) {
  const templates = createTemplates(ctx);

  function save(handle: VmHandle, binding: Promise<Binding>, source: SnapshotMeta["source"], resume: boolean): Promise<SnapshotMeta> {
    return binding.then((b) =>
      saveSnapshot(handle, {
        store: ctx.store,
        binding: b.binding,
        args: b.args,
        purpose: "manual",
        source,
        resume,
        hostname: source.name,
        qemu: ctx.qemu(),
      }),
    );
  }

  async function start(req: StartRequest, machine: MachineSpec, decision: AccelDecision, readyTimeoutMs: number): Promise<VmHandle & WarmHandleExtras> {
    const askedAt = performance.now();
    const paths = ctx.vmPaths(req.dir);
    try {
      const current = await currentBinding({ qemuBinary: ctx.qemuBinary, spec: machine, imageName: req.image.name });
      let id = req.snapshotId;
      let built = false;
      if (!id) {
        const t = await templates.ensure({ key: templateKey(current.binding), binding: current.binding, args: current.args, readyTimeoutMs });
        id = t.meta.id;
        built = t.built;
      }
      const vm = await restoreSnapshot({
        user: ctx.qemu().user,
        store: ctx.store,
        id,
        expected: current,
        qemuBinary: ctx.qemuBinary,
        paths,
        name: `isolab-${req.id}`,
        hostname: req.name,
        timeoutMs: readyTimeoutMs,
        signal: req.signal,
      });
      const startup = restoreStartupPhases({
        askedAt,
        spawnAt: vm.spawnAt,
        greetingAt: vm.greetingAt,
        loadedAt: vm.loadedAt,
        readyAt: vm.ready.at,
        builtTemplate: built,
      });
      const handle = createVmHandle({ vm, startup, accel: decision, paths });
      return withSnapshots(handle, {
        startMode: "warm",
        snapshotId: id,
        save: (o) => save(handle, Promise.resolve(current), { instanceId: req.id, name: req.name }, o.resume),
      });
    } catch (err) {
      removeFiles([paths.pidfile, paths.qmpSocket, paths.agentSocket]);
      // Named refusals (no such snapshot, damaged, bound to something else) keep their names and statuses.
      if (isIsolabError(err)) throw err;
      const message = err instanceof LaunchError ? err.message : String(err);
      const stderr = readTail(paths.qemuLog, 10);
      const consoleTail = [readTail(paths.consoleLog, 40), stderr && `--- QEMU stderr ---\n${stderr}`].filter(Boolean).join("\n");
      throw new StartFailedError(`VM ${req.name} did not start from a snapshot: ${message}`, { accel: decision.accel, consoleTail });
    }
  }

  return { start, save };
}
