"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { FINISHED_STATUSES, type ExperimentEvent, type ExperimentListItem, type ExperimentRecord } from "@/lib/experiments/types";
import type { ExperimentPlanInput } from "@/lib/schemas/experiment";
import { getJson, sendJson } from "./api";
import { EXPERIMENT_REFRESH_MS, LIST_REFRESH_MS, queryKeys } from "./query-keys";
import { subscribeStream } from "./use-live-stream";

const unfinished = (e: { status: ExperimentListItem["status"] }) => !FINISHED_STATUSES.includes(e.status);

export function useExperiments() {
  return useQuery({
    queryKey: queryKeys.experiments,
    queryFn: () => getJson<{ experiments: ExperimentListItem[] }>("/api/experiments").then((r) => r.experiments),
    // Fast while something runs, so the progress bar moves even without the stream.
    refetchInterval: (q) => (q.state.data?.some(unfinished) ? EXPERIMENT_REFRESH_MS : LIST_REFRESH_MS * 5),
  });
}

export function useExperiment(id: string) {
  return useQuery({
    queryKey: queryKeys.experiment(id),
    queryFn: () => getJson<ExperimentRecord>(`/api/experiments/${encodeURIComponent(id)}`),
    refetchInterval: (q) => (q.state.data && !unfinished(q.state.data) ? false : EXPERIMENT_REFRESH_MS),
  });
}

export function useStartExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (plan: ExperimentPlanInput) => sendJson<{ id: string; status: string }>("/api/experiments", "POST", plan),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.experiments }),
  });
}

export function useCancelExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson<ExperimentListItem>(`/api/experiments/${encodeURIComponent(id)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.experiments }),
  });
}

/** Merges `experiment` events from the live stream (when one is open) into the cached list and record. */
export function useExperimentEvents() {
  const qc = useQueryClient();
  useEffect(
    () =>
      subscribeStream("experiment", (data) => {
        const e = data as ExperimentEvent;
        const patch = <T extends ExperimentListItem>(x: T): T => (x.id === e.id ? { ...x, status: e.status, progress: e.progress, error: e.error } : x);
        qc.setQueryData<ExperimentListItem[]>(queryKeys.experiments, (list) => list?.map(patch));
        if (!unfinished(e)) void qc.invalidateQueries({ queryKey: queryKeys.experiments });
        if (unfinished(e)) qc.setQueryData<ExperimentRecord>(queryKeys.experiment(e.id), (r) => (r ? patch(r) : r));
        else void qc.invalidateQueries({ queryKey: queryKeys.experiment(e.id) });
      }),
    [qc],
  );
}
