"use client";
import Link from "next/link";
import { useDeleteInstance, useStopInstance } from "@/lib/client/use-instances";
import type { Instance } from "@/lib/types";
import { StartupPhases } from "./startup-phases";

export function InstanceCard({ instance }: { instance: Instance }) {
  const stop = useStopInstance();
  const remove = useDeleteInstance();
  const live = instance.state === "running" || instance.state === "creating" || instance.state === "stopping";
  const error = stop.error ?? remove.error;
  return (
    <article className="card stack" aria-label={`${instance.kind} ${instance.name}`} data-testid={`instance-${instance.name}`}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <Link href={`/instances/${instance.id}`} className="mono">
          {instance.name}
        </Link>
        <span className={`badge state-${instance.state}`} data-testid="state">
          {instance.state}
        </span>
      </div>
      <div className="muted small">
        {instance.image} · {instance.memoryMiB} MiB{instance.kind === "process" ? " (not enforced)" : ""} · {instance.cpus}{" "}
        CPU{instance.cpus > 1 ? "s" : ""}
        {instance.accel ? ` · ${instance.accel.toUpperCase()}` : ""}
        {instance.runtime ? ` · ${instance.runtime}` : ""}
      </div>
      {instance.startup && <StartupPhases startup={instance.startup} />}
      {instance.reason && instance.state !== "running" && <div className="small muted">{instance.reason}</div>}
      {instance.consoleTail && (
        <details>
          <summary className="small">Console tail</summary>
          <pre className="console">{instance.consoleTail}</pre>
        </details>
      )}
      <div className="row">
        {live && (
          <button onClick={() => stop.mutate(instance.id)} disabled={stop.isPending || instance.state !== "running"}>
            {stop.isPending ? "Stopping…" : "Stop"}
          </button>
        )}
        <button className="danger" onClick={() => remove.mutate(instance.id)} disabled={remove.isPending}>
          {remove.isPending ? "Deleting…" : "Delete"}
        </button>
      </div>
      {error && (
        <div className="error small" role="alert">
          {error.message}
        </div>
      )}
    </article>
  );
}
