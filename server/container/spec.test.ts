import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "@/server/errors";
import {
  ALL_CAPABILITIES,
  assertContainerId,
  buildOciSpec,
  CONTAINER_CAPABILITIES,
  DOCKER_DEFAULT_CAPABILITIES,
  hostnameFor,
  type ContainerSpec,
} from "./spec";

const base: ContainerSpec = {
  id: "ct-1a2b",
  rootfsDir: "/srv/isolab/images/probe/rootfs",
  args: ["/bin/probe", "serve"],
  env: { ISOLAB_INSTANCE: "ct-1a2b" },
  hostname: "web-1",
  memoryMiB: 256,
  cpus: 1.5,
  pidsLimit: 128,
  tmpSizeMiB: 64,
};

describe("buildOciSpec", () => {
  const spec = buildOciSpec(base, { unified: false });

  it("runs the given program non-interactively with PATH and the caller's env", () => {
    expect(spec.process.args).toEqual(["/bin/probe", "serve"]);
    expect(spec.process.terminal).toBe(false);
    expect(spec.process.env).toContain("ISOLAB_INSTANCE=ct-1a2b");
    expect(spec.process.env.some((e) => e.startsWith("PATH=/"))).toBe(true);
    expect(spec.hostname).toBe("web-1");
  });

  it("shares the image rootfs read-only", () => {
    expect(spec.root).toEqual({ path: "/srv/isolab/images/probe/rootfs", readonly: true });
  });

  it("turns memory, cpus and pids into cgroup limits under /isolab/<id>", () => {
    expect(spec.linux.cgroupsPath).toBe("/isolab/ct-1a2b");
    expect(spec.linux.resources.memory).toEqual({ limit: 256 * 2 ** 20, swap: 256 * 2 ** 20 });
    expect(spec.linux.resources.cpu).toEqual({ quota: 150_000, period: 100_000 });
    expect(spec.linux.resources.pids).toEqual({ limit: 128 });
    expect(spec.linux.resources.devices).toEqual([{ allow: false, access: "rwm" }]);
  });

  it("omits the memory limit (swap too) only when asked for none, keeping cpu and pids limits", () => {
    const unlimited = buildOciSpec({ ...base, memoryMiB: null }, { unified: false });
    expect(unlimited.linux.resources.memory).toBeUndefined();
    expect(unlimited.linux.resources.pids).toEqual({ limit: 128 });
    expect(() => buildOciSpec({ ...base, memoryMiB: 0 }, { unified: false })).toThrow(InvalidRequestError);
  });

  it("drops privileges: no new privileges, a small capability set, no ambient caps", () => {
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.capabilities.bounding).toEqual(["CAP_KILL", "CAP_NET_BIND_SERVICE"]);
    expect(spec.process.capabilities).not.toHaveProperty("ambient");
    expect(spec.process.capabilities.effective).toEqual(spec.process.capabilities.bounding);
  });

  it("unshares pid, network, ipc, uts and mount; cgroup only on v2", () => {
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(["ipc", "mount", "network", "pid", "uts"]);
    const v2 = buildOciSpec(base, { unified: true });
    expect(v2.linux.namespaces.map((n) => n.type)).toContain("cgroup");
  });

  it("mounts proc, dev, sys read-only and a size-capped /tmp", () => {
    const byDest = Object.fromEntries(spec.mounts.map((m) => [m.destination, m]));
    expect(Object.keys(byDest)).toEqual(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/tmp"]);
    expect(byDest["/sys"]?.options).toContain("ro");
    expect(byDest["/tmp"]?.options).toContain("size=65536k");
    expect(byDest["/dev/pts"]?.type).toBe("devpts");
  });

  it("masks and write-protects the paths runc does", () => {
    expect(spec.linux.maskedPaths).toEqual(expect.arrayContaining(["/proc/kcore", "/proc/keys", "/sys/firmware"]));
    expect(spec.linux.readonlyPaths).toEqual(expect.arrayContaining(["/proc/sys", "/proc/sysrq-trigger"]));
  });

  it("gives tiny CPU shares a floor runc accepts", () => {
    expect(buildOciSpec({ ...base, cpus: 0.001 }, { unified: false }).linux.resources.cpu.quota).toBe(1000);
  });

  it("does not alias the caller's arrays", () => {
    const args = ["/bin/probe", "serve"];
    const built = buildOciSpec({ ...base, args }, { unified: false });
    args.push("x");
    expect(built.process.args).toEqual(["/bin/probe", "serve"]);
  });

  it.each([[{ rootfsDir: "relative/rootfs" }], [{ args: [] }], [{ memoryMiB: 0 }], [{ cpus: -1 }], [{ hostname: "bad host!" }]])("refuses %j", (patch) => {
    expect(() => buildOciSpec({ ...base, ...patch }, { unified: false })).toThrow(InvalidRequestError);
  });
});

