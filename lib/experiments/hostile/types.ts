import type { SkippedKind } from "@/lib/experiments/types";
import type { HostileTarget } from "./schema";

// What a hostile-image run produces (its plan: ./schema.ts).

/** The attempts of `probe hostile` (guest/probe/hostile.c), in its order. */
export const HOSTILE_ATTEMPTS = ["mount", "userns", "keyctl", "ptrace", "sysctl", "module", "setuid"] as const;
export type HostileAttempt = (typeof HOSTILE_ATTEMPTS)[number];

export const ATTEMPT_LABELS: Record<HostileAttempt, string> = {
  mount: "mount a filesystem",
  userns: "unshare(CLONE_NEWUSER)",
  keyctl: "keyctl / add_key",
  ptrace: "ptrace a host process",
  sysctl: "write /proc/sys (a global sysctl)",
  module: "load a kernel module",
  setuid: "setuid-root escalation",
};

export const TARGET_LABELS: Record<HostileTarget, string> = {
  container: "container (confined)",
  "container-privileged": "container (privileged)",
  vm: "VM",
};

/** One cell: whether the attempt succeeded there, and the errno when it did not. */
export interface HostileCell {
  ok: boolean;
  errno?: string;
}

export interface HostileRow {
  attempt: HostileAttempt;
  label: string;
  cells: Partial<Record<HostileTarget, HostileCell>>;
}

export interface HostileResult {
  type: "hostile";
  targets: HostileTarget[];
  rows: HostileRow[];
  /** Targets whose probe gave no answer, with why. */
  failed: { target: HostileTarget; error: string }[];
  skipped: SkippedKind[];
}
