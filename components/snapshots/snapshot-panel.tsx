"use client";
import { useCreateInstance } from "@/client/use-instances";
import { useCan } from "@/client/use-me";
import { useNow } from "@/client/use-now";
import { useDeleteSnapshot, useSnapshots } from "@/client/use-snapshots";
import { formatAge } from "@/lib/figures/age";
import { formatBytes, formatMs } from "@/lib/core/format";
import type { SnapshotInfo } from "@/lib/schemas/snapshot";
import { ResultTable } from "@/components/ui/result-table";

/** Age updates this often, in milliseconds. */
const AGE_TICK_MS = 5000;

function source(s: SnapshotInfo): string {
  if (s.purpose === "template") return "warm-launch template";
  return s.source.name ?? s.source.instanceId ?? "—";
}

/** VM snapshots on this host: size, age and what they were saved from; restore one into a new VM, or delete it. */
export function SnapshotPanel() {
  const snapshots = useSnapshots();
  const remove = useDeleteSnapshot();
  const restore = useCreateInstance();
  const now = useNow(AGE_TICK_MS);
  const canOperate = useCan("operator");
  const list = snapshots.data ?? [];
  const error = snapshots.error ?? remove.error ?? restore.error;
  return (
    <section className="panel stack" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title" style={{ margin: 0, fontSize: "1rem" }}>
        VM snapshots
      </h2>
      {snapshots.isLoading ? (
        <div className="muted small" aria-busy="true">
          Loading snapshots…
        </div>
      ) : list.length === 0 ? (
        <div className="muted small">None yet. A warm VM launch saves a template; a running VM&apos;s page can save one too.</div>
      ) : (
        <ResultTable
          label="VM snapshots"
          rows={list}
          rowKey={(s) => s.id}
          rowProps={(s) => ({ "data-testid": `snapshot-${s.id}` })}
          columns={[
            { header: "Snapshot", rowHeader: true, className: "mono", cell: (s) => s.id },
            {
              header: "Saved from",
              cell: (s) => (
                <>
                  {source(s)}
                  {s.hostname ? <span className="muted small"> · guest {s.hostname}</span> : null}
                </>
              ),
            },
            {
              header: "Machine",
              cell: (s) => (
                <>
                  {s.image} · {s.memoryMiB} MiB · {s.cpus} CPU · {s.accel.toUpperCase()}
                </>
              ),
            },
            { header: "Size", numeric: true, cell: (s) => formatBytes(s.sizeBytes) },
            { header: "Saved in", numeric: true, cell: (s) => formatMs(s.saveMs) },
            { header: "Age", numeric: true, cell: (s) => formatAge(now - Date.parse(s.createdAt)) },
            {
              header: "Actions",
              cell: (s) => (
                <>
                  {canOperate && (
                    <div className="row">
                      <button
                        onClick={() => restore.mutate({ kind: "vm", snapshot: s.id, image: s.image, memoryMiB: s.memoryMiB, cpus: s.cpus })}
                        disabled={restore.isPending || s.stale !== undefined}
                        title={s.stale ? `Cannot be restored here: ${s.stale.join("; ")}` : "Start a new VM from this snapshot"}
                      >
                        Restore
                      </button>
                      <button className="danger" onClick={() => remove.mutate(s.id)} disabled={remove.isPending}>
                        Delete
                      </button>
                    </div>
                  )}
                  {s.stale && <div className="muted small">stale: {s.stale.join("; ")}</div>}
                </>
              ),
            },
          ]}
        />
      )}
      {error && (
        <div className="error small" role="alert">
          {error.message}
        </div>
      )}
    </section>
  );
}
