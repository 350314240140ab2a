"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FiguresPayloadSchema, ScenarioResultSchema } from "@/lib/schemas/figures";
import { getJson, sendJson } from "./api";
import { FIGURES_REFRESH_MS, queryKeys } from "./query-keys";

/** The facts of Figures 2.1–2.4, parsed (not cast) against the shared schema. */
export function useFigures() {
  return useQuery({
    queryKey: queryKeys.figures,
    queryFn: () => getJson<unknown>("/api/figures").then((r) => FiguresPayloadSchema.parse(r)),
    refetchInterval: FIGURES_REFRESH_MS,
  });
}

function useScenarioMutation(method: "POST" | "DELETE") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => sendJson<unknown>("/api/figures/scenario", method),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.figures });
      void qc.invalidateQueries({ queryKey: queryKeys.instances });
    },
  });
}

/** Starts the Figure 2.3 scenario (3 processes, 2 VMs, 3 containers); resolves once all are ready. */
export function useLaunchScenario() {
  const m = useScenarioMutation("POST");
  return { ...m, result: m.data ? ScenarioResultSchema.safeParse(m.data).data : undefined };
}

export function useTeardownScenario() {
  return useScenarioMutation("DELETE");
}
