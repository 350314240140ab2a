"use client";
import { useRegistryCatalog, useRegistryStatus, usePullImage } from "@/client/use-registry";
import { ResultTable } from "@/components/ui/result-table";

/** Repositories and tags in the registry, each tag pullable into the local store. */
export function RegistryCatalog() {
  const status = useRegistryStatus();
  const reachable = status.data?.reachable === true;
  const catalog = useRegistryCatalog(reachable);
  const pull = usePullImage();
  if (!reachable)
    return (
      <section className="panel muted" aria-label="Repositories">
        Start a registry (or point at one) to see its repositories.
      </section>
    );
  if (catalog.isLoading)
    return (
      <section className="panel" aria-busy="true" aria-label="Repositories">
        Reading the catalog…
      </section>
    );
  if (catalog.error)
    return (
      <section className="panel error" role="alert" aria-label="Repositories">
        {catalog.error.message}
      </section>
    );
  const repos = catalog.data?.repositories ?? [];
  return (
    <section className="panel stack" aria-label="Repositories">
      <h3 style={{ margin: 0, fontSize: "1rem" }}>Repositories and tags</h3>
      {repos.length === 0 ? (
        <p className="muted small">The registry is empty: push an image from the Images page.</p>
      ) : (
        <ResultTable
          label="Registry tags"
          rows={repos.flatMap((r) => (r.tags.length ? r.tags : [null]).map((tag) => ({ name: r.name, tag })))}
          rowKey={(r) => `${r.name}:${r.tag}`}
          columns={[
            { header: "Repository", className: "mono", cell: (r) => r.name },
            { header: "Tag", className: "mono", cell: (r) => r.tag ?? "(no tags)" },
            {
              header: "Pull into the local store",
              cell: ({ name, tag }) =>
                tag && (
                  <button type="button" onClick={() => pull.mutate({ repository: name, tag })} disabled={pull.isPending} aria-label={`Pull ${name}:${tag}`}>
                    Pull
                  </button>
                ),
            },
          ]}
        />
      )}
      {pull.isPending && <div className="small muted">Pulling and checking every layer…</div>}
      {pull.isSuccess && (
        <div className="small" role="status">
          Pulled <span className="mono">{pull.data.reference}</span> as <span className="mono">{pull.data.image.ref}</span>,{" "}
          <span className="mono">{pull.data.image.digest.slice(0, 19)}…</span>
        </div>
      )}
      {pull.error && (
        <div className="error small" role="alert">
          {pull.error.message}
        </div>
      )}
    </section>
  );
}
