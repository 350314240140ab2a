"use client";
import { useRouter } from "next/navigation";
import { useDeleteInstance, useStopInstance } from "@/client/use-instances";
import { useCan } from "@/client/use-me";
import type { Instance } from "@/lib/core/types";

/** Stop and Delete, with their own pending text and error. */
export function InstanceActions({ instance, afterDelete }: { instance: Instance; afterDelete?: string }) {
  const stop = useStopInstance();
  const remove = useDeleteInstance();
  const router = useRouter();
  const canOperate = useCan("operator");
  const live = instance.state === "running" || instance.state === "creating" || instance.state === "stopping";
  const error = stop.error ?? remove.error;
  // Viewers see the instance, not controls that would answer 403.
  if (!canOperate) return null;
  return (
    <>
      <div className="row">
        {live && (
          <button onClick={() => stop.mutate(instance.id)} disabled={stop.isPending || instance.state !== "running"}>
            {stop.isPending || instance.state === "stopping" ? "Stopping…" : "Stop"}
          </button>
        )}
        <button
          className="danger"
          onClick={() => remove.mutate(instance.id, { onSuccess: () => afterDelete && router.push(afterDelete) })}
          disabled={remove.isPending || instance.state === "creating"}
        >
          {remove.isPending ? "Deleting…" : "Delete"}
        </button>
      </div>
      {error && (
        <div className="error small" role="alert">
          {error.message}
        </div>
      )}
    </>
  );
}
