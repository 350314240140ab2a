import { formatBytes, formatPercent } from "@/lib/core/format";
import { restoreText, settingsText } from "@/lib/experiments/ksm/text";
import { KSM_SOURCES, type KsmResult } from "@/lib/experiments/ksm/types";
import { AccelBadge } from "./accel-badge";
import { KsmChart } from "./ksm-chart";
import { SkippedKinds } from "./skipped-kinds";

// A KSM run: what merging saved across the cold VMs, how fast, at what CPU,
// the series over time, and what the run did to the host's KSM settings.

const MIB = 2 ** 20;

export function KsmResultView({ result, charts = true }: { result: KsmResult; charts?: boolean }) {
  const s = result.summary;
  const rows: [string, string, string][] = s
    ? [
        ["Saved at the end", formatBytes(s.savedEndBytes), KSM_SOURCES.savedFormula],
        ["Saved per VM", formatBytes(s.savedPerVmBytes), `saved ÷ ${result.vms} VMs`],
        [
          "Of the VMs' PSS before merging",
          formatPercent(s.savedPctOfPss ?? undefined),
          `saved ÷ ${formatBytes(s.pssBeforeBytes)}, the VMs' summed PSS with KSM as the host had it (${KSM_SOURCES.pss})`,
        ],
        ["VMs' PSS at the end", formatBytes(s.pssEndBytes), KSM_SOURCES.pss],
        ["Time to first merge", s.firstMergeS === null ? "no merge seen" : `${s.firstMergeS.toFixed(1)} s`, "first reading with more saved than the baseline"],
        ["general_profit at the end", formatBytes(s.generalProfitEndBytes ?? undefined), "the kernel's net figure: merged pages less its own bookkeeping"],
        ["MemAvailable change", formatBytes(s.memAvailableChangeBytes), `${KSM_SOURCES.memAvailable}, end − baseline; other processes move it too`],
        ["ksmd CPU", s.ksmdCpuPct === null ? "—" : `${formatPercent(s.ksmdCpuPct)} of one core`, "ksmd's utime + stime over the run (/proc/<ksmd>/stat)"],
        ["Full scans", String(s.fullScans), `${KSM_SOURCES.counters} full_scans during the run`],
        ["Merged pages in the run's VMs", formatPercent(s.vmsShareOfMergedPct ?? undefined), `${KSM_SOURCES.merging} ÷ (pages_shared + pages_sharing)`],
      ]
    : [];
  return (
    <div className="stack">
      <p className="small" style={{ margin: 0 }}>
        {result.vms} cold VMs of {result.memoryMiB} MiB <AccelBadge accel={result.accel} /> · page size {formatBytes(result.pageSizeBytes)}
        {s ? ` · KSM on for ${s.seconds.toFixed(1)} s, ${s.readings} readings` : ""}
      </p>
      {s ? (
        <table className="views small" data-testid="ksm-summary">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th scope="col">Value</th>
              <th scope="col">How and from where</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, value, how]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{value}</td>
                <td className="muted">{how}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No reading was taken while KSM ran.</p>
      )}
      {charts && (
        <KsmChart
          points={result.series.map((p) => ({ tS: p.tS, savedMiB: p.savedBytes / MIB, pagesSharing: p.pagesSharing, pssMiB: p.vmsPssBytes / MIB }))}
          source={`Sources: ${KSM_SOURCES.counters} (pages_sharing, ksm_zero_pages), ${KSM_SOURCES.pss}. ${KSM_SOURCES.savedFormula}.`}
        />
      )}
      <p className="small" data-testid="ksm-host" style={{ margin: 0 }}>
        Host KSM before: {settingsText(result.host.before)} · during the run: {settingsText(result.host.during)} ·{" "}
        <span className={result.host.restored === false ? "error" : undefined}>{restoreText(result)}</span>
      </p>
      {result.errors.map((e) => (
        <p key={e} className="error small" role="alert">
          {e}
        </p>
      ))}
      <SkippedKinds skipped={result.skipped} />
      <p className="muted small" style={{ margin: 0 }}>
        KSM merges every mergeable page on the host, not only this run&apos;s VMs, and costs ksmd&apos;s CPU; a merged page that one guest writes is copied
        again, and the time that copy takes tells a neighbour what the page held — why clouds keep KSM off between tenants.
      </p>
    </div>
  );
}
