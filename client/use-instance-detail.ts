"use client";
import { useQuery } from "@tanstack/react-query";
import type { WhatItSees } from "@/lib/metrics/guest-view";
import { getJson } from "./api";
import { LOG_REFRESH_MS, queryKeys } from "./query-keys";

/** The console/log tail of an instance. */
export function useInstanceLog(id: string, lines = 200) {
  return useQuery({
    queryKey: queryKeys.instanceLog(id),
    queryFn: () => getJson<{ id: string; log: string }>(`/api/instances/${encodeURIComponent(id)}/log?lines=${lines}`).then((r) => r.log),
    refetchInterval: LOG_REFRESH_MS,
  });
}

/** `probe info` inside next to the host's; runs a command in the instance, so only on demand (refetch) after the first time. */
export function useWhatItSees(id: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.instanceViews(id),
    queryFn: () => getJson<WhatItSees>(`/api/instances/${encodeURIComponent(id)}/views`),
    enabled,
    staleTime: Infinity,
    retry: false,
  });
}
