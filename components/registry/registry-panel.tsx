"use client";
import { useState, type FormEvent } from "react";
import { RegistryUrlSchema } from "@/lib/schemas/registry";
import { useCan } from "@/client/use-me";
import { useRegistryStatus, useStartRegistry, useStopRegistry } from "@/client/use-registry";

const MODE_TEXT = { stopped: "stopped", managed: "started by Isolab", external: "external" } as const;

/** Whether a registry runs and answers; start Isolab's own, stop it, or use one at a URL. */
export function RegistryPanel() {
  const status = useRegistryStatus();
  const start = useStartRegistry();
  const stop = useStopRegistry();
  const [url, setUrl] = useState("");
  const [urlError, setUrlError] = useState<string | null>(null);
  const s = status.data;
  const busy = start.isPending || stop.isPending;
  // Starting, stopping or pointing at a registry is a setting: admins only (lib/auth/roles.ts).
  const canAdmin = useCan("admin");

  function submitUrl(e: FormEvent) {
    e.preventDefault();
    const parsed = RegistryUrlSchema.safeParse(url);
    if (!parsed.success) return setUrlError(parsed.error.issues[0]?.message ?? "not a URL");
    setUrlError(null);
    start.mutate({ url });
  }

  return (
    <section className="panel stack" aria-label="Registry status">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Registry</h2>
        <span className={`badge ${s?.reachable ? "state-running" : "state-stopped"}`} data-testid="registry-state">
          {s ? (s.reachable ? "running" : s.mode === "stopped" ? "stopped" : "not answering") : "…"}
        </span>
      </div>
      {status.error && (
        <div className="error small" role="alert">
          {status.error.message}
        </div>
      )}
      {s && (
        <dl className="facts small">
          <dt>Mode</dt>
          <dd>{MODE_TEXT[s.mode]}</dd>
          <dt>URL</dt>
          <dd className="mono" data-testid="registry-url">
            {s.url ?? "—"}
          </dd>
          {s.pid !== null && (
            <>
              <dt>Process</dt>
              <dd>
                docker-registry, pid {s.pid}, since {s.startedAt}
              </dd>
              <dt>Data</dt>
              <dd className="mono">{s.dataDir}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{s.note}</dd>
        </dl>
      )}
      {canAdmin && (
        <>
          <div className="row">
            <button type="button" className="primary" onClick={() => start.mutate({})} disabled={busy || s?.mode === "managed"}>
              {start.isPending ? "Starting…" : "Start registry"}
            </button>
            <button type="button" onClick={() => stop.mutate()} disabled={busy || s?.mode === "stopped"}>
              {stop.isPending ? "Stopping…" : "Stop registry"}
            </button>
          </div>
          <form className="row" onSubmit={submitUrl} aria-label="Use a registry at a URL" style={{ alignItems: "flex-end" }}>
            <label>
              Or use the registry at
              <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://registry.example.org" />
            </label>
            <button type="submit" disabled={busy}>
              Use it
            </button>
          </form>
        </>
      )}
      {(urlError || start.error || stop.error) && (
        <div className="error small" role="alert">
          {urlError ?? (start.error ?? stop.error)?.message}
        </div>
      )}
    </section>
  );
}
