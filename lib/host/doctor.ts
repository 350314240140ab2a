import type { Accel, CgroupVersion } from "@/lib/core/types";
import { REQUIRED_CONTROLLERS, WANTED_CONTROLLERS } from "./cgroup-placement";

// `npm run doctor`'s verdict (pure): the facts server/doctor/ read from this
// host → one line per check with ✓ / ✗ / – and, for each ✗, the fix.
// Essential checks decide the exit status; the others say what is missing.

export type CheckStatus = "ok" | "fail" | "info";
export const STATUS_MARK: Record<CheckStatus, string> = { ok: "✓", fail: "✗", info: "–" };

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  essential: boolean;
}

export interface DoctorVerdict {
  ok: boolean;
  checks: Check[];
}

export interface ToolFact {
  /** The Debian package that ships it. */
  pkg: string;
  /** Absolute path when found on PATH. */
  path: string | null;
  version: string | null;
}

export interface ContainerTrial {
  ok: boolean;
  /** The runtime's own words when the tiny container did not start. */
  error?: string;
}

export interface DoctorFacts {
  nodeVersion: string;
  uid: number;
  tools: Record<string, ToolFact>;
  kernel: { path: string; exists: boolean };
  probeImage: { path: string; exists: boolean };
  /** The small static programs set-up builds into <data>/bin (guest/*), each with what needs it. */
  helpers: { name: string; path: string; exists: boolean; neededFor: string; essential: boolean }[];
  /** Set-up's stand-ins for QEMU's unused libraries (guest/qemu-libs): in use for the configured QEMU, or why not. */
  qemuLibs: { inUse: true; dir: string; libraries: string[] } | { inUse: false; dir: string; why: string };
  cgroup: {
    mode: CgroupVersion;
    /** Controllers the host offers Isolab's cgroups at the top: v2 the root's subtree_control, v1 the mounted hierarchies. */
    rootControllers: string[];
    /** Controllers the parent of Isolab's containers hands down (what its containers can be limited by). */
    subtreeControllers: string[];
    /** Where containers go ("/isolab", "<own>/isolab") and why. */
    parent: string;
    placementWhy: string;
    delegated: boolean;
    ownCgroup: string | null;
  };
  configuredRuntime: "runc" | "crun";
  runtimes: Record<"runc" | "crun", ContainerTrial>;
  accel: {
    configured: "auto" | "kvm" | "tcg";
    /** The probe's decision (cached or run now); null when it could not run (no kernel, image or QEMU). */
    decision: { accel: Accel; reason: string; source: "cache" | "probe" } | null;
    probeError?: string;
    /** null when /dev/kvm opens read-write, else why not. */
    kvmDeviceError: string | null;
    cpuFlags: { vmx: boolean; svm: boolean; hypervisor: boolean };
    /** kvm_intel/kvm_amd `nested` parameter, when a module is loaded. */
    nested: string | null;
    pvm: boolean;
  };
  disk: { path: string; freeBytes: number };
  ksm: { present: boolean; run: string | null };
  /** isolab.service as systemd knows it; null without systemd. */
  service: { loadState: string; activeState: string; delegate: boolean } | null;
}

const GIB = 2 ** 30;
export const MIN_FREE_BYTES = 2 * GIB;

export function nodeSupported(version: string): boolean {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major >= 22 || (major === 20 && minor >= 9);
}

const OPTIONAL_TOOL_USE: Record<string, string> = {
  crun: "the second OCI runtime",
  "busybox-static": "building the probe image",
  umoci: "importing and packing OCI images",
  skopeo: "copying images to and from registries",
  "docker-registry": "the local registry figure",
  prometheus: "checking /api/metrics (promtool)",
};

function toolCheck(name: string, t: ToolFact, essential: boolean): Check {
  const title = `${name} (${t.pkg})`;
  if (!t.path) return { id: `tool:${name}`, title, status: "fail", essential, detail: "not found on PATH", fix: `apt-get install ${t.pkg}` };
  return { id: `tool:${name}`, title, status: "ok", essential, detail: `${t.version ?? "version unknown"} at ${t.path}` };
}

/** Why a runtime could not start a container here, in words; the runtime's own message follows. */
export function explainRuntimeFailure(runtime: "runc" | "crun", mode: CgroupVersion, error: string): string {
  if (runtime === "crun" && mode === "hybrid") {
    return `crun cannot use this host's hybrid cgroup layout (v1 controllers plus a cgroup2 mount); runc can, and crun works on a unified (v2) host. It said: ${error}`;
  }
  return `${runtime} could not start a container: ${error}`;
}

