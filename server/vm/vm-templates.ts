import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SnapshotBinding, SnapshotMeta } from "@/lib/schemas/snapshot";
import { instantiateArgs, machineArgs, type MachineSpec } from "@/lib/vm/snapshot";
import { fileForQemu, type QemuDirs, type QemuUser } from "@/server/host/qemu-user";
import type { AgentChannel } from "./agent-channel";
import { readTail } from "./host";
import { killGroup, launchQemu, LaunchError, removeFiles, type LaunchPaths } from "./launch";
import { SharedMemoryFullError } from "./snapshot-errors";
import { saveSnapshot } from "./snapshot-save";
import type { SnapshotStore } from "./snapshot-store";

// Templated VMs (Kata's "VM templating"): a template boots once with its
// guest RAM in a file on /dev/shm mapped *shared* (`memory-backend-file,
// share=on`), so the RAM is the file. It is saved with `x-ignore-shared`
// — device state only, ~150 KB — and quit; the file stays. A clone maps
// the same file *privately* (`share=off`): it reads the template's pages
// from one page cache and copies only the pages it writes. So clones share
// the template's memory contents — its page cache, its kernel's random
// state at save time, anything secret the template held — and each pays
// only for what it changes.
//
// The file is never truncated or rewritten while it exists: a rebuild
// writes a new file (new key) and unlinks the old one, which running clones
// keep mapped (an unlinked inode lives on until its last mapping goes). A
// file truncated from outside under running clones makes their next read of
// a page past the new end a SIGBUS: those QEMUs die ("QEMU killed by
// SIGBUS") and the next templated start rebuilds the template.

export interface SharedTemplateContext {
  qemuBinary: string;
  /** Template metadata and device state, under <stateDir>/vm-templates (not listed as snapshots). */
  store: SnapshotStore;
  /** Where a template boots: <stateDir>/instances/tps-<key>, so reconcile finds a QEMU a crash left. */
  instancesDir: string;
  /** Where the RAM files live: tmpfs, so the page cache is the memory (default /dev/shm). */
  shmDir: string;
  /** Names this state directory's RAM files apart from other Isolab apps' on the same host. */
  stateTag: string;
  vmPaths(dir: string): LaunchPaths & { consoleLog: string; pidfile: string; termSocket: string };
  /** The QEMU user and the directories it may reach (throws when the user is missing). */
  qemu(): QemuDirs;
}

export interface SharedTemplateRequest {
  key: string;
  /** The binding of the plain machine (snapshot-binding.ts currentBinding): what keys and checks the template. */
  binding: SnapshotBinding;
  machine: MachineSpec;
  readyTimeoutMs: number;
}

export interface SharedTemplate {
  meta: SnapshotMeta;
  ramPath: string;
  /** The clone's argument array (placeholders for its paths): the RAM file mapped privately. */
  cloneArgs: string[];
  built: boolean;
}

const MIB = 2 ** 20;
/** Beyond the guest RAM itself: tmpfs rounding and a margin so the host's other /dev/shm users are not starved. */
const SHM_MARGIN_MIB = 16;

export const stateTagOf = (stateDir: string) => createHash("sha256").update(path.resolve(stateDir)).digest("hex").slice(0, 10);

export function ramFileName(stateTag: string, key: string): string {
  return `isolab-${stateTag}-${key}.ram`;
}

/** The clone's and the template's argument arrays: equal but for `share=`. */
export function templateArgs(machine: MachineSpec, ramPath: string) {
  return {
    template: machineArgs({ ...machine, memoryFile: { path: ramPath, share: true } }),
    clone: machineArgs({ ...machine, memoryFile: { path: ramPath, share: false } }),
  };
}

