import { describe, expect, it } from "vitest";
import { doctorVerdict, explainRuntimeFailure, nodeSupported, verdictText, type Check, type DoctorFacts } from "./doctor";

const tool = (pkg: string, version = "1.0") => ({ pkg, path: `/usr/bin/${pkg}`, version });

/** A v2 host under systemd where everything works: each case changes one fact. */
function healthy(): DoctorFacts {
  return {
    nodeVersion: "v22.11.0",
    uid: 0,
    tools: { "qemu-system-x86_64": tool("qemu-system-x86", "QEMU emulator version 8.2.2"), runc: tool("runc"), crun: tool("crun"), umoci: tool("umoci") },
    kernel: { path: "/d/kernel/vmlinux", exists: true },
    probeImage: { path: "/d/images/probe", exists: true },
    helpers: [
      { name: "isolab-shim", path: "/d/bin/isolab-shim", exists: true, neededFor: "containers", essential: true },
      { name: "isolab-nothp", path: "/d/bin/isolab-nothp", exists: true, neededFor: "templated and pooled VMs", essential: false },
    ],
    qemuLibs: { inUse: true, dir: "/d/lib/qemu", libraries: ["libcapstone.so.4", "libpmem.so.1"] },
    cgroup: {
      mode: "v2",
      rootControllers: ["cpuset", "cpu", "io", "memory", "pids"],
      subtreeControllers: ["cpu", "io", "memory", "pids"],
      parent: "/system.slice/isolab.service/isolab",
      placementWhy: "/system.slice/isolab.service is delegated to Isolab: containers go under it",
      delegated: true,
      ownCgroup: "/system.slice/isolab.service/supervisor",
    },
    configuredRuntime: "runc",
    runtimes: { runc: { ok: true }, crun: { ok: true } },
    accel: {
      configured: "auto",
      decision: { accel: "kvm", reason: "a KVM guest reached READY in 210 ms", source: "cache" },
      kvmDeviceError: null,
      cpuFlags: { vmx: true, svm: false, hypervisor: false },
      nested: "Y",
      pvm: false,
    },
    disk: { path: "/var/lib/isolab", freeBytes: 50 * 2 ** 30 },
    ksm: { present: true, run: "0" },
    service: { loadState: "loaded", activeState: "active", delegate: true },
  };
}

const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

describe("nodeSupported", () => {
  it.each([
    ["v20.8.0", false],
    ["v20.9.0", true],
    ["v21.7.3", false],
    ["v22.0.0", true],
    ["v24.1.0", true],
    ["v18.19.0", false],
  ])("%s → %s", (v, ok) => expect(nodeSupported(v)).toBe(ok));
});