function runtimeCheck(f: DoctorFacts, runtime: "runc" | "crun"): Check {
  const essential = f.configuredRuntime === runtime;
  const trial = f.runtimes[runtime];
  const title = `${runtime} starts a container`;
  if (trial.ok) return { id: `runtime:${runtime}`, title, status: "ok", essential, detail: "a tiny probe container started and was removed" };
  const fix =
    runtime === "crun" && f.cgroup.mode === "hybrid"
      ? "use runc (ISOLAB_OCI_RUNTIME=runc, the default), or boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2"
      : !f.tools[runtime]?.path
        ? `apt-get install ${runtime}`
        : "run as root on a host with the cgroup controllers below; see the runtime's words";
  return {
    id: `runtime:${runtime}`,
    title,
    status: "fail",
    essential,
    detail: explainRuntimeFailure(runtime, f.cgroup.mode, trial.error ?? "unknown error"),
    fix,
  };
}

function cgroupChecks(f: DoctorFacts): Check[] {
  const c = f.cgroup;
  const mode = { v1: "v1 (legacy)", hybrid: "hybrid (v1 controllers + a cgroup2 mount)", v2: "v2 unified" }[c.mode];
  const missingRoot = WANTED_CONTROLLERS.filter((x) => !c.rootControllers.includes(x));
  const missing = REQUIRED_CONTROLLERS.filter((x) => !c.subtreeControllers.includes(x));
  const checks: Check[] = [
    { id: "cgroup:mode", title: "cgroup mode", status: "info", essential: false, detail: mode },
    {
      id: "cgroup:root",
      title: "controllers at the root",
      status: missingRoot.some((x) => x !== "io") ? "fail" : "ok",
      essential: false,
      detail: `${c.rootControllers.filter((x) => (WANTED_CONTROLLERS as readonly string[]).includes(x)).join(", ") || "none"}${missingRoot.length ? `; missing: ${missingRoot.join(", ")}` : ""}`,
      ...(missingRoot.some((x) => x !== "io") ? { fix: "enable the missing controllers in the kernel / boot options (cgroup_enable=…)" } : {}),
    },
    {
      id: "cgroup:subtree",
      title: `controllers for Isolab's containers (${c.parent})`,
      status: missing.length ? "fail" : "ok",
      essential: true,
      detail: `${c.subtreeControllers.filter((x) => (WANTED_CONTROLLERS as readonly string[]).includes(x)).join(", ") || "none"}${missing.length ? `; missing: ${missing.join(", ")}` : ""}`,
      ...(missing.length ? { fix: "run Isolab as the systemd service (npm run install-service) or under `systemd-run --scope -p Delegate=yes …`" } : {}),
    },
  ];
  if (c.mode === "v2") {
    checks.push({
      id: "cgroup:delegation",
      title: "delegated cgroup subtree",
      status: c.delegated ? "ok" : "info",
      essential: false,
      detail: c.placementWhy,
      ...(c.delegated ? {} : { fix: "run it as the service (npm run install-service), or `systemd-run --scope -p Delegate=yes npm start`" }),
    });
  }
  return checks;
}

function accelChecks(f: DoctorFacts): Check[] {
  const a = f.accel;
  const d = a.decision;
  const forcedKvmBroken = a.configured === "kvm" && d?.accel !== "kvm";
  const decisionCheck: Check = d
    ? {
        id: "accel:decision",
        title: "accelerator",
        status: forcedKvmBroken ? "fail" : "ok",
        essential: true,
        detail: `the probe decides ${d.accel} (${d.source === "cache" ? "cached" : "probed now"}): ${d.reason}; ISOLAB_ACCEL=${a.configured}`,
        ...(forcedKvmBroken ? { fix: "KVM does not work here: unset ISOLAB_ACCEL (auto) or set ISOLAB_ACCEL=tcg" } : {}),
      }
    : {
        id: "accel:decision",
        title: "accelerator",
        status: "fail",
        essential: true,
        detail: `the probe could not run: ${a.probeError ?? "unknown"}`,
        fix: "npm run setup (kernel, probe image, QEMU)",
      };
  const flags = [a.cpuFlags.vmx && "vmx", a.cpuFlags.svm && "svm"].filter(Boolean).join(", ");
  return [
    decisionCheck,
    {
      id: "accel:kvm-device",
      title: "/dev/kvm",
      status: a.kvmDeviceError ? "info" : "ok",
      essential: false,
      detail: a.kvmDeviceError ?? "present and opens read-write",
      ...(a.kvmDeviceError ? { fix: "enable virtualization in the firmware and load kvm_intel/kvm_amd; VMs use TCG meanwhile" } : {}),
    },
    {
      id: "accel:cpu",
      title: "CPU virtualization",
      status: "info",
      essential: false,
      detail: `${flags || "no vmx/svm flag"}${a.cpuFlags.hypervisor ? "; this host is itself a guest" : ""}${a.nested ? `; nested=${a.nested}` : ""}${a.pvm ? "; kvm_pvm loaded (nested PVM: /dev/kvm opens but ordinary guests may not boot)" : ""}`,
    },
  ];
}

