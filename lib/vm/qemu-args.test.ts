import { describe, expect, it } from "vitest";
import { buildDefaultBootArgs, buildQemuArgs, checkUnixSocketPath, escapeOptionValue, kernelCommandLine, type QemuSpec } from "./qemu-args";

const spec: QemuSpec = {
  memoryMiB: 128,
  cpus: 1,
  accel: "tcg",
  kernel: "/d/kernel/vmlinux",
  initrd: "/d/images/probe/initramfs.cpio",
  hostname: "vm-1",
  consoleLog: "/s/i/abc/console.log",
  qmpSocket: "/s/i/abc/qmp.sock",
  agentSocket: "/s/i/abc/agent.sock",
  pidfile: "/s/i/abc/qemu.pid",
  bios: "/usr/share/qemu/qboot.rom",
};

/** The value following `flag`, for every occurrence. */
const values = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe("buildQemuArgs", () => {
  it("builds the tuned TCG boot as an argument array", () => {
    const args = buildQemuArgs(spec);
    expect(values(args, "-accel")).toEqual(["tcg,tb-size=64"]);
    expect(args).toEqual(expect.arrayContaining(["-nodefaults", "-no-user-config", "-no-reboot"]));
    expect(values(args, "-display")).toEqual(["none"]);
    // Confined: QEMU's seccomp filter, with set*uid, fork/exec and obsolete syscalls denied.
    expect(values(args, "-sandbox")).toEqual(["on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"]);
    expect(values(args, "-m")).toEqual(["128"]);
    expect(values(args, "-smp")).toEqual(["1"]);
    expect(values(args, "-kernel")).toEqual(["/d/kernel/vmlinux"]);
    expect(values(args, "-initrd")).toEqual(["/d/images/probe/initramfs.cpio"]);
    expect(values(args, "-bios")).toEqual(["/usr/share/qemu/qboot.rom"]);
    expect(values(args, "-pidfile")).toEqual(["/s/i/abc/qemu.pid"]);
    expect(args).not.toContain("-incoming");
    expect(args.some((a) => /server=on|wait=/.test(a))).toBe(false);
  });

  it("puts the console on ttyS0 (a file) and the agent on ttyS1 (a socket QEMU connects to)", () => {
    const args = buildQemuArgs(spec);
    expect(values(args, "-chardev")).toEqual([
      "file,id=con,path=/s/i/abc/console.log",
      "socket,id=agent,path=/s/i/abc/agent.sock",
      "socket,id=qmp,path=/s/i/abc/qmp.sock",
    ]);
    // -serial order is the ttyS order.
    expect(values(args, "-serial")).toEqual(["chardev:con", "chardev:agent"]);
    expect(values(args, "-mon")).toEqual(["chardev=qmp,mode=control"]);
  });

  it("passes the tuned kernel line with hostname and extra args last", () => {
    const [append] = values(buildQemuArgs({ ...spec, extraKernelArgs: ["loglevel=7"] }), "-append");
    expect(append.split(" ").slice(0, 3)).toEqual(["console=ttyS0", "quiet", "panic=-1"]);
    expect(append).toContain("8250.nr_uarts=2");
    expect(append.endsWith("isolab.hostname=vm-1 loglevel=7")).toBe(true);
  });

  it("uses kvm with the host CPU model when asked", () => {
    const args = buildQemuArgs({ ...spec, accel: "kvm", cpus: 2 });
    expect(values(args, "-accel")).toEqual(["kvm"]);
    expect(values(args, "-cpu")).toEqual(["host"]);
    expect(values(args, "-smp")).toEqual(["2"]);
  });

  it("adds -incoming for a restore and -name when given", () => {
    const args = buildQemuArgs({ ...spec, incoming: "exec:cat /s/snap.bin", name: "isolab-abc" });
    expect(values(args, "-incoming")).toEqual(["exec:cat /s/snap.bin"]);
    expect(values(args, "-name")).toEqual(["isolab-abc"]);
  });

  it("doubles commas inside chardev paths", () => {
    expect(escapeOptionValue("/a,b/c")).toBe("/a,,b/c");
    const args = buildQemuArgs({ ...spec, consoleLog: "/s/x,y/console.log" });
    expect(values(args, "-chardev")[0]).toBe("file,id=con,path=/s/x,,y/console.log");
  });

  it.each([
    [{ memoryMiB: 16 }, /memoryMiB/],
    [{ cpus: 0 }, /cpus/],
    [{ hostname: "bad name" }, /hostname/],
    [{ init: "init quiet" }, /init path/],
    [{ extraKernelArgs: ["a b"] }, /one non-empty word/],
    [{ qmpSocket: `/${"x".repeat(120)}/qmp.sock` }, /108|107-byte/],
  ])("refuses %j", (patch, message) => {
    expect(() => buildQemuArgs({ ...spec, ...patch })).toThrow(message);
  });
});

