import type { InstanceKind } from "@/lib/types";

export const KIND_LABELS: Record<InstanceKind, string> = { process: "Bare process", container: "Container", vm: "Virtual machine" };
/** The same colours as --kind-* in globals.css, for SVG charts. */
export const KIND_COLORS: Record<InstanceKind, string> = { process: "#6b7280", container: "#0f8b8d", vm: "#7c4dff" };
/** Dashes so CDF lines differ by more than colour. */
export const KIND_DASH: Record<InstanceKind, string | undefined> = { process: "2 3", container: undefined, vm: "8 3" };
export const PHASE_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2"];
