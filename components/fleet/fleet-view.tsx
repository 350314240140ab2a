"use client";
import { useFleetOverview, useRemoveFleetHost } from "@/client/use-fleet";
import { AddHostForm } from "./add-host-form";
import { FleetRuns } from "./fleet-runs";
import { HostCard } from "./host-card";
import { PrometheusPanel } from "./prometheus-panel";

/** The fleet: which Prometheus, the hosts side by side, and the form to add one. */
export function FleetView() {
  const overview = useFleetOverview();
  const remove = useRemoveFleetHost();
  const o = overview.data;
  return (
    <div className="stack">
      <PrometheusPanel status={o?.prometheus} />
      {overview.error && (
        <div className="error" role="alert">
          {overview.error.message}
        </div>
      )}
      {o && o.problems.length > 0 && (
        <ul className="error small" role="alert" aria-label="Fleet problems">
          {o.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="grid-3" aria-label="Hosts">
        {o?.hosts.map((h) => (
          <div key={h.name} className="stack">
            <HostCard host={h} />
            {h.url && h.name !== "local" && (
              <button type="button" onClick={() => remove.mutate(h.name)} disabled={remove.isPending} aria-label={`Remove host ${h.name}`}>
                Remove {h.name}
              </button>
            )}
          </div>
        ))}
      </div>
      {o && (
        <p className="small muted">
          Every figure comes from Prometheus{o.prometheus.url ? ` at ${o.prometheus.url}` : ""}, queried at {new Date(o.queriedAt).toLocaleTimeString()}; hover
          a figure for its metric.
        </p>
      )}
      <AddHostForm />
      {o && <FleetRuns hostNames={o.hosts.filter((h) => h.url).map((h) => h.name)} />}
    </div>
  );
}
