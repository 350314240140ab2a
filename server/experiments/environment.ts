import "server-only";
import type { ExperimentEnvironment } from "@/lib/experiments/types";
import type { HostInfo } from "@/lib/core/types";
import { mitigationRecord } from "@/lib/host/mitigations";
import { getHostInfo } from "@/server/host/host-info";
import { hostMitigations } from "@/server/host/mitigations";

/** Host, kernel, CPU, runtime and QEMU versions and the accelerator, as the run starts. */
export async function captureEnvironment(limits: HostInfo["limits"]): Promise<ExperimentEnvironment> {
  const host = await getHostInfo(limits);
  return {
    host,
    accelerator: host.accelerator ? { accel: host.accelerator.accel, reason: host.accelerator.reason } : null,
    mitigations: mitigationRecord(hostMitigations()),
    node: process.version,
    capturedAt: new Date().toISOString(),
  };
}
