// Argument arrays for qemu-system-x86_64, never a shell string: paths and the
// kernel command line reach QEMU exactly as given.
//
// Both host channels (QMP and the agent serial port) are unix-socket chardevs
// in CLIENT mode: Isolab listens first and QEMU connects while it parses its
// arguments, before the vCPU runs one instruction. So the agent's READY line
// cannot be missed and there is no connect-retry loop; if Isolab is not
// listening QEMU exits at once with a clear error instead of waiting.

export type QemuAccel = "kvm" | "tcg";

export interface QemuSpec {
  memoryMiB: number;
  cpus: number;
  accel: QemuAccel;
  /** Uncompressed vmlinux (PVH entry) for the tuned boot. */
  kernel: string;
  initrd: string;
  /** Appended after the tuned arguments; later ones win in the kernel. */
  extraKernelArgs?: string[];
  /** Set by the guest's /init from `isolab.hostname=` (guest/init). */
  hostname?: string;
  /** The initramfs's init program when it is not /init (an OCI image's: lib/vm/init.ts). */
  init?: string;
  consoleLog: string;
  qmpSocket: string;
  agentSocket: string;
  /** ttyS2, the guest's terminal: Isolab listens here and QEMU connects, like the agent's port. Absent: no terminal port (a test host's guest). */
  termSocket?: string;
  pidfile: string;
  /** Fast firmware (qboot.rom) when present; SeaBIOS otherwise. */
  bios?: string;
  /** `-incoming` URI to restore a saved VM (e.g. `exec:cat FILE`). */
  incoming?: string;
  /** `-name`, shown in `ps` and QMP `query-name`. */
  name?: string;
  /**
   * Guest RAM in a file (a templated VM, server/vm/vm-templates.ts): the
   * template maps it shared (`share: true`, so its RAM *is* the file), the
   * clones privately (copy-on-write over the same page cache).
   */
  memoryFile?: { path: string; share: boolean };
}

/**
 * Kernel arguments that made the probe image reach READY faster under TCG
 * (ARCHITECTURE.md "Hosts it has run on", guest/BOOT-TUNING.md). Each one skips work
 * the guest does not need; none changes what the workload measures.
 * `mitigations=` is not among them: it changes the cost of every syscall, so
 * the engine passes the host's own state (lib/host/mitigations.ts) as an
 * extra argument.
 */
export const TUNED_KERNEL_ARGS: readonly string[] = [
  "console=ttyS0",
  // Fewer console lines: every byte is an emulated UART write under TCG.
  "quiet",
  // With -no-reboot, a guest panic (a bad initrd) ends QEMU at once instead of a timeout.
  "panic=-1",
  // ttyS1 carries the agent, ttyS2 the terminal; no probing of port 4.
  "8250.nr_uarts=3",
  "no_timer_check",
  "tsc=reliable",
  "i8042.noaux",
  "i8042.nokbd",
  "cryptomgr.notests",
  "pci=lastbus=0",
  "random.trust_cpu=on",
  // No AppArmor/TOMOYO/landlock set-up: the guest runs one trusted probe.
  "lsm=",
  // The local APIC timer is calibrated by busy-waiting 100 ms of guest time
  // (≈100 ms of host CPU under TCG); without it the guest ticks from the HPET.
  // Measured: boot −100 ms, the probe's latency workload unchanged.
  "noapictimer",
  // Tracing and a KDF self-test cost ~50–70 ms each under TCG and nothing here uses them.
  "initcall_blacklist=init_kprobe_trace,crypto_kdf108_init",
  // Periodic kernel work nothing in the guest needs. Each path an idle guest
  // runs is translated by TCG in every VM's QEMU, a templated clone's
  // included (measured with the three: about 0.5 MiB less per clone, fewer
  // idle wake-ups): the lockup watchdog's 4 s timer (and its false alarms
  // when a paused or CPU-starved guest resumes), pressure-stall accounting
  // on every task switch and its 2 s averaging, and proactive compaction's
  // 500 ms fragmentation checks (no huge pages are wanted in a small guest).
  "nowatchdog",
  "psi=0",
  "sysctl.vm.compaction_proactiveness=0",
  "rdinit=/init",
];

/**
 * QEMU's seccomp filter (`-sandbox`): besides its default deny list, no
 * obsolete syscalls, no set*uid/set*gid (it is started as its own user and
 * must stay so), no fork/exec (so `exec:` migration URIs cannot work; Isolab
 * uses unix: and fd:), no affinity or priority changes. libvirt's default.
 */
export const QEMU_SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

/** sun_path is 108 bytes including the terminating NUL. */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

export function checkUnixSocketPath(p: string): void {
  const bytes = Buffer.byteLength(p);
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES) {
    throw new Error(
      `unix socket path is ${bytes} bytes, over the ${MAX_UNIX_SOCKET_PATH_BYTES}-byte limit of sun_path: ${p} ` + "(use a shorter ISOLAB_STATE_DIR)",
    );
  }
}

const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

