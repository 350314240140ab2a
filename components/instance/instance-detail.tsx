"use client";
import { START_MODE_WORDS } from "@/lib/core/kinds";
import Link from "next/link";
import { RequireRole } from "@/components/auth/require-role";
import { InstanceActions } from "@/components/instances/instance-actions";
import { PRIVILEGED_MEANING, PrivilegedBadge } from "@/components/instances/privileged-badge";
import { StartupPhases } from "@/components/instances/startup-phases";
import { SnapshotButton } from "@/components/snapshots/snapshot-button";
import { WindowSelector } from "@/components/metrics/window-context";
import { useInstance } from "@/client/use-instances";
import { ExecPanel } from "./exec-panel";
import { LogTail } from "./log-tail";
import { UsageCharts } from "./usage-charts";
import { WhatItSees } from "./what-it-sees";
import { KIND_LABELS } from "@/lib/core/kinds";

export function InstanceDetail({ id }: { id: string }) {
  const { data: instance, error, isLoading } = useInstance(id);
  if (isLoading)
    return (
      <div className="panel" aria-busy="true">
        Loading {id}…
      </div>
    );
  if (error || !instance)
    return (
      <div className="panel error" role="alert">
        Could not load {id}: {error?.message} <Link href="/">Back to the overview</Link>
      </div>
    );
  const running = instance.state === "running";
  return (
    <div className="stack">
      <section className="panel stack" aria-labelledby="instance-title">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2 id="instance-title" style={{ margin: 0 }}>
            <span className="muted small">{KIND_LABELS[instance.kind]}</span> <span className="mono">{instance.name}</span>
          </h2>
          <span className={`badge state-${instance.state}`} data-testid="state">
            {instance.state}
          </span>
        </div>
        <div className="muted small">
          id <span className="mono">{instance.id}</span> · image {instance.image} · {instance.memoryMiB} MiB · {instance.cpus} CPU
          {instance.accel ? ` · accelerator ${instance.accel.toUpperCase()}` : ""}
          {instance.runtime ? ` · runtime ${instance.runtime}` : ""}
          {instance.pid ? ` · host pid ${instance.pid}` : ""}
          {instance.startMode === "warm"
            ? ` · warm start, restored from snapshot ${instance.snapshotId ?? "(template)"}`
            : instance.startMode
              ? ` · ${START_MODE_WORDS[instance.startMode]}`
              : ""}
        </div>
        {instance.privileged && (
          <div className="error small" data-testid="privileged-note">
            <PrivilegedBadge instance={instance} /> {PRIVILEGED_MEANING}
          </div>
        )}
        {instance.reason && !running && (
          <div className={instance.state === "stopped" ? "muted" : "error"} data-testid="reason">
            {instance.state === "exited" ? "Exited: " : instance.state === "failed" ? "Failed: " : ""}
            {instance.reason}
          </div>
        )}
        {instance.startup && <StartupPhases startup={instance.startup} />}
        <InstanceActions instance={instance} afterDelete="/" />
        <RequireRole role="operator">
          <SnapshotButton instance={instance} />
        </RequireRole>
      </section>
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <WindowSelector />
      </div>
      <UsageCharts instance={instance} />
      {instance.probe === false ? (
        <section className="panel muted" aria-label="Not measured inside" data-testid="no-probe">
          Its image ({instance.image}) has no <span className="mono">/bin/probe</span>: what the workload sees inside (guest view) and commands inside cannot be
          measured. The host view above and the log below still are.
        </section>
      ) : (
        <WhatItSees instance={instance} />
      )}
      <div className="grid-2">
        {instance.probe !== false && (
          <RequireRole role="operator" note="Running a command inside">
            <ExecPanel instance={instance} />
          </RequireRole>
        )}
        <LogTail instance={instance} />
      </div>
    </div>
  );
}
