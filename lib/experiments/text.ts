import { resultText } from "@/lib/experiments/registry";
import { accelLabel, type ExperimentRecord } from "@/lib/experiments/types";

// A record as plain-text tables for a terminal (`npm run experiment`); each
// type's tables come from its folder through the registry.

export function recordText(rec: ExperimentRecord): string {
  const out: string[] = [`${rec.type} experiment ${rec.id}: ${rec.status}${rec.error ? ` — ${rec.error}` : ""}`];
  const env = rec.environment;
  if (env) {
    out.push(
      `host ${env.host.hostname} · ${env.host.cpu.model} (${env.host.cpu.cores} cores) · kernel ${env.host.kernelRelease} · ${env.host.runtime.name} ${env.host.runtime.version ?? "?"} · ${env.host.qemu.version ?? "no QEMU"}`,
    );
    if (env.accelerator) out.push(`accelerator: ${accelLabel(env.accelerator.accel)} (${env.accelerator.reason})`);
  }
  out.push("");
  const r = rec.result;
  if (r) {
    for (const s of r.skipped) out.push(`skipped ${s.kind}: ${s.reason}`);
    if (r.skipped.length) out.push("");
    out.push(...resultText(r));
  } else out.push("no results");
  return out.join("\n");
}
