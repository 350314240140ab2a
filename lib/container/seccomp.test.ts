import { describe, expect, it } from "vitest";
import { goArchOf, kernelAtLeast, toOciSeccomp } from "./seccomp";

const target = { goArch: "amd64", caps: ["CAP_KILL", "CAP_NET_BIND_SERVICE"], kernelRelease: "6.1.0-18-amd64" };

const profile = {
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 38,
  archMap: [
    { architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
    { architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"] },
  ],
  syscalls: [
    { names: ["read", "write"], action: "SCMP_ACT_ALLOW", args: [], includes: {}, excludes: {} },
    { names: ["arch_prctl"], action: "SCMP_ACT_ALLOW", includes: { arches: ["amd64", "x32"] }, excludes: {} },
    { names: ["cacheflush"], action: "SCMP_ACT_ALLOW", includes: { arches: ["arm", "arm64"] } },
    { names: ["setns"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN"] } },
    { names: ["setns"], action: "SCMP_ACT_ERRNO", errnoRet: 1, excludes: { caps: ["CAP_SYS_ADMIN"] } },
    { names: ["kill"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_KILL", "CAP_NET_BIND_SERVICE"] } },
    { names: ["kcmp"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_KILL", "CAP_SYS_PTRACE"] } },
    { names: ["newer"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "6.2" } },
    { names: ["older"], action: "SCMP_ACT_ALLOW", excludes: { minKernel: "5.10" } },
    { names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 4294967295, valueTwo: 0, op: "SCMP_CMP_EQ" }] },
  ],
};

describe("toOciSeccomp", () => {
  const oci = toOciSeccomp(profile, target);
  const names = oci.syscalls.flatMap((s) => s.names);

  it("keeps the default action and its errno (ENOSYS, so glibc falls back instead of failing)", () => {
    expect(oci.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(oci.defaultErrnoRet).toBe(38);
  });

  it("lists the native arch and its sub-architectures from archMap", () => {
    expect(oci.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(toOciSeccomp(profile, { ...target, goArch: "arm64" }).architectures).toEqual(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
  });

  it("honours arch conditions", () => {
    expect(names).toContain("arch_prctl");
    expect(names).not.toContain("cacheflush");
  });

  it("honours cap conditions against the container's own set: every included cap, no excluded one", () => {
    expect(oci.syscalls.filter((s) => s.names.includes("setns"))).toEqual([{ names: ["setns"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }]);
    expect(names).toContain("kill");
    expect(names).not.toContain("kcmp");
    const admin = toOciSeccomp(profile, { ...target, caps: [...target.caps, "CAP_SYS_ADMIN"] });
    expect(admin.syscalls.filter((s) => s.names.includes("setns"))).toEqual([{ names: ["setns"], action: "SCMP_ACT_ALLOW" }]);
  });

  it("honours minKernel on both sides", () => {
    expect(names).not.toContain("newer");
    expect(names).not.toContain("older");
    const old = toOciSeccomp(profile, { ...target, kernelRelease: "5.4.0" }).syscalls.flatMap((s) => s.names);
    expect(old).toContain("older");
    expect(toOciSeccomp(profile, { ...target, kernelRelease: "6.18.44-fc" }).syscalls.flatMap((s) => s.names)).toContain("newer");
  });

  it("keeps argument conditions, dropping empty lists and zero valueTwo", () => {
    expect(oci.syscalls[0]).toEqual({ names: ["read", "write"], action: "SCMP_ACT_ALLOW" });
    expect(oci.syscalls.at(-1)).toEqual({ names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 4294967295, op: "SCMP_CMP_EQ" }] });
  });

  it("refuses what it cannot read", () => {
    expect(() => toOciSeccomp({ defaultAction: "ALLOW", syscalls: [] }, target)).toThrow();
    expect(() => toOciSeccomp({ ...profile, syscalls: [{ names: [], action: "SCMP_ACT_ALLOW" }] }, target)).toThrow(/names no syscall/);
    expect(() => toOciSeccomp(profile, { ...target, goArch: "sparc" })).toThrow(/sparc/);
  });
});

describe("kernelAtLeast / goArchOf", () => {
  it.each([
    ["6.1.0-18-amd64", "4.8", true],
    ["4.8.0", "4.8", true],
    ["4.7.10", "4.8", false],
    ["10.0", "9.99", true],
  ])("%s ≥ %s is %s", (rel, min, want) => expect(kernelAtLeast(rel, min)).toBe(want));
  it("maps Node's arch names to Go's", () => {
    expect(goArchOf("x64")).toBe("amd64");
    expect(goArchOf("arm64")).toBe("arm64");
  });
});
