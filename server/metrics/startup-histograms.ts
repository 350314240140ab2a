import "server-only";
import type { EventEmitter } from "node:events";
import type { Instance } from "@/lib/core/types";
import { emptyHistogram, observe, STARTUP_BUCKETS_S } from "@/lib/metrics/histogram";
import type { StartupHistogram } from "@/lib/metrics/exposition";
import type { BusEvents } from "@/server/events";

// Every start this app measured, as histograms by kind and start mode, for
// /api/metrics. Fed from the bus: the first `instance` event of an id that
// carries its startup is one observation. The bus is process-wide, so an
// instance counts only if this app's supervisor owns it (tests build
// several apps in one process).

export function createStartupHistograms(events: EventEmitter<BusEvents>, owns: (id: string) => boolean) {
  const byKey = new Map<string, StartupHistogram>();
  // Ids already counted; an id leaves when its instance is removed, so the set stays as small as the supervisor's list.
  const counted = new Set<string>();

  const onInstance = (i: Instance) => {
    if (!i.startup || counted.has(i.id) || !owns(i.id)) return;
    counted.add(i.id);
    const key = `${i.kind}/${i.startMode ?? ""}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { kind: i.kind, startMode: i.startMode, histogram: emptyHistogram(STARTUP_BUCKETS_S) }));
    observe(entry.histogram, i.startup.totalMs / 1000);
  };
  const onRemoved = ({ id }: { id: string }) => counted.delete(id);
  events.on("instance", onInstance);
  events.on("instance-removed", onRemoved);

  return {
    list: (): StartupHistogram[] => [...byKey.values()],
    close() {
      events.off("instance", onInstance);
      events.off("instance-removed", onRemoved);
    },
  };
}
