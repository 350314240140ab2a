"use client";
import { useQuery } from "@tanstack/react-query";
import type { HostInfo } from "@/lib/core/types";
import { getJson } from "./api";
import { HOST_REFRESH_MS, queryKeys } from "./query-keys";

export function useHost() {
  return useQuery({ queryKey: queryKeys.host, queryFn: () => getJson<HostInfo>("/api/host"), refetchInterval: HOST_REFRESH_MS });
}