describe("assertContainerId", () => {
  it.each(["ct-1", "a", "0abc", "x".repeat(63)])("accepts %s", (id) => expect(() => assertContainerId(id)).not.toThrow());
  it.each(["", "-ct", "Ct", "ct_1", "../x", "a/b", "x".repeat(64), "ct.1"])("refuses %j", (id) =>
    expect(() => assertContainerId(id)).toThrow(InvalidRequestError),
  );
});

describe("hostnameFor", () => {
  it("uses the instance name when it is a valid hostname, else the id", () => {
    expect(hostnameFor("web-1", "ct-1")).toBe("web-1");
    expect(hostnameFor("my web server", "ct-1")).toBe("ct-1");
    expect(hostnameFor("-x", "ct-1")).toBe("ct-1");
  });
});

describe("confinement in the spec", () => {
  const idMap = { uid: { start: 700_000_000, count: 65536 }, gid: { start: 700_000_000, count: 65536 } };
  const seccomp = { defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, architectures: ["SCMP_ARCH_X86_64"], syscalls: [] };

  it("keeps the capability set inside Docker's default", () => {
    for (const c of CONTAINER_CAPABILITIES) expect(DOCKER_DEFAULT_CAPABILITIES).toContain(c);
  });

  it("adds a user namespace mapping root to the range, and the filter", () => {
    const s = buildOciSpec({ ...base, idMap, seccomp }, { unified: false });
    expect(s.linux.namespaces).toContainEqual({ type: "user" });
    expect(s.linux.uidMappings).toEqual([{ containerID: 0, hostID: 700_000_000, size: 65536 }]);
    expect(s.linux.gidMappings).toEqual([{ containerID: 0, hostID: 700_000_000, size: 65536 }]);
    expect(s.linux.seccomp).toEqual(seccomp);
    expect(s.process.noNewPrivileges).toBe(true);
  });

  it("runs the image's user with its groups; a user other than root holds no capability", () => {
    const s = buildOciSpec({ ...base, user: { uid: 1000, gid: 1000, additionalGids: [29] } }, { unified: false });
    expect(s.process.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [29] });
    expect(s.process.capabilities).toEqual({ bounding: CONTAINER_CAPABILITIES, effective: [], permitted: [] });
  });

  it("privileged: every capability given, no no_new_privs, nothing masked, no namespace of users", () => {
    const s = buildOciSpec({ ...base, privileged: true, privilegedCapabilities: ["CAP_SYS_ADMIN", "CAP_KILL"] }, { unified: false });
    expect(s.process.capabilities.effective).toEqual(["CAP_SYS_ADMIN", "CAP_KILL"]);
    expect(s.process.noNewPrivileges).toBe(false);
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.linux.readonlyPaths).toEqual([]);
    expect(s.linux.namespaces).not.toContainEqual({ type: "user" });
    expect(s.linux.seccomp).toBeUndefined();
    expect(buildOciSpec({ ...base, privileged: true }, { unified: false }).process.capabilities.bounding).toEqual(ALL_CAPABILITIES);
  });

  it("refuses a privileged spec that also asks for confinement, and a relative or climbing cwd", () => {
    expect(() => buildOciSpec({ ...base, privileged: true, idMap }, { unified: false })).toThrow(InvalidRequestError);
    expect(() => buildOciSpec({ ...base, cwd: "srv" }, { unified: false })).toThrow(/absolute/);
    expect(() => buildOciSpec({ ...base, cwd: "/srv/../.." }, { unified: false })).toThrow(/absolute/);
  });
});
