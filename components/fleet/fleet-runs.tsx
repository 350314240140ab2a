"use client";
import { useState, type FormEvent } from "react";
import { resultText } from "@/lib/experiments/registry";
import type { ExperimentResult } from "@/lib/experiments/registry";
import { FleetRunInputSchema, type FleetRunHost } from "@/lib/schemas/fleet";
import { useFleetRun, useFleetRuns, useSubmitFleetRun } from "@/client/use-fleet";

const DEFAULT_PLAN = '{ "type": "startup", "runs": 3, "kinds": ["process", "container"] }';

/** The host's result as the experiments page's text tables, or what is missing. */
function HostResult({ h }: { h: FleetRunHost }) {
  if (h.problem) return <div className="error small">{h.problem}</div>;
  const r = h.record;
  if (!r) return <div className="muted small">…</div>;
  let text: string;
  try {
    text = r.result ? resultText(r.result as ExperimentResult).join("\n") : (r.error ?? "no result yet");
  } catch {
    text = "a result this Isolab cannot read (another version?)";
  }
  return (
    <>
      <div className="small">
        <a href={`${h.url}/experiments/${h.experimentId}`} target="_blank" rel="noreferrer">
          {h.experimentId}
        </a>{" "}
        · <span data-testid="fleet-run-status">{r.status}</span>
      </div>
      <pre className="small mono" style={{ whiteSpace: "pre-wrap" }}>
        {text}
      </pre>
    </>
  );
}

/** Runs one startup or density plan on several hosts through their own APIs; results side by side. */
export function FleetRuns({ hostNames }: { hostNames: string[] }) {
  const submit = useSubmitFleetRun();
  const runs = useFleetRuns();
  const [selected, setSelected] = useState<string[]>([]);
  const [plan, setPlan] = useState(DEFAULT_PLAN);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const run = useFleetRun(openId ?? runs.data?.runs[0]?.id ?? null);

  function send(e: FormEvent) {
    e.preventDefault();
    let planJson: unknown;
    try {
      planJson = JSON.parse(plan);
    } catch {
      return setError("plan: not JSON");
    }
    const parsed = FleetRunInputSchema.safeParse({ hosts: selected, plan: planJson });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return setError(i ? `${i.path.join(".")}: ${i.message}` : "invalid run");
    }
    setError(null);
    submit.mutate(parsed.data, { onSuccess: (r) => setOpenId(r.id) });
  }

  return (
    <section className="panel stack" aria-label="Experiments across hosts">
      <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Experiments across hosts</h2>
      <form className="stack" onSubmit={send} aria-label="Run a plan on several hosts">
        <fieldset className="row">
          <legend className="small">Hosts</legend>
          {hostNames.map((n) => (
            <label key={n} className="row small">
              <input
                type="checkbox"
                checked={selected.includes(n)}
                onChange={(e) => setSelected((s) => (e.target.checked ? [...s, n] : s.filter((x) => x !== n)))}
              />
              {n}
            </label>
          ))}
        </fieldset>
        <label>
          Plan (JSON, as POST /api/experiments takes it; startup or density)
          <textarea className="mono" rows={2} value={plan} onChange={(e) => setPlan(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={submit.isPending}>
          {submit.isPending ? "Submitting…" : "Run on the selected hosts"}
        </button>
        {(error || submit.error) && (
          <div className="error small" role="alert">
            {error ?? submit.error?.message}
          </div>
        )}
      </form>
      {run.data && (
        <div className="stack" aria-label={`Fleet run ${run.data.id}`}>
          <div className="small muted">
            Run {run.data.id}, {new Date(run.data.createdAt).toLocaleString()}
            {run.data.finishedAt ? `, finished ${new Date(run.data.finishedAt).toLocaleString()} (stored)` : ", in progress"}
          </div>
          <div className="grid-3">
            {run.data.hosts.map((h) => (
              <div key={h.name} className="panel" aria-label={`Result on ${h.name}`}>
                <strong>{h.name}</strong>
                <HostResult h={h} />
              </div>
            ))}
          </div>
        </div>
      )}
      {runs.data && runs.data.runs.length > 1 && (
        <label className="small">
          Earlier runs
          <select value={openId ?? ""} onChange={(e) => setOpenId(e.target.value || null)}>
            <option value="">newest</option>
            {runs.data.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.id} · {r.hosts.join(", ")} · {new Date(r.createdAt).toLocaleString()}
              </option>
            ))}
          </select>
        </label>
      )}
    </section>
  );
}
