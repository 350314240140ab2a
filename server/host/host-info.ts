import "server-only";
import os from "node:os";
import si from "systeminformation";
import type { HostInfo } from "@/lib/core/types";
import { config } from "@/server/config";
import { runCommand } from "@/server/host/run-command";
import { hostCgroupVersion } from "@/server/container/cgroup";
import { knownAccelerator } from "@/server/vm/accel";

// Facts about the host every figure was measured on. Versions are read once
// per process: they do not change under a running server.
let versions: Promise<Pick<HostInfo, "runtime" | "qemu">> | undefined;

async function readVersion(file: string, args: string[]): Promise<{ version?: string; available: boolean; reason?: string }> {
  try {
    const r = await runCommand(file, args, { timeoutMs: 5000 });
    if (r.exitCode !== 0) return { available: false, reason: `${file} ${args.join(" ")} exited with ${r.exitCode}` };
    // "runc version 1.1.5+ds1" → "1.1.5+ds1"; QEMU's first line keeps its distribution note.
    const first = r.output.split("\n")[0].trim();
    return { available: true, version: first.replace(/^(runc|crun) version /, "") };
  } catch {
    return { available: false, reason: `${file} is not installed; run \`npm run setup\`` };
  }
}

export async function getHostInfo(limits: HostInfo["limits"]): Promise<HostInfo> {
  versions ??= Promise.all([readVersion(config.ociRuntime, ["--version"]), readVersion(config.qemuBinary, ["--version"])]).then(([runtime, qemu]) => ({
    runtime: { name: config.ociRuntime, ...runtime },
    qemu,
  }));
  const [mem, cpu, osInfo, v] = await Promise.all([si.mem(), si.cpu(), si.osInfo(), versions]);
  return {
    hostname: os.hostname(),
    os: `${osInfo.distro} ${osInfo.release}`.trim(),
    kernelRelease: os.release(),
    cpu: { model: `${cpu.manufacturer} ${cpu.brand}`.trim(), cores: cpu.cores },
    memory: { totalBytes: mem.total, availableBytes: mem.available, swapTotalBytes: mem.swaptotal },
    cgroup: { version: hostCgroupVersion() },
    ...v,
    accelerator: knownAccelerator(),
    limits,
    measuredAt: new Date().toISOString(),
  };
}
