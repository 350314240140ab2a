import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { SnapshotBinding, SnapshotMeta } from "@/lib/schemas/snapshot";
import { instantiateArgs } from "@/lib/vm/snapshot";
import { killGroup, launchQemu, removeFiles, type LaunchPaths } from "./launch";
import { saveSnapshot } from "./snapshot-save";
import type { SnapshotStore } from "./snapshot-store";
import type { QemuDirs } from "@/server/host/qemu-user";

// Template VMs for warm launches: the first warm launch of a machine boots a
// template cold, saves it, and quits it; every later one restores that
// snapshot. Templates are keyed by their whole binding (QEMU version,
// arguments incl. memory size, kernel, image, firmware), so a change of any
// of them builds a new template, and the old ones of the same image and
// size are deleted then.
//
// Identity: a template boots without `isolab.hostname=`, so its guest is
// named after the image ("probe"); a restore renames the clone and reseeds
// its RNG (snapshot-restore.ts). Everything else — boot_id, kernel address
// layout, the guest's uptime and its page cache — is the template's in
// every clone.

export interface TemplateContext {
  qemuBinary: string;
  store: SnapshotStore;
  /** Where a template boots: <stateDir>/instances/tpl-<key>, so reconcile finds a QEMU a crash left. */
  instancesDir: string;
  vmPaths(dir: string): LaunchPaths & { consoleLog: string; pidfile: string };
  /** The QEMU user and the directories it may reach (throws when the user is missing). */
  qemu(): QemuDirs;
}

export interface TemplateRequest {
  key: string;
  binding: SnapshotBinding;
  args: string[];
  readyTimeoutMs: number;
}

const sameMachine = (a: SnapshotBinding, b: SnapshotBinding) =>
  a.image.name === b.image.name && a.machine.memoryMiB === b.machine.memoryMiB && a.machine.cpus === b.machine.cpus && a.machine.accel === b.machine.accel;

export function createTemplates(ctx: TemplateContext) {
  // Concurrent warm launches of one machine share one build.
  const building = new Map<string, Promise<SnapshotMeta>>();

  function find(key: string): SnapshotMeta | undefined {
    for (const meta of ctx.store.list().filter((m) => m.purpose === "template" && m.templateKey === key)) {
      try {
        ctx.store.verify(meta);
        return meta;
      } catch {
        ctx.store.remove(meta.id); // damaged: build afresh rather than fail every warm launch
      }
    }
    return undefined;
  }

  async function build(req: TemplateRequest): Promise<SnapshotMeta> {
    const dir = path.join(ctx.instancesDir, `tpl-${req.key}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const qemu = ctx.qemu();
    const paths = ctx.vmPaths(dir);
    qemu.instanceDir(dir, [paths.consoleLog, paths.pidfile]);
    const vm = await launchQemu({
      ...paths,
      user: qemu.user,
      qemuBinary: ctx.qemuBinary,
      args: instantiateArgs(req.args, paths, `isolab-template-${req.key}`),
      readyTimeoutMs: req.readyTimeoutMs,
    });
    try {
      const hostname = await vm.agent
        .exec("info", [], { timeoutMs: 10_000 })
        .then((r) => (JSON.parse(r.output.trim().split("\n").at(-1) ?? "{}") as { hostname?: unknown }).hostname)
        .catch(() => undefined);
      const meta = await saveSnapshot(vm, {
        store: ctx.store,
        binding: req.binding,
        args: req.args,
        purpose: "template",
        templateKey: req.key,
        source: { name: `template ${req.binding.image.name} ${req.binding.machine.memoryMiB} MiB` },
        resume: false,
        hostname: typeof hostname === "string" ? hostname : undefined,
        qemu,
      });
      for (const old of ctx.store.list()) {
        if (old.purpose === "template" && old.templateKey !== req.key && sameMachine(old.binding, req.binding)) ctx.store.remove(old.id);
      }
      return meta;
    } finally {
      vm.agent.close();
      vm.qmp.close();
      await killGroup(vm.child, vm.exit);
      removeFiles([paths.qmpSocket, paths.agentSocket, paths.pidfile]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    /** The template snapshot for this machine, built now if there is none; `built` says whether this call waited for a build. */
    async ensure(req: TemplateRequest): Promise<{ meta: SnapshotMeta; built: boolean }> {
      const existing = find(req.key);
      if (existing) return { meta: existing, built: false };
      let p = building.get(req.key);
      if (!p) {
        p = build(req).finally(() => building.delete(req.key));
        building.set(req.key, p);
      }
      return { meta: await p, built: true };
    },
  };
}

export type Templates = ReturnType<typeof createTemplates>;
