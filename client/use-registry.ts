"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { PullRequest, PullResult, RegistryCatalogResponse, RegistryStatus } from "@/lib/schemas/registry";
import { getJson, sendJson } from "./api";
import { queryKeys, REGISTRY_REFRESH_MS } from "./query-keys";

export function useRegistryStatus() {
  return useQuery({
    queryKey: queryKeys.registry,
    queryFn: () => getJson<RegistryStatus>("/api/registry"),
    refetchInterval: REGISTRY_REFRESH_MS,
  });
}

/** Only asked while a registry answers; a stopped one has no catalog. */
export function useRegistryCatalog(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.registryCatalog,
    queryFn: () => getJson<RegistryCatalogResponse>("/api/registry/catalog"),
    refetchInterval: REGISTRY_REFRESH_MS,
    enabled,
  });
}

/** `{}` starts Isolab's own registry; `{ url }` points at an existing one. */
export function useStartRegistry() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { url?: string }) => sendJson<RegistryStatus>("/api/registry/start", "POST", body),
    onSuccess: (status) => qc.setQueryData(queryKeys.registry, status),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.registry }),
  });
}

export function useStopRegistry() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => sendJson<RegistryStatus>("/api/registry/stop", "POST"),
    onSuccess: (status) => qc.setQueryData(queryKeys.registry, status),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.registry }),
  });
}

export function usePullImage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (req: PullRequest) => sendJson<PullResult>("/api/registry/pull", "POST", req),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.images }),
  });
}
