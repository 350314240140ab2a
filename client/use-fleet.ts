"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FleetHost, FleetHostInput, FleetOverview, FleetRun, FleetRunInput, PrometheusStatus } from "@/lib/schemas/fleet";
import { fleetRefreshMs } from "@/lib/fleet/refresh";
import { getJson, sendJson } from "./api";
import { FLEET_REFRESH_MS, queryKeys } from "./query-keys";

/** Asked again once per scrape interval (what Prometheus says it scrapes Isolab at): new figures come no faster. */
export function useFleetOverview() {
  return useQuery({
    queryKey: queryKeys.fleet,
    queryFn: () => getJson<FleetOverview>("/api/fleet"),
    refetchInterval: (q) => fleetRefreshMs(q.state.data?.scrapeIntervalS, FLEET_REFRESH_MS),
  });
}

/** `{}` starts Isolab's own Prometheus; `{ url }` points at an existing one. */
export function useStartPrometheus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { url?: string }) => sendJson<PrometheusStatus>("/api/fleet/prometheus/start", "POST", body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.fleet }),
  });
}

export function useStopPrometheus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => sendJson<PrometheusStatus>("/api/fleet/prometheus/stop", "POST"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.fleet }),
  });
}

export function useAddFleetHost() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: FleetHostInput) => sendJson<FleetHost>("/api/fleet/hosts", "POST", input),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.fleet }),
  });
}

export function useRemoveFleetHost() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => sendJson<void>(`/api/fleet/hosts/${encodeURIComponent(name)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.fleet }),
  });
}

export function useFleetRuns() {
  return useQuery({
    queryKey: queryKeys.fleetRuns,
    queryFn: () => getJson<{ runs: { id: string; hosts: string[]; createdAt: string; finishedAt: string | null }[] }>("/api/fleet/runs"),
    refetchInterval: FLEET_REFRESH_MS,
  });
}

/** One run on every host; asked while any host is still running it. */
export function useFleetRun(id: string | null) {
  return useQuery({
    queryKey: queryKeys.fleetRun(id ?? ""),
    queryFn: () => getJson<FleetRun>(`/api/fleet/runs/${id}`),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.finishedAt ? false : FLEET_REFRESH_MS),
  });
}

export function useSubmitFleetRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: FleetRunInput) => sendJson<FleetRun>("/api/fleet/runs", "POST", input),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.fleetRuns }),
  });
}
