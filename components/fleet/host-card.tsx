import { formatBytes } from "@/lib/core/format";
import type { FleetHostView } from "@/lib/schemas/fleet";
import { ReadingText } from "./reading";
import { Sparkline } from "./sparkline";

const STATE_CLASS = { up: "state-running", down: "state-failed", unknown: "state-stopped" } as const;
const KINDS = ["process", "container", "vm"] as const;
const count = (v: number) => String(Math.round(v));
const seconds = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);
const ratio = (v: number) => `${v.toFixed(1)}×`;
const cores = (v: number) => `${(v * 100).toFixed(2)} % of a core`;

/** One host as Prometheus last saw it; a down or unknown host says why and when it was last seen. */
export function HostCard({ host }: { host: FleetHostView }) {
  return (
    <section className="panel stack" aria-label={`Host ${host.name}`} data-testid={`fleet-host-${host.name}`}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0, fontSize: "1.05rem" }}>
          {host.url ? (
            <a href={host.url} target="_blank" rel="noreferrer">
              {host.name}
            </a>
          ) : (
            host.name
          )}
        </h2>
        <span className={`badge ${STATE_CLASS[host.state]}`} data-testid="fleet-host-state">
          {host.state}
        </span>
      </div>
      {host.state !== "up" && (
        <div className="small" data-testid="fleet-host-last-seen">
          Last seen: {host.lastSeenMs ? new Date(host.lastSeenMs).toLocaleString() : "not within the last hour"}
        </div>
      )}
      {host.problems.length > 0 && (
        <ul className="error small" role="alert" data-testid="fleet-host-problems">
          {host.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <dl className="facts small">
        <dt>Machine</dt>
        <dd>
          {host.hostname ?? "—"}, accelerator {host.accelerator ?? "—"}
        </dd>
        <dt>Instances running</dt>
        <dd>
          {KINDS.map((k, i) => (
            <span key={k} data-testid={`fleet-instances-${k}`}>
              {i > 0 && " · "}
              {k}: <ReadingText reading={host.instances[k]} format={count} source='isolab_instances{state="running"}' />
            </span>
          ))}
        </dd>
        <dt>Memory available</dt>
        <dd>
          <ReadingText reading={host.memory.availableBytes} format={formatBytes} source="isolab_host_memory_available_bytes" /> of{" "}
          <ReadingText reading={host.memory.totalBytes} format={formatBytes} source="isolab_host_memory_total_bytes" />, reserve{" "}
          <ReadingText reading={host.memory.reserveBytes} format={formatBytes} source="isolab_host_memory_reserve_bytes" />
          <Sparkline points={host.availableHistory} label={`${host.name}: memory available, last 15 minutes`} />
        </dd>
        <dt>VM / container memory</dt>
        <dd>
          <ReadingText reading={host.vmToContainerMemory} format={ratio} source="avg isolab_memory_host_bytes, vm over container" />
        </dd>
        <dt>Startup p50 / p95</dt>
        <dd>
          {KINDS.map((k) => (
            <div key={k}>
              {k}: <ReadingText reading={host.startup[k].p50} format={seconds} source="histogram_quantile(0.5, isolab_startup_seconds_bucket)" /> /{" "}
              <ReadingText reading={host.startup[k].p95} format={seconds} source="histogram_quantile(0.95, isolab_startup_seconds_bucket)" /> (
              <ReadingText reading={host.startup[k].count} format={count} source="isolab_startup_seconds_count" /> starts)
            </div>
          ))}
        </dd>
        <dt>Sampler cost</dt>
        <dd>
          <ReadingText reading={host.samplerCores} format={cores} source="rate(isolab_sampler_seconds_total[1m])" />
        </dd>
      </dl>
    </section>
  );
}