function checkSpec(spec: QemuSpec): void {
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 32) throw new Error(`memoryMiB must be an integer ≥ 32, got ${spec.memoryMiB}`);
  if (!Number.isInteger(spec.cpus) || spec.cpus < 1) throw new Error(`cpus must be an integer ≥ 1, got ${spec.cpus}`);
  if (spec.hostname !== undefined && !HOSTNAME.test(spec.hostname)) throw new Error(`invalid hostname ${JSON.stringify(spec.hostname)}`);
  if (spec.init !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(spec.init)) throw new Error(`invalid init path ${JSON.stringify(spec.init)}`);
  for (const a of spec.extraKernelArgs ?? []) {
    // One array element must stay one kernel argument.
    if (a === "" || /\s/.test(a)) throw new Error(`kernel argument must be one non-empty word: ${JSON.stringify(a)}`);
  }
  if (spec.memoryFile && !/^\/[A-Za-z0-9._/-]+$/.test(spec.memoryFile.path))
    throw new Error(`invalid memory file path ${JSON.stringify(spec.memoryFile.path)}`);
  checkUnixSocketPath(spec.qmpSocket);
  checkUnixSocketPath(spec.agentSocket);
  if (spec.termSocket !== undefined) checkUnixSocketPath(spec.termSocket);
}

/**
 * `-object memory-backend-file` and the machine's `memory-backend=`: guest RAM
 * in a file. (The `x-ignore-shared` migration capability, which makes a save
 * leave that RAM out, is set over QMP: QEMU 7.2 has no `-global` for it.)
 */
function memoryFileArgs(spec: QemuSpec): string[] {
  if (!spec.memoryFile) return [];
  const { path, share } = spec.memoryFile;
  // prettier-ignore
  return [
    "-object", `memory-backend-file,id=mem,size=${spec.memoryMiB}M,mem-path=${escapeOptionValue(path)},share=${share ? "on" : "off"}`,
  ];
}

/** QEMU's option parser splits on commas; a literal comma is doubled. */
export function escapeOptionValue(v: string): string {
  return v.replaceAll(",", ",,");
}

export function kernelCommandLine(spec: Pick<QemuSpec, "hostname" | "extraKernelArgs" | "init">): string {
  const args = TUNED_KERNEL_ARGS.map((a) => (spec.init && a.startsWith("rdinit=") ? `rdinit=${spec.init}` : a));
  if (spec.hostname) args.push(`isolab.hostname=${spec.hostname}`);
  return [...args, ...(spec.extraKernelArgs ?? [])].join(" ");
}

/** The tuned boot Isolab uses for every VM. */
export function buildQemuArgs(spec: QemuSpec): string[] {
  checkSpec(spec);
  // Flag/value pairs stay on one line each.
  // prettier-ignore
  const args = [
    ...(spec.name ? ["-name", escapeOptionValue(spec.name)] : []),
    "-sandbox", QEMU_SANDBOX,
    // tb-size=64 caps TCG's translation cache (default 1 GiB) to keep RSS down.
    "-accel", spec.accel === "kvm" ? "kvm" : "tcg,tb-size=64",
    // i440fx ("pc") is faster than q35 under TCG and is all a serial-only guest needs.
    "-machine", spec.memoryFile ? "pc,memory-backend=mem" : "pc",
    ...(spec.accel === "kvm" ? ["-cpu", "host"] : []),
    "-m", String(spec.memoryMiB),
    ...memoryFileArgs(spec),
    "-smp", String(spec.cpus),
    "-nodefaults", "-no-user-config", "-display", "none",
    // A reboot request (or panic=-1) ends QEMU instead of looping.
    "-no-reboot",
    ...(spec.bios ? ["-bios", spec.bios] : []),
    "-kernel", spec.kernel,
    "-initrd", spec.initrd,
    "-append", kernelCommandLine(spec),
    // ttyS0: the kernel console, to a file so a failed start can show its tail.
    "-chardev", `file,id=con,path=${escapeOptionValue(spec.consoleLog)}`,
    "-serial", "chardev:con",
    // ttyS1: the agent. No server=on: QEMU connects to Isolab's listener.
    "-chardev", `socket,id=agent,path=${escapeOptionValue(spec.agentSocket)}`,
    "-serial", "chardev:agent",
    // ttyS2: the terminal (guest/probe/tty.c), a client socket like the
    // agent's: QEMU may create nothing in the instance directory.
    ...(spec.termSocket ? ["-chardev", `socket,id=term,path=${escapeOptionValue(spec.termSocket)}`, "-serial", "chardev:term"] : []),
    "-chardev", `socket,id=qmp,path=${escapeOptionValue(spec.qmpSocket)}`,
    "-mon", "chardev=qmp,mode=control",
    "-pidfile", spec.pidfile,
  ];
  if (spec.incoming) args.push("-incoming", spec.incoming);
  return args;
}

export interface DefaultBootSpec {
  memoryMiB: number;
  /** bzImage as shipped. */
  kernel: string;
  initrd: string;
  consoleLog: string;
  agentSocket: string;
}

/**
 * The untuned baseline the benchmark compares against: how most people start
 * QEMU — default machine, SeaBIOS, the compressed bzImage and only
 * `console=ttyS0`. The one addition is the agent port on ttyS1, to see READY;
 * it does not change how the guest boots.
 */
export function buildDefaultBootArgs(spec: DefaultBootSpec): string[] {
  checkUnixSocketPath(spec.agentSocket);
  // prettier-ignore
  return [
    "-accel", "tcg",
    "-m", String(spec.memoryMiB),
    "-display", "none",
    "-kernel", spec.kernel,
    "-initrd", spec.initrd,
    "-append", "console=ttyS0",
    "-serial", `file:${spec.consoleLog}`,
    "-chardev", `socket,id=agent,path=${escapeOptionValue(spec.agentSocket)}`,
    "-serial", "chardev:agent",
  ];
}
