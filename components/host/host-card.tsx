"use client";
import { DownloadLinks } from "@/components/metrics/download-links";
import { Sparkline } from "@/components/metrics/sparkline";
import { useWindowS } from "@/components/metrics/window-context";
import { formatBytes, formatMs, formatPercent } from "@/lib/core/format";
import type { VmPoolInfo } from "@/lib/core/types";
import { useHost } from "@/client/use-host";
import { useSamplesSnapshot } from "@/client/use-samples";

export function HostCard() {
  const { data: host, error, isLoading } = useHost();
  const windowS = useWindowS();
  const snapshot = useSamplesSnapshot(windowS);
  if (isLoading)
    return (
      <section className="panel" aria-busy="true">
        Reading the host…
      </section>
    );
  if (error || !host)
    return (
      <section className="panel error" role="alert">
        Host facts unavailable: {error?.message}
      </section>
    );
  const accel = host.accelerator;
  const hostSamples = snapshot.data?.host ?? [];
  const live = hostSamples.at(-1);
  const sampler = snapshot.data?.sampler;
  return (
    <section className="panel" aria-labelledby="host-title">
      <h2 id="host-title" style={{ marginTop: 0 }}>
        Host <span className="muted small mono">{host.hostname}</span>
      </h2>
      <div className="host-grid">
        <dl className="facts small">
          <dt>CPU</dt>
          <dd>
            {host.cpu.model} · {host.cpu.cores} cores
            {live?.cpuPercent != null && (
              <>
                {" "}
                · <strong data-testid="host-cpu">{formatPercent(live.cpuPercent)}</strong> busy
              </>
            )}
          </dd>
          <dt>Memory</dt>
          <dd data-testid="host-memory">
            {formatBytes(live?.memAvailableBytes ?? host.memory.availableBytes)} available of {formatBytes(live?.memTotalBytes ?? host.memory.totalBytes)} ·
            swap {host.memory.swapTotalBytes > 0 ? formatBytes(host.memory.swapTotalBytes) : "off"}
          </dd>
          {host.vmPool && <VmPoolRow pool={host.vmPool} />}
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
          <dd>{host.qemu.available ? host.qemu.version : <span className="error">unavailable: {host.qemu.reason}</span>}</dd>
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
          <dt>Sampler</dt>
          <dd data-testid="sampler-cost">
            {sampler && sampler.ticks > 0 ? (
              <>
                {formatMs(sampler.meanTickCpuMs)} CPU per tick · {formatPercent(sampler.cpuPercentOfCore)} of one core · {sampler.instancesSampled} instance
                {sampler.instancesSampled === 1 ? "" : "s"} every {sampler.intervalMs / 1000} s, guest view every {sampler.guestIntervalMs / 1000} s
              </>
            ) : snapshot.error ? (
              <span className="error">unavailable: {snapshot.error.message}</span>
            ) : (
              <span className="muted">starting…</span>
            )}
          </dd>
        </dl>
        <div className="stack" style={{ gap: "0.25rem" }}>
          <Sparkline
            testId="host-cpu-spark"
            label="Host CPU (all cores)"
            points={hostSamples.map((s) => ({ t: s.t, v: s.cpuPercent }))}
            format={formatPercent}
            color="var(--accent)"
            loading={snapshot.isLoading}
          />
          <Sparkline
            testId="host-memory-spark"
            label="Host memory used"
            points={hostSamples.map((s) => ({ t: s.t, v: s.memTotalBytes - s.memAvailableBytes }))}
            format={formatBytes}
            color="var(--accent)"
            loading={snapshot.isLoading}
          />
          {hostSamples.length > 0 && <DownloadLinks id={null} name="host" windowS={windowS} />}
        </div>
      </div>
    </section>
  );
}

/** The warm pool's standing cost: waiting QEMUs hold memory whether or not anyone launches. */
function VmPoolRow({ pool }: { pool: VmPoolInfo }) {
  const pss = pool.slots.reduce((sum, s) => sum + s.pssBytes, 0);
  const waiting = pool.slots.reduce((sum, s) => sum + s.waiting, 0);
  return (
    <>
      <dt>VM pool</dt>
      <dd data-testid="vm-pool" title="PSS of the pool's waiting QEMUs, from their /proc/<pid>/smaps_rollup, read when this card loaded">
        {pool.size === 0
          ? "off (ISOLAB_VM_POOL_SIZE=0)"
          : `${waiting} QEMU${waiting === 1 ? "" : "s"} waiting (${pool.size} per templated machine) · costs ${formatBytes(pss)} PSS now`}
        {pool.slots
          .filter((s) => s.lastError)
          .map((s) => (
            <div key={s.image + s.memoryMiB} className="error small">
              {s.image} {s.memoryMiB} MiB: {s.lastError}
            </div>
          ))}
      </dd>
    </>
  );
}
