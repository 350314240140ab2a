"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Role } from "@/lib/auth/roles";
import type { TokenInfo, UserInfo } from "@/lib/schemas/access";
import { getJson, sendJson } from "./api";
import { queryKeys } from "./query-keys";

export function useUsers() {
  return useQuery({ queryKey: queryKeys.accessUsers, queryFn: () => getJson<{ users: UserInfo[] }>("/api/access/users") });
}

export function useTokens() {
  return useQuery({ queryKey: queryKeys.accessTokens, queryFn: () => getJson<{ tokens: TokenInfo[] }>("/api/access/tokens") });
}

export function useAddUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: Role; password: string }) => sendJson<UserInfo>("/api/access/users", "POST", body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.accessUsers }),
  });
}

export function useRemoveUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => sendJson<void>(`/api/access/users/${encodeURIComponent(name)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.accessUsers }),
  });
}

/** The answer holds the token itself: shown once, never again. */
export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: Role }) => sendJson<{ info: TokenInfo; token: string }>("/api/access/tokens", "POST", body),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.accessTokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => sendJson<void>(`/api/access/tokens/${encodeURIComponent(id)}`, "DELETE"),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.accessTokens }),
  });
}

/** Signs in (an account or a token) and answers who; the session cookie is set by the answer. */
export function signIn(body: { username: string; password: string } | { token: string }) {
  return sendJson<{ name: string; role: Role }>("/api/auth/sign-in", "POST", body);
}

export function signOut() {
  return sendJson<void>("/api/auth/sign-out", "POST");
}
