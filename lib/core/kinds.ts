import { INSTANCE_KINDS, type InstanceKind } from "./types";

// The words and colours for each kind, in one place for the UI, the
// experiments' text and the browser tests. `vm-warm` is a VM restored from
// its template snapshot: a launch mode and a startup column, not an
// instance kind (its instances have kind "vm").

export type LaunchKind = InstanceKind | "vm-warm";
export const LAUNCH_KINDS: readonly LaunchKind[] = [...INSTANCE_KINDS, "vm-warm"];

export const KIND_LABELS: Record<LaunchKind, string> = {
  process: "Bare process",
  container: "Container",
  vm: "Virtual machine",
  "vm-warm": "Virtual machine (warm)",
};
/** The same colours as --kind-* in globals.css, for SVG charts. */
export const KIND_COLORS: Record<LaunchKind, string> = { process: "#6b7280", container: "#0f8b8d", vm: "#7c4dff", "vm-warm": "#d9480f" };
/** Dashes so chart lines differ by more than colour. */
export const KIND_DASH: Record<LaunchKind, string | undefined> = { process: "2 3", container: undefined, vm: "8 3", "vm-warm": "4 2 1 2" };
/** Kinds whose numbers come from a VM and so carry an accelerator. */
export const isVmKind = (k: LaunchKind): boolean => k === "vm" || k === "vm-warm";
