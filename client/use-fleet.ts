"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FleetHost, FleetHostInput, FleetOverview, PrometheusStatus } from "@/lib/schemas/fleet";
import { getJson, sendJson } from "./api";
import { FLEET_REFRESH_MS, queryKeys } from "./query-keys";

export function useFleetOverview() {
  return useQuery({ queryKey: queryKeys.fleet, queryFn: () => getJson<FleetOverview>("/api/fleet"), refetchInterval: FLEET_REFRESH_MS });
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
