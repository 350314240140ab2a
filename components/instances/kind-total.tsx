import { formatBytes, formatPercent } from "@/lib/core/format";
import type { KindTotal as KindTotalData } from "@/lib/metrics/samples";

/** The column's sum of host memory and CPU over its running instances. */
export function KindTotal({ total, label }: { total: KindTotalData; label: string }) {
  if (total.running === 0) return null;
  return (
    <div className="total-row small" aria-label={`${label} total`} data-testid={`total-${total.kind}`}>
      <strong>Total</strong> {total.running} running · host memory <strong>{formatBytes(total.memoryHostBytes)}</strong> · CPU{" "}
      <strong>{formatPercent(total.cpuPercent)}</strong> of one core
      {total.sampled < total.running && (
        <span className="muted">
          {" "}
          ({total.sampled} of {total.running} sampled yet)
        </span>
      )}
    </div>
  );
}
