"use client";
import { DownloadLinks } from "@/components/metrics/download-links";
import { TimeSeriesChart } from "@/components/metrics/time-series-chart";
import { useWindowS } from "@/components/metrics/window-context";
import { useInstanceSamples } from "@/client/use-samples";
import { formatBytes, formatPercent } from "@/lib/core/format";
import type { Instance } from "@/lib/core/types";

const MiB = 2 ** 20;
const HOST_VIEW: Record<Instance["kind"], string> = {
  process: "host view: PSS of the probe",
  container: "host view: cgroup usage",
  vm: "host view: QEMU PSS",
};

/** CPU over time, and memory as the host pays it vs as the guest believes it, on the same axes. */
export function UsageCharts({ instance }: { instance: Instance }) {
  const windowS = useWindowS();
  const { data, error, isLoading } = useInstanceSamples(instance.id, windowS);
  if (error)
    return (
      <section className="panel error" role="alert">
        Samples unavailable: {error.message}
      </section>
    );
  const samples = data?.samples ?? [];
  const latest = samples.at(-1);
  const sharesHostMemory = latest?.guestMemTotalBytes !== undefined && latest.overheadBytes === undefined;
  return (
    <section className="panel stack" aria-labelledby="usage-title">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3 id="usage-title" style={{ margin: 0 }}>
          Usage, live
        </h3>
        {samples.length > 0 && <DownloadLinks id={instance.id} name={instance.name} windowS={windowS} />}
      </div>
      {latest && (
        <p className="small" style={{ margin: 0 }} data-testid="usage-summary">
          Now: CPU <strong>{formatPercent(latest.cpuPercent ?? undefined)}</strong> of one core · host pays{" "}
          <strong>{formatBytes(latest.memoryHostBytes)}</strong> (RSS {formatBytes(latest.rssBytes)}
          {latest.cacheBytes !== undefined ? `, cache ${formatBytes(latest.cacheBytes)}` : ""}) · guest believes it uses{" "}
          <strong>{formatBytes(latest.guestMemoryBytes)}</strong>
          {latest.overheadBytes !== undefined && (
            <>
              {" "}
              · overhead <strong>{formatBytes(latest.overheadBytes)}</strong>
            </>
          )}{" "}
          · {latest.hostThreads} host threads, {latest.guestProcesses ?? "—"} processes visible inside
        </p>
      )}
      {sharesHostMemory && (
        <p className="muted small" style={{ margin: 0 }}>
          This {instance.kind} has no kernel of its own: its /proc/meminfo is the host&apos;s, so its &quot;used&quot; is the whole host&apos;s and is left off
          the memory chart.
        </p>
      )}
      <div className="grid-2">
        <TimeSeriesChart
          testId="cpu-chart"
          title="CPU"
          yLabel="% of one core"
          data={samples.map((s) => ({ t: s.t, cpu: s.cpuPercent }))}
          series={[{ key: "cpu", label: "host CPU time", color: `var(--kind-${instance.kind})` }]}
          loading={isLoading}
        />
        <TimeSeriesChart
          testId="memory-chart"
          title="Memory: host view vs guest view"
          yLabel="memory (MiB)"
          yScale={MiB}
          data={samples.map((s) => ({ t: s.t, host: s.memoryHostBytes, guest: sharesHostMemory ? null : (s.guestMemoryBytes ?? null) }))}
          series={[
            { key: "host", label: HOST_VIEW[instance.kind], color: "var(--accent)" },
            { key: "guest", label: "guest view: MemTotal − MemAvailable", color: "var(--phase-2)", dash: "6 4" },
          ]}
          loading={isLoading}
        />
      </div>
    </section>
  );
}
