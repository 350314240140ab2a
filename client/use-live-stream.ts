"use client";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { appendToWindow, type InstanceSamples, type SampleTick, type SamplesSnapshot } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import { queryKeys, STREAM_RETRY_MAX_MS } from "./query-keys";
import { setStreamStatus } from "./stream-status";

// One EventSource on /api/stream per tab. Snapshots come from react-query;
// the stream's events are merged into those caches. EventSource reconnects
// by itself after a dropped connection; when it gives up (an HTTP error while
// the server restarts) a new one is opened with a backoff. After any
// reconnect the snapshots are refetched, since events were missed meanwhile.

type Listener = (data: unknown) => void;
const extra = new Map<string, Set<Listener>>();

/** Lets other views (experiments) follow stream events without a second connection. */
export function subscribeStream(event: "experiment" | "instance" | "instance-removed" | "sample", fn: Listener): () => void {
  let set = extra.get(event);
  if (!set) extra.set(event, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

function upsert(list: Instance[] | undefined, inst: Instance): Instance[] | undefined {
  if (!list) return list;
  const i = list.findIndex((x) => x.id === inst.id);
  return i < 0 ? [...list, inst] : list.map((x, j) => (j === i ? inst : x));
}

export function mergeInstance(qc: QueryClient, inst: Instance): void {
  qc.setQueryData<Instance[]>(queryKeys.instances, (list) => upsert(list, inst));
  qc.setQueryData<Instance>(queryKeys.instance(inst.id), inst);
  // The samples query carries the state too (exited reason beside the chart).
  qc.setQueriesData<InstanceSamples>({ queryKey: queryKeys.instanceSamplesAll(inst.id) }, (old) =>
    old ? { ...old, state: inst.state, reason: inst.reason } : old,
  );
}

export function mergeRemoved(qc: QueryClient, id: string): void {
  qc.setQueryData<Instance[]>(queryKeys.instances, (list) => list?.filter((x) => x.id !== id));
  void qc.invalidateQueries({ queryKey: queryKeys.instance(id), exact: true });
}

export function mergeTick(qc: QueryClient, tick: SampleTick): void {
  for (const [id, sample] of Object.entries(tick.instances)) {
    qc.setQueriesData<InstanceSamples>({ queryKey: queryKeys.instanceSamplesAll(id) }, (old) =>
      old ? { ...old, samples: appendToWindow(old.samples, sample, old.windowS) } : old,
    );
  }
  qc.setQueriesData<SamplesSnapshot>({ queryKey: [...queryKeys.samples, "snapshot"] }, (old) =>
    old
      ? {
          ...old,
          host: tick.host ? appendToWindow(old.host, tick.host, old.windowS) : old.host,
          sampler: tick.sampler,
          latest: { ...old.latest, ...tick.instances },
        }
      : old,
  );
}

export function useLiveStream(url = "/api/stream"): void {
  const qc = useQueryClient();
  useEffect(() => {
    let es: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let everOpen = false;
    let disposed = false;

    const dispatch = (event: string, data: unknown) => extra.get(event)?.forEach((fn) => fn(data));
    const on = (event: string, fn: (data: unknown) => void) =>
      es?.addEventListener(event, (e) => {
        const data: unknown = JSON.parse((e as MessageEvent<string>).data);
        fn(data);
        dispatch(event, data);
      });

    const open = () => {
      if (disposed) return;
      setStreamStatus(everOpen ? "reconnecting" : "connecting");
      es = new EventSource(url);
      es.onopen = () => {
        attempts = 0;
        setStreamStatus("live");
        if (everOpen) {
          void qc.invalidateQueries({ queryKey: queryKeys.instances });
          void qc.invalidateQueries({ queryKey: queryKeys.samples });
        }
        everOpen = true;
      };
      es.onerror = () => {
        setStreamStatus("reconnecting");
        if (es?.readyState !== EventSource.CLOSED) return; // the browser retries on its own
        es.close();
        const delay = Math.min(STREAM_RETRY_MAX_MS, 1000 * 2 ** attempts++);
        retryTimer = setTimeout(open, delay);
      };
      on("instance", (d) => mergeInstance(qc, d as Instance));
      on("instance-removed", (d) => mergeRemoved(qc, (d as { id: string }).id));
      on("sample", (d) => mergeTick(qc, d as SampleTick));
      on("experiment", () => {});
    };
    open();
    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      es?.close();
    };
  }, [qc, url]);
}
