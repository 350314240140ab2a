"use client";
import { useSnapshotInstance } from "@/client/use-snapshots";
import { formatBytes, formatMs } from "@/lib/core/format";
import type { Instance } from "@/lib/core/types";

/** Saves a running VM as a snapshot (it keeps running), and says what was saved. */
export function SnapshotButton({ instance }: { instance: Instance }) {
  const save = useSnapshotInstance();
  if (instance.kind !== "vm") return null;
  return (
    <div className="row">
      <button onClick={() => save.mutate({ id: instance.id })} disabled={save.isPending || instance.state !== "running"}>
        {save.isPending ? "Saving snapshot…" : "Save snapshot"}
      </button>
      {save.data && (
        <span className="small" role="status">
          Saved <span className="mono">{save.data.id}</span>: {formatBytes(save.data.sizeBytes)} in {formatMs(save.data.saveMs)}
        </span>
      )}
      {save.error && (
        <span className="error small" role="alert">
          {save.error.message}
        </span>
      )}
    </div>
  );
}
