// Chart-only styling; the kind words and colours live in lib/core/kinds.ts.
export { KIND_COLORS, KIND_DASH, KIND_LABELS, isVmKind } from "@/lib/core/kinds";
export const PHASE_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2"];
