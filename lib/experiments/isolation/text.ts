import { formatBytes } from "@/lib/core/format";
import { table } from "@/lib/core/text-table";
import { PHASE_IDS, PHASE_LABELS, type HogOutcome, type IsolationResult, type KilledBy } from "./types";
import { formatLatencyUs } from "./verdicts";

// An isolation result as terminal text (`npm run experiment -- isolation`)
// and as the one-line headline of the experiments list. Pure.

const KILLED: Record<Exclude<KilledBy, null>, string> = {
  cgroup: "its cgroup",
  "guest-kernel": "guest kernel",
  "isolab-guard": "Isolab's guard",
};
const OUTCOME_MARK = { contained: "[contained]", "not-contained": "[NOT contained]", skipped: "[skipped]", unclear: "[unclear]" } as const;

const b = (x: number | null) => (x === null ? "—" : formatBytes(x));

export function swapLine(r: IsolationResult): string {
  const total = r.host.swapTotalBytes;
  if (total === null) return "swap: unknown";
  return total === 0
    ? "swap: off — like a Kubernetes node, which requires swap off, so memory a hog takes is RAM taken from its neighbours"
    : `swap: ${formatBytes(total)} (${b(r.host.swapFreeBytes)} free) — a hog may push its neighbours' pages out to disk`;
}

function hogRow(h: HogOutcome): string[] {
  const limit = h.limitBytes !== null ? b(h.limitBytes) : h.capBytes !== null ? `none (cap ${b(h.capBytes)})` : "none";
  return [
    h.hog + (h.kind === "vm" && h.accel ? ` [${h.accel.toUpperCase()}]` : ""),
    limit,
    `${h.askedMiB} MiB`,
    h.touchedMiB === null ? "—" : `${h.touchedMiB} MiB`,
    h.error ? "not run" : h.killedBy ? KILLED[h.killedBy] : h.exitCode === 0 ? "nobody (done)" : `exit ${h.exitCode ?? "?"}`,
    h.kind === "container" ? String(h.oomKills ?? "—") : String(h.guestOomKills ?? "—"),
    b(h.hostPeakBytes),
    b(h.availableMinBytes),
  ];
}

export function isolationText(r: IsolationResult): string[] {
  const out: string[] = [swapLine(r)];
  if (r.host.reserveBytes !== null)
    out.push(`host reserve kept free: ${b(r.host.reserveBytes)} of ${b(r.host.totalBytes)}; available at the start: ${b(r.host.availableStartBytes)}`);
  out.push("", "verdicts:");
  for (const v of r.verdicts) out.push(`  ${OUTCOME_MARK[v.outcome]} ${v.text}`);
  out.push("");
  out.push(table(["hog", "limit", "asked", "touched", "killed by", "OOM kills", "host peak", "host avail. min"], r.hogs.map(hogRow)));
  const phases = PHASE_IDS.filter((p) => r.phases.some((x) => x.id === p));
  if (r.neighbours.length) {
    out.push("", "neighbours' latency, p99 (p50) oversleep per phase:");
    out.push(
      table(
        ["neighbour", ...phases.map((p) => PHASE_LABELS[p])],
        r.neighbours.map((n) => [
          n.kind + (n.kind === "vm" && n.accel ? ` [${n.accel.toUpperCase()}]` : ""),
          ...phases.map((p) => {
            const s = n.perPhase[p];
            return s ? `${formatLatencyUs(s.p99Us)} (${formatLatencyUs(s.p50Us)})` : "—";
          }),
        ]),
      ),
    );
  }
  if (r.events.length) {
    out.push("", "events:");
    for (const e of r.events) out.push(`  t=${(e.tMs / 1000).toFixed(1)} s  ${e.hog}: ${e.label}`);
  }
  return out;
}

export function isolationHeadline(r: IsolationResult): string {
  return r.hogs
    .map((h) => {
      if (h.error) return `${h.hog}: not run`;
      if (h.killedBy === "cgroup") return `${h.hog}: OOM-killed by its cgroup`;
      if (h.killedBy === "guest-kernel") return `vm: hog killed by the guest kernel${h.runningAfter ? ", VM up" : ""}`;
      if (h.killedBy === "isolab-guard") return `${h.hog}: stopped by Isolab's guard`;
      return `${h.hog}: took ${h.touchedMiB ?? "?"} MiB`;
    })
    .join(" · ");
}
