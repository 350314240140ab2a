import { accelLabel } from "@/lib/experiments/types";
import type { Accel } from "@/lib/core/types";

/** Printed beside every VM number: TCG figures must never pass for KVM ones. */
export function AccelBadge({ accel }: { accel: Accel | undefined | null }) {
  return (
    <span className={`badge xp-accel xp-accel-${accel ?? "unknown"}`} title={accelLabel(accel)}>
      {accelLabel(accel)}
    </span>
  );
}
