import "server-only";
import { EventEmitter } from "node:events";
import type { Instance } from "@/lib/core/types";

// One process-wide bus that /api/stream forwards to browsers as server-sent
// events. Producers: the supervisor (instance state), the sampler (samples),
// the experiment runner (progress). Lives on globalThis like the supervisor,
// so a dev reload does not split listeners across two copies.

export interface BusEvents {
  instance: [Instance];
  "instance-removed": [{ id: string }];
  sample: [unknown];
  experiment: [unknown];
}

const key = Symbol.for("isolab.bus");
type Holder = { [key]?: EventEmitter<BusEvents> };

export function bus(): EventEmitter<BusEvents> {
  const holder = globalThis as Holder;
  if (!holder[key]) {
    holder[key] = new EventEmitter<BusEvents>();
    holder[key].setMaxListeners(200);
  }
  return holder[key];
}
