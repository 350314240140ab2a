import type { StartupKind } from "@/lib/experiment-types";

// Keyed by the startup experiment's kinds, a superset of the instance kinds:
// `vm-warm` is a VM restored from its template snapshot.
export const KIND_LABELS: Record<StartupKind, string> = { process: "Bare process", container: "Container", vm: "Virtual machine", "vm-warm": "Virtual machine (warm)" };
/** The same colours as --kind-* in globals.css, for SVG charts. */
export const KIND_COLORS: Record<StartupKind, string> = { process: "#6b7280", container: "#0f8b8d", vm: "#7c4dff", "vm-warm": "#d9480f" };
/** Dashes so CDF lines differ by more than colour. */
export const KIND_DASH: Record<StartupKind, string | undefined> = { process: "2 3", container: undefined, vm: "8 3", "vm-warm": "4 2 1 2" };
/** Kinds whose numbers come from a VM and so carry an accelerator. */
export const isVmKind = (k: StartupKind): boolean => k === "vm" || k === "vm-warm";
export const PHASE_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2"];