export function doctorVerdict(f: DoctorFacts): DoctorVerdict {
  const checks: Check[] = [
    nodeSupported(f.nodeVersion)
      ? { id: "node", title: "Node.js", status: "ok", essential: true, detail: f.nodeVersion }
      : { id: "node", title: "Node.js", status: "fail", essential: true, detail: `${f.nodeVersion} is too old`, fix: "install Node 20.9+ or 22+" },
    f.uid === 0
      ? { id: "root", title: "running as root", status: "ok", essential: true, detail: "uid 0" }
      : {
          id: "root",
          title: "running as root",
          status: "fail",
          essential: true,
          detail: `uid ${f.uid}: runc, cgroups and QEMU's sockets need root`,
          fix: "run as root (sudo npm run doctor)",
        },
  ];
  for (const [name, t] of Object.entries(f.tools)) {
    const essential = name === "qemu-system-x86_64" || name === "runc" || name === f.configuredRuntime;
    const c = toolCheck(name, t, essential);
    if (!essential && OPTIONAL_TOOL_USE[name]) c.detail += c.status === "ok" ? "" : ` (needed for ${OPTIONAL_TOOL_USE[name]})`;
    checks.push(c);
  }
  for (const [id, title, a] of [
    ["kernel", "guest kernel", f.kernel],
    ["probe-image", "probe image", f.probeImage],
  ] as const) {
    checks.push(
      a.exists
        ? { id, title, status: "ok", essential: true, detail: a.path }
        : { id, title, status: "fail", essential: true, detail: `missing: ${a.path}`, fix: "npm run setup" },
    );
  }
  for (const h of f.helpers) {
    const title = `${h.name} (${h.neededFor})`;
    checks.push(
      h.exists
        ? { id: `helper:${h.name}`, title, status: "ok", essential: h.essential, detail: h.path }
        : { id: `helper:${h.name}`, title, status: "fail", essential: h.essential, detail: `missing: ${h.path}`, fix: "npm run setup" },
    );
  }
  const libsTitle = "QEMU library stand-ins (each VM's QEMU about 1.8 MiB smaller)";
  checks.push(
    f.qemuLibs.inUse
      ? { id: "qemu-libs", title: libsTitle, status: "ok", essential: false, detail: `${f.qemuLibs.libraries.join(", ")} from ${f.qemuLibs.dir}` }
      : {
          id: "qemu-libs",
          title: libsTitle,
          status: "fail",
          essential: false,
          detail: `VMs load the system's libraries: ${f.qemuLibs.why}`,
          fix: "npm run setup",
        },
  );
  checks.push(...cgroupChecks(f), runtimeCheck(f, "runc"), runtimeCheck(f, "crun"), ...accelChecks(f));
  const freeGiB = (f.disk.freeBytes / GIB).toFixed(1);
  checks.push(
    f.disk.freeBytes >= MIN_FREE_BYTES
      ? { id: "disk", title: "free disk for the state directory", status: "ok", essential: true, detail: `${freeGiB} GiB free at ${f.disk.path}` }
      : {
          id: "disk",
          title: "free disk for the state directory",
          status: "fail",
          essential: true,
          detail: `${freeGiB} GiB free at ${f.disk.path}`,
          fix: `free space or set ISOLAB_STATE_DIR elsewhere (≥ ${MIN_FREE_BYTES / GIB} GiB: snapshots and images)`,
        },
    {
      id: "ksm",
      title: "KSM (same-page merging)",
      status: "info",
      essential: false,
      detail: f.ksm.present ? `present, run=${f.ksm.run ?? "?"}` : "absent (CONFIG_KSM off): VMs share no identical pages",
    },
  );
  checks.push(serviceCheck(f.service));
  return { ok: checks.every((c) => !c.essential || c.status !== "fail"), checks };
}

function serviceCheck(s: DoctorFacts["service"]): Check {
  const base = { id: "service", title: "isolab.service", status: "info" as const, essential: false };
  if (!s) return { ...base, detail: "no systemd here: start Isolab with npm start" };
  if (s.loadState !== "loaded")
    return { ...base, detail: "not installed", fix: "sudo npm run install-service (a systemd service with its own delegated cgroup)" };
  return { ...base, status: s.delegate ? "ok" : "info", detail: `installed, ${s.activeState}, Delegate=${s.delegate ? "yes" : "no"}` };
}

/** The verdict as terminal lines: mark, title, detail, then the fix under each ✗. */
export function verdictText(v: DoctorVerdict): string {
  const lines = v.checks.flatMap((c) => {
    const head = `${STATUS_MARK[c.status]} ${c.title}: ${c.detail}`;
    return c.fix && c.status !== "ok" ? [head, `    fix: ${c.fix}`] : [head];
  });
  const failed = v.checks.filter((c) => c.essential && c.status === "fail").map((c) => c.title);
  lines.push("", v.ok ? "Isolab can run here." : `Isolab cannot run here yet: ${failed.join("; ")}.`);
  return lines.join("\n") + "\n";
}
