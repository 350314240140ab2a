"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateInstanceInput } from "@/lib/schemas/instance";
import type { ExecResult, Instance } from "@/lib/core/types";
import { getJson, sendJson } from "./api";
import { LIST_REFRESH_MS, LIVE_FALLBACK_REFRESH_MS, queryKeys } from "./query-keys";
import { whenStreamDown } from "./stream-status";

export function useInstances() {
  return useQuery({
    queryKey: queryKeys.instances,
    queryFn: () => getJson<{ instances: Instance[] }>("/api/instances").then((r) => r.instances),
    refetchInterval: whenStreamDown(LIST_REFRESH_MS, LIVE_FALLBACK_REFRESH_MS),
  });
}

export function useInstance(id: string) {
  return useQuery({
    queryKey: queryKeys.instance(id),
    queryFn: () => getJson<Instance>(`/api/instances/${encodeURIComponent(id)}`),
    refetchInterval: whenStreamDown(LIST_REFRESH_MS, LIVE_FALLBACK_REFRESH_MS),
  });
}

export function useCreateInstance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateInstanceInput) => sendJson<Instance>("/api/instances", "POST", input),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.instances }),
  });
}

export function useStopInstance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson<Instance>(`/api/instances/${encodeURIComponent(id)}/stop`, "POST"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.instances }),
  });
}

export function useDeleteInstance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson<void>(`/api/instances/${encodeURIComponent(id)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.instances }),
  });
}

export function useExec(id: string) {
  return useMutation({
    mutationFn: (body: { command: string; args?: string[] }) => sendJson<ExecResult>(`/api/instances/${encodeURIComponent(id)}/exec`, "POST", body),
  });
}
