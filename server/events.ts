import "server-only";
import { EventEmitter } from "node:events";
import type { Instance } from "@/lib/core/types";

// The process-wide bus that /api/stream forwards to browsers as server-sent
// events. Producers: the supervisor (instance state), the sampler (samples),
// the experiment runner (progress). createApp hands it out as `app.bus`;
// readers take it from there, so every route bundle sees the one the app's
// supervisor emits on (the app is built once, in one copy of this module).

export interface BusEvents {
  instance: [Instance];
  "instance-removed": [{ id: string }];
  sample: [unknown];
  experiment: [unknown];
}

let theBus: EventEmitter<BusEvents> | undefined;

export function bus(): EventEmitter<BusEvents> {
  if (!theBus) {
    theBus = new EventEmitter<BusEvents>();
    theBus.setMaxListeners(200);
  }
  return theBus;
}
