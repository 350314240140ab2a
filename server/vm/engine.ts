import "server-only";
import fs from "node:fs";
import path from "node:path";
import { buildQemuArgs } from "@/lib/vm/qemu-args";
import { vmStartupPhases } from "@/lib/vm/phases";
import type { MachineSpec } from "@/lib/vm/snapshot";
import { config } from "@/server/config";
import { guestMitigationKernelArgs } from "@/server/host/mitigations";
import { MissingDependencyError, StartFailedError } from "@/server/errors";
import type { Engine, StartRequest } from "@/server/engine/contract";
import { resolveAccel, type AccelChoice, type AccelDecision } from "./accel";
import { launchQemu, LaunchError, removeFiles, type LaunchPaths } from "./launch";
import { qemuVersionOrMissing, readTail, reconcileVms } from "./host";
import { createVmHandle, type VmHandle } from "./handle";
import type { SnapshotMeta } from "@/lib/schemas/snapshot";
import { currentBinding } from "./snapshot-binding";
import { checkRestorable } from "./snapshot-restore";
import { createSnapshotStore, type SnapshotStore } from "./snapshot-store";
import { createWarmStarts, withSnapshots, type WarmHandleExtras } from "./warm-start";
import { qemuDirs, requireQemuUser, unreadableBy } from "@/server/host/qemu-user";
import { createTemplatedStarts, type TemplatedStarts } from "./templated-start";
import { stateTagOf } from "./vm-templates";

/** The helper templated clones start behind (guest/nothp, built by set-up into <data>/bin). */
export const NOTHP_NAME = "isolab-nothp";

// The "vm" engine: the probe image's initramfs plus the guest kernel in QEMU,
// tuned for a fast direct boot (lib/vm/qemu-args.ts), controlled over QMP and
// the agent serial port. Startup phases: qemu-up → kernel → ready.
// A warm start (StartRequest.warm, or .snapshotId) restores a snapshot
// instead (warm-start.ts): qemu-up → state-loaded → ready. A templated or
// pooled start (StartRequest.startMode) clones a shared-memory template
// (templated-start.ts).

export interface VmEngineOptions {
  qemuBinary?: string;
  /** Uncompressed vmlinux with a PVH entry. */
  kernelPath?: string;
  stateDir?: string;
  accel?: AccelChoice;
  /** Firmware; defaults to qboot.rom when installed, else QEMU's SeaBIOS. */
  bios?: string | null;
  readyTimeoutMs?: number;
  /** After the guest's `mitigations=`, which is the host's own state (server/host/mitigations.ts); a later one wins. */
  extraKernelArgs?: string[];
  /** The unprivileged system user QEMU runs as (default ISOLAB_QEMU_USER, isolab-qemu). */
  qemuUser?: string;
  /** Waiting clones per templated machine (ISOLAB_VM_POOL_SIZE); 0 turns the pool off. */
  poolSize?: number;
  /** tmpfs for the shared-memory templates' RAM files (default /dev/shm). */
  shmDir?: string;
  /** isolab-nothp (guest/nothp, built by scripts/build-image.sh), which templated clones start behind; defaults to `<dataDir>/bin/isolab-nothp`. */
  nothp?: string;
}

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
const QBOOT_CANDIDATES = ["/usr/share/qemu/qboot.rom", "/usr/share/seabios/qboot.rom", "/usr/local/share/qemu/qboot.rom"];

export type { VmHandle };

export type VmPaths = LaunchPaths & { consoleLog: string; pidfile: string; termSocket: string };

/** Files a VM keeps in its instance directory (short names: sun_path is 108 bytes). */
export function vmPaths(dir: string): VmPaths {
  return {
    consoleLog: path.join(dir, "console.log"),
    qemuLog: path.join(dir, "qemu.err"),
    qmpSocket: path.join(dir, "qmp.sock"),
    agentSocket: path.join(dir, "agent.sock"),
    termSocket: path.join(dir, "term.sock"),
    pidfile: path.join(dir, "qemu.pid"),
  };
}

