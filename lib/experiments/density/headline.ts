import type { DensityResult } from "./types";

// The one-line summary of a density run in the experiments list, and the
// number formats its views share. Pure; imports nothing from
// lib/experiments/format.ts, which imports it.

export function formatMiB(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} MiB`;
}

export const formatCount = (n: number | null) => (n === null ? "—" : n.toLocaleString("en-US"));

export function densityHeadline(r: DensityResult): string {
  const parts = r.kinds.map((k) => `${k.kind} ×${k.reached}: ${formatMiB(k.marginal.chosenMiB)} each`);
  const ratio = r.ratioVmToContainer;
  if (ratio !== null) parts.push(`vm/container ${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`);
  return parts.join(" · ");
}
