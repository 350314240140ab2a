import { INSTANCE_KINDS, type InstanceKind, type VmStartMode } from "./types";

// The words and colours for each kind, in one place for the UI, the
// experiments' text and the browser tests. `vm-warm`, `vm-template` and
// `vm-pooled` are VM start modes (ARCHITECTURE.md "VM start modes"): launch
// choices and startup columns, not instance kinds (their instances have kind
// "vm" and say how they started in `startMode`).

export type LaunchKind = InstanceKind | "vm-warm" | "vm-template" | "vm-pooled";
export const LAUNCH_KINDS: readonly LaunchKind[] = [...INSTANCE_KINDS, "vm-warm", "vm-template", "vm-pooled"];

export const KIND_LABELS: Record<LaunchKind, string> = {
  process: "Bare process",
  container: "Container",
  vm: "Virtual machine",
  "vm-warm": "Virtual machine (warm)",
  "vm-template": "Virtual machine (template clone)",
  "vm-pooled": "Virtual machine (from the pool)",
};
/** The same colours as --kind-* in globals.css, for SVG charts. */
export const KIND_COLORS: Record<LaunchKind, string> = {
  process: "#6b7280",
  container: "#0f8b8d",
  vm: "#7c4dff",
  "vm-warm": "#d9480f",
  "vm-template": "#2b8a3e",
  "vm-pooled": "#c2255c",
};
/** Dashes so chart lines differ by more than colour. */
export const KIND_DASH: Record<LaunchKind, string | undefined> = {
  process: "2 3",
  container: undefined,
  vm: "8 3",
  "vm-warm": "4 2 1 2",
  "vm-template": "1 2",
  "vm-pooled": "6 2 2 2",
};
/** Kinds whose numbers come from a VM and so carry an accelerator. */
export const isVmKind = (k: LaunchKind): boolean => k === "vm" || k.startsWith("vm-");

/** The start mode a launch kind asks for (VM kinds only). */
export const LAUNCH_START_MODE: Partial<Record<LaunchKind, VmStartMode>> = { vm: "cold", "vm-warm": "warm", "vm-template": "template", "vm-pooled": "pooled" };

/** The create request's kind and start fields for a launch kind. */
export function launchRequest(k: LaunchKind): { kind: InstanceKind; startMode?: "warm" | "template" | "pooled" } {
  const mode = LAUNCH_START_MODE[k];
  if (!mode) return { kind: k as InstanceKind };
  return mode === "cold" ? { kind: "vm" } : { kind: "vm", startMode: mode };
}

/** How a VM started, in a few words for cards and tables. */
export const START_MODE_WORDS: Record<VmStartMode, string> = {
  cold: "cold boot",
  warm: "warm (restored from a full snapshot)",
  template: "template clone (shares the template's memory)",
  pooled: "pooled (started ahead, attached at launch)",
};

/** What a mode gives up or costs, for the launch form and the README. */
export const START_MODE_TRADEOFFS: Partial<Record<VmStartMode, string>> = {
  warm:
    "Restored from a snapshot of a booted template VM of this image, memory size and CPU count; the first warm launch of each boots and saves the template. " +
    "A restored guest continues the template's uptime and boot identity; Isolab gives it its own hostname and a fresh random seed.",
  template:
    "Clones map the template's RAM file (on /dev/shm) copy-on-write: each pays only for the pages it changes, but every clone starts with the template's memory contents — " +
    "its page cache, its kernel state, anything secret it held — and shares its boot id. Isolab gives each its own hostname and reseeds its RNG; the first launch boots the template.",
  pooled:
    "A template clone the pool started ahead, already loaded and paused: the launch only resumes it, names it and reseeds it. " +
    "The pool's waiting QEMUs cost memory all the time (shown on the host card); size it with ISOLAB_VM_POOL_SIZE (0 = off).",
};
