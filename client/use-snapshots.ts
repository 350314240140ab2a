"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateSnapshot, SnapshotInfo } from "@/lib/schemas/snapshot";
import { getJson, sendJson } from "./api";
import { queryKeys, SNAPSHOTS_REFRESH_MS } from "./query-keys";

export function useSnapshots() {
  return useQuery({
    queryKey: queryKeys.snapshots,
    queryFn: () => getJson<{ snapshots: SnapshotInfo[] }>("/api/snapshots").then((r) => r.snapshots),
    refetchInterval: SNAPSHOTS_REFRESH_MS,
  });
}

/** Saves a running VM; the list refreshes when it is done. */
export function useSnapshotInstance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & Partial<CreateSnapshot>) =>
      sendJson<SnapshotInfo>(`/api/instances/${encodeURIComponent(id)}/snapshot`, "POST", body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.snapshots }),
  });
}

export function useDeleteSnapshot() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson<void>(`/api/snapshots/${encodeURIComponent(id)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.snapshots }),
  });
}
