import type { ExperimentEnvironment } from "@/lib/experiments/types";
import { formatBytes } from "@/lib/core/format";
import { AccelBadge } from "./accel-badge";

/** The machine and software the numbers came from; absolute times mean nothing without it. */
export function EnvironmentFacts({ env }: { env: ExperimentEnvironment | null }) {
  if (!env) return <p className="muted">The environment was not captured (the run ended before it started).</p>;
  const h = env.host;
  return (
    <dl className="facts small" aria-label="Environment">
      <dt>Host</dt>
      <dd>
        {h.hostname} · {h.os}
      </dd>
      <dt>Kernel</dt>
      <dd className="mono">{h.kernelRelease}</dd>
      <dt>CPU</dt>
      <dd>
        {h.cpu.model} · {h.cpu.cores} cores
      </dd>
      <dt>Memory</dt>
      <dd>{formatBytes(h.memory.totalBytes)}</dd>
      <dt>cgroups</dt>
      <dd>{h.cgroup.version}</dd>
      <dt>OCI runtime</dt>
      <dd>{h.runtime.available ? `${h.runtime.name} — ${h.runtime.version ?? "version unknown"}` : `${h.runtime.name} unavailable: ${h.runtime.reason}`}</dd>
      <dt>QEMU</dt>
      <dd>{h.qemu.available ? h.qemu.version : `unavailable: ${h.qemu.reason}`}</dd>
      <dt>Accelerator</dt>
      <dd data-testid="experiment-accelerator">
        {env.accelerator ? (
          <>
            <AccelBadge accel={env.accelerator.accel} /> <span className="muted">— {env.accelerator.reason}</span>
          </>
        ) : (
          <span className="muted">no VM ran in this experiment</span>
        )}
      </dd>
      <dt>Mitigations</dt>
      <dd data-testid="experiment-mitigations">
        {env.mitigations ? (
          `host ${env.mitigations.hostSummary}; guests booted with mitigations=${env.mitigations.guest}`
        ) : (
          <span className="muted">not recorded in this run</span>
        )}
      </dd>
      <dt>Node.js</dt>
      <dd className="mono">{env.node}</dd>
      <dt>Captured</dt>
      <dd>{new Date(env.capturedAt).toLocaleString()}</dd>
    </dl>
  );
}
