"use client";
import { useWhatItSees } from "@/client/use-instance-detail";
import type { Carrier, ProbeInfo } from "@/lib/metrics/guest-view";
import type { Instance } from "@/lib/core/types";

/** `probe info` inside next to the same probe on the host; rows that differ are marked ≠ and say why. */
export function WhatItSees({ instance }: { instance: Instance }) {
  const running = instance.state === "running";
  const { data, error, isFetching, refetch } = useWhatItSees(instance.id, running);
  return (
    <section className="panel stack" aria-labelledby="sees-title">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3 id="sees-title" style={{ margin: 0 }}>
          What it sees
        </h3>
        <button type="button" onClick={() => refetch()} disabled={!running || isFetching}>
          {isFetching ? "Asking…" : "Ask again"}
        </button>
      </div>
      {!running ? (
        <p className="muted small">Only a running instance can be asked; this one is {instance.state}.</p>
      ) : error ? (
        <p className="error small" role="alert">
          Could not ask it: {error.message}
        </p>
      ) : !data ? (
        <p className="muted small" aria-busy="true">
          Running <code>probe info</code> inside and on the host…
        </p>
      ) : (
        <>
          <table className="views small" data-testid="views">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Host</th>
                <th scope="col">Inside {instance.name}</th>
                <th scope="col">Same?</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.key} className={r.differs ? "differs" : undefined} data-testid={`view-${r.key}`}>
                  <th scope="row">{r.label}</th>
                  <td className="mono">{r.host}</td>
                  <td className="mono">{r.guest}</td>
                  <td>{r.differs ? <strong>≠ differs{r.note ? ` — ${r.note}` : ""}</strong> : <span className="muted">= same</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.carrier && <CarrierTable carrier={data.carrier} />}
          <div className="grid-2">
            <ProcessList title="Processes the host sees" info={data.host} />
            <ProcessList title={`Processes ${instance.name} sees`} info={data.guest} />
          </div>
        </>
      )}
    </section>
  );
}

function ProcessList({ title, info }: { title: string; info: ProbeInfo }) {
  return (
    <details>
      <summary className="small">
        {title} ({info.processCount})
      </summary>
      <ul className="proc-list mono small">
        {info.processes.map((p) => (
          <li key={p.pid}>
            {p.pid} {p.comm}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The host process that carries the instance (QEMU for a VM), read from the host's /proc: what a breakout would start from. */
function CarrierTable({ carrier }: { carrier: Carrier }) {
  return (
    <table className="views small" data-testid="carrier">
      <caption className="muted small" style={{ textAlign: "left" }}>
        On the host: {carrier.what} (pid {carrier.pid}), from /proc/{carrier.pid}/status and uid_map
      </caption>
      <tbody>
        {carrier.rows.map((r) => (
          <tr key={r.key} data-testid={`carrier-${r.key}`}>
            <th scope="row">{r.label}</th>
            <td className="mono">{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
