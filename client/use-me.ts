"use client";
import { useQuery } from "@tanstack/react-query";
import { roleAtLeast, type Role } from "@/lib/auth/roles";
import type { Principal } from "@/lib/schemas/access";
import { getJson } from "./api";
import { ME_REFRESH_MS, queryKeys } from "./query-keys";

/** Who is signed in (name, role, session or token); an error when nobody is. */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => getJson<Principal>("/api/me"), refetchInterval: ME_REFRESH_MS, retry: false });
}

/** True once it is known that the signed-in role includes `role`; false while unknown, so nothing is offered early. */
export function useCan(role: Role): boolean {
  const me = useMe();
  return me.data !== undefined && roleAtLeast(me.data.role, role);
}
