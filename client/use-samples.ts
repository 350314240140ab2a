"use client";
import { useQuery } from "@tanstack/react-query";
import type { InstanceSamples, SamplesSnapshot } from "@/lib/metrics/samples";
import { getJson } from "./api";
import { LIVE_FALLBACK_REFRESH_MS, queryKeys, SAMPLES_REFRESH_MS } from "./query-keys";
import { whenStreamDown } from "./stream-status";

/** Host history, the sampler's cost and every instance's latest reading; the stream appends to it. */
export function useSamplesSnapshot(windowS: number) {
  return useQuery({
    queryKey: queryKeys.samplesSnapshot(windowS),
    queryFn: () => getJson<SamplesSnapshot>(`/api/samples?window=${windowS}`),
    refetchInterval: whenStreamDown(SAMPLES_REFRESH_MS, LIVE_FALLBACK_REFRESH_MS),
  });
}

/** One instance's history over windowS seconds; the stream appends to it. */
export function useInstanceSamples(id: string, windowS: number) {
  return useQuery({
    queryKey: queryKeys.instanceSamples(id, windowS),
    queryFn: () => getJson<InstanceSamples>(`/api/instances/${encodeURIComponent(id)}/samples?window=${windowS}`),
    refetchInterval: whenStreamDown(SAMPLES_REFRESH_MS, LIVE_FALLBACK_REFRESH_MS),
  });
}
