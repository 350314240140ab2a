"use client";
import { formatBytes } from "@/lib/format";
import { useHost } from "@/lib/client/use-host";

export function HostCard() {
  const { data: host, error, isLoading } = useHost();
  if (isLoading) return <section className="panel" aria-busy="true">Reading the host…</section>;
  if (error || !host) return <section className="panel error" role="alert">Host facts unavailable: {error?.message}</section>;
  const accel = host.accelerator;
  return (
    <section className="panel" aria-labelledby="host-title">
      <h2 id="host-title" style={{ marginTop: 0 }}>
        Host <span className="muted small mono">{host.hostname}</span>
      </h2>
      <dl className="facts small">
        <dt>CPU</dt>
        <dd>
          {host.cpu.model} · {host.cpu.cores} cores
        </dd>
        <dt>Memory</dt>
        <dd>
          {formatBytes(host.memory.availableBytes)} available of {formatBytes(host.memory.totalBytes)} · swap{" "}
          {host.memory.swapTotalBytes > 0 ? formatBytes(host.memory.swapTotalBytes) : "off"}
        </dd>
        <dt>Kernel</dt>
        <dd className="mono">
          {host.kernelRelease} ({host.os})
        </dd>
        <dt>cgroups</dt>
        <dd>{host.cgroup.version}</dd>
        <dt>OCI runtime</dt>
        <dd>
          {host.runtime.name} {host.runtime.version ?? ""}
          {!host.runtime.available && <span className="error"> — unavailable: {host.runtime.reason}</span>}
        </dd>
        <dt>QEMU</dt>
        <dd>
          {host.qemu.available ? host.qemu.version : <span className="error">unavailable: {host.qemu.reason}</span>}
        </dd>
        <dt>Accelerator</dt>
        <dd data-testid="accelerator">
          {accel ? (
            <>
              <strong>{accel.accel.toUpperCase()}</strong> <span className="muted">— {accel.reason}</span>
            </>
          ) : (
            <span className="muted">not probed yet (decided at the first VM start)</span>
          )}
        </dd>
        <dt>Caps</dt>
        <dd>
          {host.limits.maxInstances} instances, {host.limits.maxMemoryMiB} MiB granted in all
        </dd>
      </dl>
    </section>
  );
}