export type VmEngine = Omit<Engine, "start"> & {
  start(req: StartRequest): Promise<VmHandle & WarmHandleExtras>;
  accel(): Promise<AccelDecision>;
  /** Snapshots under <stateDir>/snapshots: templates of warm starts and those saved through the API. */
  snapshots: SnapshotStore;
  checkSnapshot(id: string, req: Pick<StartRequest, "image" | "memoryMiB" | "cpus">): Promise<SnapshotMeta>;
  /** The shared-memory templates and the warm pool (templated-start.ts). */
  templated: TemplatedStarts;
  /** Kills the pool's waiting QEMUs (app shutdown, after the instances). */
  shutdown(): Promise<void>;
};

export function createVmEngine(opts: VmEngineOptions = {}): VmEngine {
  const qemuBinary = opts.qemuBinary ?? config.qemuBinary;
  const kernelPath = opts.kernelPath ?? config.kernelPath;
  const stateDir = opts.stateDir ?? config.stateDir;
  const choice = opts.accel ?? config.accel;
  const bios = opts.bios === null ? undefined : (opts.bios ?? QBOOT_CANDIDATES.find((p) => fs.existsSync(p)));
  const defaultInitramfs = path.join(config.imagesDir, "probe", "initramfs.cpio");
  const extraKernelArgs = [...guestMitigationKernelArgs(), ...(opts.extraKernelArgs ?? [])];

  const qemuUser = opts.qemuUser ?? config.qemuUser;
  // Every QEMU runs as this user, under its seccomp sandbox (lib/vm/qemu-args.ts QEMU_SANDBOX).
  const qemu = () => qemuDirs(stateDir, requireQemuUser(qemuUser));
  const decide = (initramfsPath: string) => resolveAccel(choice, { qemuBinary, kernelPath, initramfsPath, stateDir, bios, qemu });
  const snapshots = createSnapshotStore(path.join(stateDir, "snapshots"));
  const warm = createWarmStarts({ qemuBinary, store: snapshots, instancesDir: path.join(stateDir, "instances"), vmPaths, qemu });
  const templated = createTemplatedStarts({
    qemuBinary,
    qemu,
    store: createSnapshotStore(path.join(stateDir, "vm-templates")),
    instancesDir: path.join(stateDir, "instances"),
    shmDir: opts.shmDir ?? config.shmDir,
    stateTag: stateTagOf(stateDir),
    vmPaths,
    poolSize: opts.poolSize ?? config.vmPoolSize,
    nothp: opts.nothp ?? path.join(config.dataDir, "bin", NOTHP_NAME),
  });

  /** The accelerator and machine a VM of this request gets: one definition for boots, restores and their checks. */
  async function machineFor(req: Pick<StartRequest, "image" | "memoryMiB" | "cpus">): Promise<{ decision: AccelDecision; machine: MachineSpec }> {
    // OCI images booted as VMs name their own init (server/images/oci-store.ts).
    const { vmInit } = req.image;
    let decision: AccelDecision;
    try {
      // The KVM probe boots an image to READY: always the probe's own, whose /init it knows.
      decision = await decide(vmInit ? defaultInitramfs : req.image.initramfsPath);
    } catch (err) {
      throw new StartFailedError(`ISOLAB_ACCEL=${choice} cannot be used: ${(err as Error).message}`, { accel: choice });
    }
    const machine: MachineSpec = {
      memoryMiB: req.memoryMiB,
      // A vCPU is whole; a fractional share (fine for a cgroup) rounds up.
      cpus: Math.max(1, Math.ceil(req.cpus)),
      accel: decision.accel,
      kernel: kernelPath,
      initrd: req.image.initramfsPath,
      init: vmInit,
      bios,
      extraKernelArgs,
    };
    return { decision, machine };
  }

  return {
    kind: "vm",

    async check() {
      await qemuVersionOrMissing(qemuBinary);
      requireQemuUser(qemuUser);
      if (!fs.existsSync(kernelPath)) {
        throw new MissingDependencyError("kernel", `The guest kernel ${kernelPath} is missing.`);
      }
    },

    accel: () => decide(defaultInitramfs),

    async start(req) {
      const paths = vmPaths(req.dir);
      const confined = qemu();
      // QEMU (as its own user) creates its console log and pid file here and reaches its sockets.
      confined.instanceDir(req.dir, [paths.consoleLog, paths.pidfile]);
      for (const file of [kernelPath, req.image.initramfsPath]) {
        const why = unreadableBy(file, confined.user);
        if (why) throw new StartFailedError(`QEMU runs as ${confined.user.name} and cannot read ${file}: ${why}.`);
      }
      const { decision, machine } = await machineFor(req);
      const readyTimeoutMs = req.readyTimeoutMs ?? opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
      if (req.warm || req.snapshotId) return warm.start(req, machine, decision, readyTimeoutMs);
      if (req.startMode) return templated.start(req, req.startMode, machine, decision, readyTimeoutMs, paths);
      let args: string[];
      try {
        args = buildQemuArgs({ ...paths, ...machine, hostname: req.name, name: `isolab-${req.id}` });
      } catch (err) {
        throw new StartFailedError(`invalid VM settings: ${(err as Error).message}`);
      }
      try {
        const vm = await launchQemu({ ...paths, qemuBinary, args, readyTimeoutMs, signal: req.signal, user: confined.user });
        const startup = vmStartupPhases({
          spawnAt: vm.spawnAt,
          greetingAt: vm.greetingAt,
          readyAt: vm.ready.at,
          uptimeSeconds: vm.ready.uptimeSeconds,
          initUptimeSeconds: vm.ready.initUptimeSeconds,
        });
        // What a snapshot of this VM will be bound to, as booted (hashes are cached; the first costs a read of the kernel).
        const binding = currentBinding({ qemuBinary, spec: machine, imageName: req.image.name });
        binding.catch(() => {});
        const handle = createVmHandle({ vm, startup, accel: decision, paths });
        return withSnapshots(handle, {
          startMode: "cold",
          save: (o) => warm.save(handle, binding, { instanceId: req.id, name: req.name }, o.resume),
        });
      } catch (err) {
        removeFiles([paths.pidfile, paths.qmpSocket, paths.agentSocket, paths.termSocket]);
        let message = err instanceof LaunchError ? err.message : String(err);
        if (decision.accel === "kvm") message += ` under -accel kvm (${decision.reason}); set ISOLAB_ACCEL=tcg or auto if this host's KVM cannot run guests`;
        // QEMU's stderr carries argument and accelerator errors the console never shows.
        const stderr = readTail(paths.qemuLog, 10);
        const consoleTail = [readTail(paths.consoleLog, 40), stderr && `--- QEMU stderr ---\n${stderr}`].filter(Boolean).join("\n");
        throw new StartFailedError(`VM ${req.name} did not start: ${message}`, { accel: decision.accel, consoleTail });
      }
    },

    async reconcile(dir) {
      const removed = await reconcileVms(dir);
      const temps = [...createSnapshotStore(path.join(dir, "snapshots")).cleanTemps(), ...createSnapshotStore(path.join(dir, "vm-templates")).cleanTemps()];
      return [...removed, ...temps, ...(dir === stateDir ? templated.templates.removeOrphans() : [])];
    },

    templated,

    shutdown: () => templated.pool.shutdown(),

    idle: () => templated.pool.idle(),

    snapshots,

    /** Refuses (404, 409, 422) a snapshot this request's VM could not be restored from, before anything is started. */
    async checkSnapshot(id: string, req: Pick<StartRequest, "image" | "memoryMiB" | "cpus">): Promise<SnapshotMeta> {
      const { machine } = await machineFor(req);
      const current = await currentBinding({ qemuBinary, spec: machine, imageName: req.image.name });
      return checkRestorable(snapshots, id, current.binding);
    },
  };
}