/** Free bytes where the RAM files go, or undefined when it cannot be read. */
function freeBytes(dir: string): number | undefined {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Makes the template's RAM file, empty (QEMU sizes it), before QEMU opens it
 * as its own user: 0660 root:<QEMU's group>. Not left to QEMU, which would
 * create it 0644 in a world-writable /dev/shm (every host user could read
 * the guest's RAM). Group read-write because QEMU 7.2 opens a
 * memory-backend-file O_RDWR even for a clone's private mapping (`share=off`;
 * a read-only open would make the guest RAM read-only). Owned by root, not
 * by the QEMU user, so a QEMU cannot chmod it open to others. A compromised
 * QEMU could still write it — the same user runs every clone anyway.
 * O_EXCL|O_NOFOLLOW: /dev/shm is world-writable, so nothing someone planted
 * under that name is followed or reused.
 */
export function createRamFile(file: string, user: QemuUser): void {
  removeFiles([file]);
  fileForQemu(file, user, fs.constants.O_EXCL);
}

/** How long a template's guest may take to finish its deferred boot work (it is due about a second after boot). */
const SETTLE_LIMIT_MS = 3_000;

/**
 * Runs the clone's attach path (snapshot-restore.ts resumeLoaded: hostname,
 * reseed, ping) once in the template before it is saved. Each clone still
 * runs it, and TCG still translates it afresh in each clone's QEMU, but the
 * guest kernel's caches it fills (the dentry of /dev/urandom, slab objects)
 * are then the template's, already warm (measured: about a tenth fewer
 * translated blocks in a clone's attach, and a smaller clone). The
 * template keeps its own name; the seed it mixes in is replaced in every
 * clone by the clone's own.
 */
async function warmAttachPath(agent: AgentChannel, hostname: string | undefined): Promise<void> {
  const opts = { timeoutMs: 10_000 };
  // First the kernel's deferred boot work (the agent's `settle`, guest/README.md):
  // whatever is still due when the template is saved runs again in every clone.
  await agent.exec("settle", [String(SETTLE_LIMIT_MS)], opts).catch(() => undefined);
  // Old images' agents lack the built-ins (a usage error): nothing to warm.
  if (hostname) await agent.exec("sethostname", [hostname], opts).catch(() => undefined);
  await agent.exec("reseed", [randomBytes(32).toString("hex")], opts).catch(() => undefined);
  await agent.exec("ping", [], opts).catch(() => undefined);
}

const sameMachine = (a: SnapshotBinding, b: SnapshotBinding) =>
  a.image.name === b.image.name && a.machine.memoryMiB === b.machine.memoryMiB && a.machine.cpus === b.machine.cpus && a.machine.accel === b.machine.accel;

export function createSharedTemplates(ctx: SharedTemplateContext) {
  const building = new Map<string, Promise<SnapshotMeta>>();
  const ramPath = (key: string) => path.join(ctx.shmDir, ramFileName(ctx.stateTag, key));

  function remove(meta: SnapshotMeta): void {
    ctx.store.remove(meta.id);
    if (meta.templateKey) removeFiles([ramPath(meta.templateKey)]);
  }

  /** A usable template: its state file sound and its RAM file whole (a truncated or deleted one means a rebuild). */
  function find(key: string, memoryMiB: number): SnapshotMeta | undefined {
    for (const meta of ctx.store.list().filter((m) => m.templateKey === key)) {
      try {
        ctx.store.verify(meta);
        if (fs.statSync(ramPath(key)).size !== memoryMiB * MIB) throw new Error("RAM file has the wrong size");
        return meta;
      } catch {
        remove(meta);
      }
    }
    return undefined;
  }

  function checkRoom(memoryMiB: number): void {
    const free = freeBytes(ctx.shmDir);
    if (!fs.existsSync(ctx.shmDir)) throw new SharedMemoryFullError(`${ctx.shmDir} does not exist: templated VMs keep their RAM there (a tmpfs).`);
    const needed = (memoryMiB + SHM_MARGIN_MIB) * MIB;
    if (free !== undefined && free < needed) {
      throw new SharedMemoryFullError(
        `${ctx.shmDir} has ${Math.floor(free / MIB)} MiB free; a template of ${memoryMiB} MiB needs ${memoryMiB + SHM_MARGIN_MIB} MiB there. Free some of it, or launch cold or warm.`,
        { dir: ctx.shmDir, freeBytes: free, neededBytes: needed },
      );
    }
  }

  async function build(req: SharedTemplateRequest): Promise<SnapshotMeta> {
    checkRoom(req.machine.memoryMiB);
    const dir = path.join(ctx.instancesDir, `tps-${req.key}`);
    const ram = ramPath(req.key);
    const args = templateArgs(req.machine, ram);
    fs.rmSync(dir, { recursive: true, force: true });
    const paths = ctx.vmPaths(dir);
    let ok = false;
    try {
      // As cold and warm VMs: QEMU as its own user under its sandbox (in machineArgs), its directory and RAM file made for it.
      const qemu = ctx.qemu();
      qemu.instanceDir(dir, [paths.consoleLog, paths.pidfile]);
      createRamFile(ram, qemu.user);
      const vm = await launchQemu({
        ...paths,
        user: qemu.user,
        qemuBinary: ctx.qemuBinary,
        args: instantiateArgs(args.template, paths, `isolab-template-${req.key}`),
        readyTimeoutMs: req.readyTimeoutMs,
      });
      try {
        const hostname = await vm.agent
          .exec("info", [], { timeoutMs: 10_000 })
          .then((r) => (JSON.parse(r.output.trim().split("\n").at(-1) ?? "{}") as { hostname?: unknown }).hostname)
          .catch(() => undefined);
        await warmAttachPath(vm.agent, typeof hostname === "string" ? hostname : undefined);
        // The RAM is the file: the state leaves it out (QEMU 7.2 sets this capability only over QMP).
        await vm.qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "x-ignore-shared", state: true }] });
        const meta = await saveSnapshot(vm, {
          store: ctx.store,
          binding: req.binding,
          args: args.clone,
          purpose: "template",
          templateKey: req.key,
          source: { name: `shared-memory template ${req.binding.image.name} ${req.binding.machine.memoryMiB} MiB` },
          resume: false,
          hostname: typeof hostname === "string" ? hostname : undefined,
          qemu,
        });
        for (const old of ctx.store.list()) {
          if (old.templateKey !== req.key && sameMachine(old.binding, req.binding)) remove(old);
        }
        ok = true;
        return meta;
      } finally {
        vm.agent.close();
        vm.qmp.close();
        await killGroup(vm.child, vm.exit);
      }
    } catch (err) {
      // A tmpfs that fills while the guest boots faults QEMU's next page: SIGBUS.
      if (err instanceof LaunchError && err.exit?.signal === "SIGBUS") {
        throw new SharedMemoryFullError(`The template's RAM file in ${ctx.shmDir} could not be filled (QEMU killed by SIGBUS): ${ctx.shmDir} is full.`, {
          dir: ctx.shmDir,
        });
      }
      // The template's directory goes with it: carry QEMU's own words out.
      const stderr = readTail(paths.qemuLog, 5);
      if (err instanceof LaunchError && stderr)
        throw new LaunchError(`${err.message} (building the template; QEMU said: ${stderr.replace(/\n/g, " ")})`, err.exit);
      throw err;
    } finally {
      if (!ok) removeFiles([ram]);
      removeFiles([paths.qmpSocket, paths.agentSocket, paths.pidfile]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    ramPath,

    /** The shared-memory template of this machine, built now if there is none or its RAM file is gone. */
    async ensure(req: SharedTemplateRequest): Promise<SharedTemplate> {
      const done = (meta: SnapshotMeta, built: boolean): SharedTemplate => ({
        meta,
        ramPath: ramPath(req.key),
        cloneArgs: meta.args,
        built,
      });
      const existing = find(req.key, req.machine.memoryMiB);
      if (existing) return done(existing, false);
      let p = building.get(req.key);
      if (!p) {
        p = build(req).finally(() => building.delete(req.key));
        building.set(req.key, p);
      }
      return done(await p, true);
    },

    /** RAM files of this state directory whose template is gone (a crash between the boot and the save). */
    removeOrphans(): string[] {
      const keep = new Set(ctx.store.list().map((m) => m.templateKey));
      const prefix = `isolab-${ctx.stateTag}-`;
      const removed: string[] = [];
      let names: string[] = [];
      try {
        names = fs.readdirSync(ctx.shmDir);
      } catch {
        return removed;
      }
      for (const name of names) {
        if (!name.startsWith(prefix) || !name.endsWith(".ram")) continue;
        if (keep.has(name.slice(prefix.length, -".ram".length))) continue;
        removeFiles([path.join(ctx.shmDir, name)]);
        removed.push(path.join(ctx.shmDir, name));
      }
      return removed;
    },

    /** Every template and RAM file of this state directory (a test's or bench's temporary one, at its end). */
    removeAll(): void {
      for (const meta of ctx.store.list()) remove(meta);
      this.removeOrphans();
    },
  };
}

export type SharedTemplates = ReturnType<typeof createSharedTemplates>;