describe("buildQemuArgs per accelerator", () => {
  // KVM runs the guest on the host CPU: no translation cache to size, no MTTCG
  // threads. TCG emulates one: `-cpu host` and the kvm accelerator do not exist there.
  const TCG_ONLY = /tb-size|thread=|one-insn-per-tb|split-wx/;
  const KVM_ONLY = /^(kvm|host)$|kernel-irqchip|kvm-shadow-mem|dirty-ring/;
  it.each([
    { accel: "kvm" as const, accelArg: "kvm", cpu: ["host"], forbidden: TCG_ONLY },
    { accel: "tcg" as const, accelArg: "tcg,tb-size=64", cpu: [], forbidden: KVM_ONLY },
  ])("$accel: -accel $accelArg, -cpu $cpu and none of the other's options", ({ accel, accelArg, cpu, forbidden }) => {
    const args = buildQemuArgs({ ...spec, accel });
    expect(values(args, "-accel")).toEqual([accelArg]);
    expect(values(args, "-cpu")).toEqual(cpu);
    const options = args.filter((a, i) => i > 0 && ["-accel", "-cpu", "-machine"].includes(args[i - 1]));
    expect(options.flatMap((o) => o.split(",")).filter((o) => forbidden.test(o))).toEqual([]);
    // The rest of the machine is the same: only the accelerator changes what is measured.
    const strip = (a: string[]) => a.filter((_, i) => !["-accel", "-cpu"].includes(a[i]) && !["-accel", "-cpu"].includes(a[i - 1]));
    expect(strip(args)).toEqual(strip(buildQemuArgs({ ...spec, accel: accel === "kvm" ? "tcg" : "kvm" })));
  });
});

describe("checkUnixSocketPath", () => {
  it("accepts 107 bytes and refuses 108", () => {
    expect(() => checkUnixSocketPath("/" + "a".repeat(106))).not.toThrow();
    expect(() => checkUnixSocketPath("/" + "a".repeat(107))).toThrow(/108 bytes, over the 107-byte limit/);
  });
});

describe("kernelCommandLine", () => {
  it("omits the hostname when none is given", () => {
    expect(kernelCommandLine({})).not.toContain("isolab.hostname");
  });

  it("sets no mitigations= of its own (the guest kernel's default) and passes the one it is given", () => {
    expect(kernelCommandLine({})).not.toContain("mitigations=");
    expect(
      kernelCommandLine({ extraKernelArgs: ["mitigations=off"] })
        .split(" ")
        .filter((w) => w.startsWith("mitigations=")),
    ).toEqual(["mitigations=off"]);
  });

  it.each([
    [undefined, "rdinit=/init"],
    ["/.isolab/init", "rdinit=/.isolab/init"],
  ])("init %s boots %s, once", (init, expected) => {
    const words = kernelCommandLine({ init })
      .split(" ")
      .filter((w) => w.startsWith("rdinit="));
    expect(words).toEqual([expected]);
  });
});

describe("buildDefaultBootArgs", () => {
  it("is the untuned boot: bzImage, default machine and firmware, console=ttyS0 only", () => {
    const args = buildDefaultBootArgs({
      memoryMiB: 128,
      kernel: "/d/kernel/bzImage",
      initrd: "/d/i.cpio",
      consoleLog: "/t/c.log",
      agentSocket: "/t/a.sock",
    });
    expect(values(args, "-append")).toEqual(["console=ttyS0"]);
    expect(values(args, "-kernel")).toEqual(["/d/kernel/bzImage"]);
    expect(values(args, "-accel")).toEqual(["tcg"]);
    for (const tuned of ["-machine", "-bios", "-nodefaults", "-cpu", "-smp", "-mon"]) expect(args).not.toContain(tuned);
    expect(values(args, "-serial")).toEqual(["file:/t/c.log", "chardev:agent"]);
  });
});