describe("doctorVerdict", () => {
  it("passes a healthy v2 host with every check ✓ or –", () => {
    const v = doctorVerdict(healthy());
    expect(v.ok).toBe(true);
    expect(v.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(byId(v.checks, "cgroup:delegation")).toMatchObject({ status: "ok" });
  });

  type Case = [string, (f: DoctorFacts) => void, string, boolean, RegExp];
  it.each<Case>([
    ["old Node", (f) => (f.nodeVersion = "v18.20.0"), "node", false, /Node 20\.9\+ or 22\+/],
    ["not root", (f) => (f.uid = 1000), "root", false, /sudo npm run doctor/],
    ["no QEMU", (f) => (f.tools["qemu-system-x86_64"].path = null), "tool:qemu-system-x86_64", false, /apt-get install qemu-system-x86/],
    ["no umoci (optional)", (f) => (f.tools.umoci.path = null), "tool:umoci", true, /apt-get install umoci/],
    ["no kernel", (f) => (f.kernel.exists = false), "kernel", false, /npm run setup/],
    ["no probe image", (f) => (f.probeImage.exists = false), "probe-image", false, /npm run setup/],
    ["no container shim", (f) => (f.helpers[0].exists = false), "helper:isolab-shim", false, /npm run setup/],
    ["no isolab-nothp (templated VMs only)", (f) => (f.helpers[1].exists = false), "helper:isolab-nothp", true, /npm run setup/],
    [
      "QEMU library stand-ins checked against another QEMU (every VM still runs)",
      (f) => (f.qemuLibs = { inUse: false, dir: "/d/lib/qemu", why: "they were checked against another QEMU" }),
      "qemu-libs",
      true,
      /npm run setup/,
    ],
    ["runc cannot start a container", (f) => (f.runtimes.runc = { ok: false, error: "permission denied" }), "runtime:runc", false, /root/],
    ["crun fails while runc is configured", (f) => (f.runtimes.crun = { ok: false, error: "boom" }), "runtime:crun", true, /.+/],
    ["crun fails and is configured", (f) => ((f.configuredRuntime = "crun"), (f.runtimes.crun = { ok: false, error: "boom" })), "runtime:crun", false, /.+/],
    ["no memory controller for the subtree", (f) => (f.cgroup.subtreeControllers = ["cpu", "pids"]), "cgroup:subtree", false, /install-service|Delegate=yes/],
    [
      "forced kvm that does not work",
      (f) => ((f.accel.configured = "kvm"), (f.accel.decision = { accel: "tcg", reason: "KVM guest failed", source: "probe" })),
      "accel:decision",
      false,
      /ISOLAB_ACCEL=tcg/,
    ],
    ["the probe could not run", (f) => ((f.accel.decision = null), (f.accel.probeError = "no QEMU")), "accel:decision", false, /npm run setup/],
    ["a nearly full disk", (f) => (f.disk.freeBytes = 2 ** 29), "disk", false, /ISOLAB_STATE_DIR/],
  ])("%s", (_, change, id, stillOk, fix) => {
    const f = healthy();
    change(f);
    const v = doctorVerdict(f);
    expect(byId(v.checks, id)).toMatchObject({ status: "fail", fix: expect.stringMatching(fix) });
    expect(v.ok).toBe(stillOk);
  });

  it("auto falling back to TCG is fine: VMs still run", () => {
    const f = healthy();
    f.accel.decision = { accel: "tcg", reason: "/dev/kvm is missing (no KVM on this host)", source: "probe" };
    f.accel.kvmDeviceError = "/dev/kvm is missing (no KVM on this host)";
    const v = doctorVerdict(f);
    expect(v.ok).toBe(true);
    expect(byId(v.checks, "accel:decision").detail).toMatch(/decides tcg \(probed now\): \/dev\/kvm is missing/);
    expect(byId(v.checks, "accel:kvm-device")).toMatchObject({ status: "info", fix: expect.stringMatching(/kvm_intel/) });
  });

  it("on a v2 session scope without delegation says how to get it, without failing", () => {
    const f = healthy();
    f.cgroup = { ...f.cgroup, delegated: false, parent: "/isolab", ownCgroup: "/user.slice/user-0.slice/session-3.scope", placementWhy: "not delegated" };
    const v = doctorVerdict(f);
    expect(v.ok).toBe(true);
    expect(byId(v.checks, "cgroup:delegation")).toMatchObject({ status: "info", fix: expect.stringMatching(/systemd-run --scope -p Delegate=yes/) });
  });

  it("explains crun on a hybrid host in words and points at runc", () => {
    const f = healthy();
    f.cgroup.mode = "hybrid";
    f.runtimes.crun = { ok: false, error: "cgroups in hybrid mode not supported" };
    const c = byId(doctorVerdict(f).checks, "runtime:crun");
    expect(c.detail).toMatch(/^crun cannot use this host's hybrid cgroup layout .*runc can.*cgroups in hybrid mode not supported$/);
    expect(c.fix).toMatch(/ISOLAB_OCI_RUNTIME=runc/);
    expect(explainRuntimeFailure("runc", "hybrid", "x")).toBe("runc could not start a container: x");
    expect(doctorVerdict(f).checks.some((x) => x.id === "cgroup:delegation")).toBe(false);
  });
});

describe("the service line", () => {
  it.each<[DoctorFacts["service"], string, RegExp | undefined]>([
    [{ loadState: "loaded", activeState: "active", delegate: true }, "installed, active, Delegate=yes", undefined],
    [{ loadState: "not-found", activeState: "inactive", delegate: false }, "not installed", /npm run install-service/],
    [null, "no systemd here: start Isolab with npm start", undefined],
  ])("%j", (service, detail, fix) => {
    const f = healthy();
    f.service = service;
    const v = doctorVerdict(f);
    expect(byId(v.checks, "service")).toMatchObject({ detail, essential: false, ...(fix ? { fix: expect.stringMatching(fix) } : {}) });
    expect(v.ok).toBe(true);
  });
});

describe("verdictText", () => {
  it("prints one marked line per check, the fix under each ✗, and the outcome", () => {
    const f = healthy();
    f.uid = 1000;
    const text = verdictText(doctorVerdict(f));
    expect(text).toMatch(/^✓ Node.js: v22\.11\.0$/m);
    expect(text).toMatch(/^✗ running as root: uid 1000.*\n {4}fix: run as root/m);
    expect(text).toMatch(/^– cgroup mode: v2 unified$/m);
    expect(text.trimEnd().split("\n").at(-1)).toBe("Isolab cannot run here yet: running as root.");
  });
});
