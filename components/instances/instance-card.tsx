"use client";
import { START_MODE_WORDS } from "@/lib/core/kinds";
import Link from "next/link";
import { DownloadLinks } from "@/components/metrics/download-links";
import { Sparkline } from "@/components/metrics/sparkline";
import { useWindowS } from "@/components/metrics/window-context";
import { useInstanceSamples } from "@/client/use-samples";
import { formatBytes, formatPercent } from "@/lib/core/format";
import type { InstanceSample } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import { InstanceActions } from "./instance-actions";
import { PrivilegedBadge } from "./privileged-badge";
import { StartupPhases } from "./startup-phases";

export const HOST_MEMORY_LABEL: Record<Instance["kind"], string> = {
  process: "Memory (PSS)",
  container: "Memory (cgroup)",
  vm: "Memory (QEMU PSS)",
};

export function InstanceCard({ instance }: { instance: Instance }) {
  const windowS = useWindowS();
  const samples = useInstanceSamples(instance.id, windowS);
  const points = samples.data?.samples ?? [];
  const latest = points.at(-1);
  const ended = instance.state === "exited" || instance.state === "failed" || instance.state === "stopped";
  return (
    <article
      className={`card stack${instance.privileged ? " privileged" : ""}`}
      aria-label={`${instance.kind} ${instance.name}`}
      data-testid={`instance-${instance.name}`}
    >
      <div className="row" style={{ justifyContent: "space-between" }}>
        <Link href={`/instances/${instance.id}`} className="mono" aria-label={`Open ${instance.name}`}>
          {instance.name}
        </Link>
        <span className={`badge state-${instance.state}`} data-testid="state">
          {instance.state}
        </span>
      </div>
      <div className="muted small">
        {instance.image} · {instance.memoryMiB} MiB{instance.kind === "process" ? " (not enforced)" : ""} · {instance.cpus} CPU
        {instance.cpus > 1 ? "s" : ""}
        {instance.accel ? ` · ${instance.accel.toUpperCase()}` : ""}
        {instance.runtime ? ` · ${instance.runtime}` : ""}
        {instance.startMode && instance.startMode !== "cold" ? ` · ${START_MODE_WORDS[instance.startMode]}` : ""}
        {instance.privileged && (
          <>
            {" · "}
            <PrivilegedBadge instance={instance} />
          </>
        )}
        {instance.probe === false && (
          <>
            {" · "}
            <span className="badge" title="Its image has no /bin/probe: no guest view, no commands inside" data-testid="no-probe">
              no probe
            </span>
          </>
        )}
      </div>
      {instance.startup && <StartupPhases startup={instance.startup} />}
      {instance.reason && instance.state !== "running" && (
        <div className={`small ${instance.state === "failed" || instance.state === "exited" ? "error" : "muted"}`} data-testid="reason">
          {instance.state === "exited" ? "Exited: " : ""}
          {instance.reason}
        </div>
      )}
      {instance.state !== "creating" && instance.state !== "failed" && (
        <div className="sparks" data-testid="charts">
          {samples.error ? (
            <div className="error small" role="alert">
              Samples unavailable: {samples.error.message}
            </div>
          ) : (
            <>
              <Sparkline
                testId="cpu-spark"
                label="CPU (% of one core)"
                points={points.map((s) => ({ t: s.t, v: s.cpuPercent }))}
                format={formatPercent}
                color={`var(--kind-${instance.kind})`}
                loading={samples.isLoading}
              />
              <Sparkline
                testId="memory-spark"
                label={HOST_MEMORY_LABEL[instance.kind]}
                points={points.map((s) => ({ t: s.t, v: s.memoryHostBytes }))}
                format={formatBytes}
                color={`var(--kind-${instance.kind})`}
                loading={samples.isLoading}
              />
            </>
          )}
          {latest && <GuestLine instance={instance} sample={latest} />}
          {ended && points.length > 0 && (
            <div className="muted small">History until it {instance.state === "stopped" ? "stopped" : "ended"}; no new samples.</div>
          )}
          {points.length > 0 && <DownloadLinks id={instance.id} name={instance.name} windowS={windowS} />}
        </div>
      )}
      {instance.consoleTail && (
        <details>
          <summary className="small">Console tail</summary>
          <pre className="console">{instance.consoleTail}</pre>
        </details>
      )}
      <InstanceActions instance={instance} />
    </article>
  );
}

function GuestLine({ instance, sample }: { instance: Instance; sample: InstanceSample }) {
  const threads = `host runs ${sample.hostProcesses} process${sample.hostProcesses === 1 ? "" : "es"} / ${sample.hostThreads} thread${sample.hostThreads === 1 ? "" : "s"}`;
  if (instance.probe === false) return <div className="muted small">{threads} · no guest view (no probe in its image)</div>;
  if (sample.guestMemoryBytes === undefined) return <div className="muted small">{threads} · guest view pending</div>;
  return (
    <div className="muted small" data-testid="guest-line">
      {threads} · inside: {sample.guestProcesses} processes visible,{" "}
      {sample.overheadBytes !== undefined
        ? `${formatBytes(sample.guestMemoryBytes)} used of ${formatBytes(sample.guestMemTotalBytes)} → overhead ${formatBytes(sample.overheadBytes)}`
        : `sees the host's memory (${formatBytes(sample.guestMemTotalBytes)})`}
      {instance.kind === "container" && sample.oomKills ? ` · ${sample.oomKills} OOM kill(s)` : ""}
    </div>
  );
}
