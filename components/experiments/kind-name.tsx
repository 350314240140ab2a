import type { Accel } from "@/lib/core/types";
import type { LaunchKind } from "@/lib/core/kinds";
import { AccelBadge } from "./accel-badge";
import { isVmKind, KIND_LABELS } from "./labels";

/** A kind's name as a row header; a VM's carries its accelerator. */
export function KindName({ kind, accel }: { kind: LaunchKind; accel: Accel | undefined | null }) {
  return (
    <>
      {KIND_LABELS[kind]} {isVmKind(kind) && <AccelBadge accel={accel} />}
    </>
  );
}
