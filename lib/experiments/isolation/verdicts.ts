import { MIB, GIB } from "@/lib/host/memory-guard";
import { HOG_KIND, HOG_LABELS, type HogOutcome, type IsolationVerdict, type NeighbourLatency, type PhaseId } from "./types";

// One plain-language verdict per hog, derived from what was measured (kill
// counts, exit codes, host readings), never from what was expected. Pure.

const KIND_WORD = { process: "process", container: "container", vm: "VM" } as const;

export function formatLatencyUs(us: number): string {
  const ms = us / 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}

const mib = (b: number | null) => (b === null ? "?" : `${Math.round(b / MIB)} MiB`);
const gib = (b: number) => `${(b / GIB).toFixed(1)} GiB`;

/** "Neighbours' p99 latency: process 0.31 → 0.35 ms · VM 2.1 → 2.6 ms", or "" without data. */
export function neighboursClause(neighbours: readonly NeighbourLatency[], phase: PhaseId): string {
  const parts = neighbours.flatMap((n) => {
    const before = n.perPhase.before;
    const during = n.perPhase[phase];
    return before && during ? [`${KIND_WORD[n.kind]} ${formatLatencyUs(before.p99Us)} → ${formatLatencyUs(during.p99Us)}`] : [];
  });
  return parts.length ? ` Neighbours' p99 latency before → during: ${parts.join(" · ")}.` : "";
}

function limitedContainer(h: HogOutcome): Pick<IsolationVerdict, "outcome" | "text"> {
  const head = `Container with a ${mib(h.limitBytes)} limit`;
  const got = `it had touched ${h.touchedMiB ?? "?"} of the ${h.askedMiB} MiB it asked for`;
  if (h.killedBy === "cgroup") {
    const kills = `${h.oomKills} kill${h.oomKills === 1 ? "" : "s"} counted by the cgroup`;
    return {
      outcome: "contained",
      text: `${head}: OOM-killed by its cgroup at its ${mib(h.limitBytes)} limit (${kills}; ${got}; peak cgroup usage ${mib(h.hostPeakBytes)}).`,
    };
  }
  if (h.exitCode === 0) {
    return {
      outcome: "not-contained",
      text: `${head}: NOT stopped — it allocated all ${h.askedMiB} MiB it asked for (peak cgroup usage ${mib(h.hostPeakBytes)}).`,
    };
  }
  return { outcome: "unclear", text: `${head}: exited with code ${h.exitCode ?? "?"} but its cgroup counted ${h.oomKills ?? "no"} OOM kill(s); ${got}.` };
}

function vm(h: HogOutcome): Pick<IsolationVerdict, "outcome" | "text"> {
  const head = `VM with ${mib(h.limitBytes)} of guest memory${h.accel ? ` (${h.accel.toUpperCase()})` : ""}`;
  const alive =
    h.runningAfter === true
      ? `the VM kept running (its agent answered ping${h.pingMs !== null ? ` in ${h.pingMs.toFixed(0)} ms` : ""})`
      : h.runningAfter === false
        ? "the VM itself did not survive"
        : "whether the VM survived was not checked";
  const split =
    h.guestRamPeakBytes !== null && h.qemuOwnPeakBytes !== null
      ? `: ${mib(h.guestRamPeakBytes)} of guest RAM resident + ${mib(h.qemuOwnPeakBytes)} of QEMU itself`
      : "";
  const paid =
    h.hostPeakBytes !== null
      ? ` The host paid at most ${mib(h.hostPeakBytes)} for it (QEMU RSS${split}), up from ${mib(h.hostStartBytes)} before the hog.`
      : "";
  if (h.killedBy === "guest-kernel") {
    return {
      outcome: h.runningAfter === false ? "not-contained" : "contained",
      text: `${head}: the guest's own kernel OOM-killed the hog after ${h.touchedMiB ?? "?"} of the ${h.askedMiB} MiB it asked for; ${alive}.${paid}`,
    };
  }
  if (h.exitCode === 0) return { outcome: "unclear", text: `${head}: the hog got all ${h.askedMiB} MiB it asked for; ${alive}.${paid}` };
  return { outcome: "unclear", text: `${head}: the hog ended with code ${h.exitCode ?? "?"} without an OOM message on the guest's console; ${alive}.${paid}` };
}

function unlimitedContainer(h: HogOutcome): Pick<IsolationVerdict, "outcome" | "text"> {
  const fall =
    h.availableStartBytes !== null && h.availableMinBytes !== null
      ? ` Host MemAvailable fell ${gib(h.availableStartBytes)} → ${gib(h.availableMinBytes)} (−${mib(h.availableStartBytes - h.availableMinBytes)}) while it ran${h.availableEndBytes !== null ? ` and was back at ${gib(h.availableEndBytes)} after` : ""}.`
      : "";
  const cap = `Isolab's cap of ${mib(h.capBytes)}${h.capBound && h.capBound !== "requested" ? ` (set by the ${h.capBound})` : ""}`;
  if (h.killedBy === "isolab-guard") {
    const why = h.guardReason ? ` ${h.guardReason}` : "";
    return {
      outcome: "not-contained",
      text: `Container without a memory limit: nothing in the kernel stopped it — Isolab's guard had to, at ${h.touchedMiB ?? "?"} MiB (peak cgroup usage ${mib(h.hostPeakBytes)}).${why}${fall}`,
    };
  }
  if (h.killedBy === "cgroup")
    return { outcome: "unclear", text: `Container without a memory limit: unexpectedly OOM-killed by its cgroup (${h.oomKills} kill(s)).${fall}` };
  if (h.exitCode === 0) {
    return {
      outcome: "not-contained",
      text: `Container without a memory limit: nothing in the kernel stopped it — it took ${h.touchedMiB ?? "?"} MiB of host memory (peak cgroup usage ${mib(h.hostPeakBytes)}), bounded only by ${cap}.${fall}`,
    };
  }
  return {
    outcome: "unclear",
    text: `Container without a memory limit: the hog exited with code ${h.exitCode ?? "?"} after ${h.touchedMiB ?? "?"} MiB.${fall}`,
  };
}

export function isolationVerdicts(hogs: readonly HogOutcome[], neighbours: readonly NeighbourLatency[]): IsolationVerdict[] {
  return hogs.map((h) => {
    const kind = HOG_KIND[h.hog];
    if (h.error) return { hog: h.hog, kind, outcome: "skipped", text: `${HOG_LABELS[h.hog]}: not run — ${h.error}` };
    const v = h.hog === "container-limited" ? limitedContainer(h) : h.hog === "vm" ? vm(h) : unlimitedContainer(h);
    return { hog: h.hog, kind, outcome: v.outcome, text: v.text + neighboursClause(neighbours, h.hog) };
  });
}
