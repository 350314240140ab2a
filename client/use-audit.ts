"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { AuditPage } from "@/lib/schemas/audit";
import { getJson } from "./api";
import { AUDIT_REFRESH_MS, queryKeys } from "./query-keys";

/** The audit log under `query` (a query string of filters), newest first; fetchNextPage loads older rows. */
export function useAudit(query: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.audit(query),
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams(query.replace(/^\?/, ""));
      if (pageParam !== null) q.set("cursor", String(pageParam));
      const s = q.toString();
      return getJson<AuditPage>(`/api/audit${s ? `?${s}` : ""}`);
    },
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: AUDIT_REFRESH_MS,
  });
}
