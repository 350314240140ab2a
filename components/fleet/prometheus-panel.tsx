"use client";
import { useState, type FormEvent } from "react";
import { PrometheusStartSchema, type PrometheusStatus } from "@/lib/schemas/fleet";
import { useStartPrometheus, useStopPrometheus } from "@/client/use-fleet";

const MODE_TEXT = { stopped: "stopped", managed: "started by Isolab", external: "external" } as const;

/** Which Prometheus the fleet is read from; start Isolab's own, stop it, or use one at a URL. */
export function PrometheusPanel({ status }: { status: PrometheusStatus | undefined }) {
  const start = useStartPrometheus();
  const stop = useStopPrometheus();
  const [url, setUrl] = useState("");
  const [urlError, setUrlError] = useState<string | null>(null);
  const busy = start.isPending || stop.isPending;

  function submitUrl(e: FormEvent) {
    e.preventDefault();
    const parsed = PrometheusStartSchema.safeParse({ url });
    if (!parsed.success) return setUrlError(parsed.error.issues[0]?.message ?? "not a URL");
    setUrlError(null);
    start.mutate({ url: parsed.data.url });
  }

  return (
    <section className="panel stack" aria-label="Prometheus">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Prometheus</h2>
        <span className={`badge ${status?.reachable ? "state-running" : "state-stopped"}`} data-testid="prometheus-state">
          {status ? (status.reachable ? "running" : status.mode === "stopped" ? "stopped" : "not answering") : "…"}
        </span>
      </div>
      {status && (
        <dl className="facts small">
          <dt>Mode</dt>
          <dd>{MODE_TEXT[status.mode]}</dd>
          <dt>URL</dt>
          <dd className="mono">{status.url ?? "—"}</dd>
          {status.pid !== null && (
            <>
              <dt>Process</dt>
              <dd>
                prometheus, pid {status.pid}, since {status.startedAt}
              </dd>
              <dt>Config</dt>
              <dd className="mono">{status.configPath}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{status.note}</dd>
        </dl>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={() => start.mutate({})} disabled={busy || status?.mode === "managed"}>
          {start.isPending ? "Starting…" : "Start Prometheus"}
        </button>
        <button type="button" onClick={() => stop.mutate()} disabled={busy || status?.mode === "stopped"}>
          {stop.isPending ? "Stopping…" : "Stop Prometheus"}
        </button>
      </div>
      <form className="row" onSubmit={submitUrl} aria-label="Use a Prometheus at a URL" style={{ alignItems: "flex-end" }}>
        <label>
          Or use the Prometheus at
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://prometheus:9090" />
        </label>
        <button type="submit" disabled={busy}>
          Use it
        </button>
      </form>
      {(urlError || start.error || stop.error) && (
        <div className="error small" role="alert">
          {urlError ?? (start.error ?? stop.error)?.message}
        </div>
      )}
    </section>
  );
}
