"use client";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { KSM_DURATION_SECONDS, KSM_PAGES_TO_SCAN, KSM_SAMPLE_MS, KSM_SLEEP_MS, KSM_VMS, KsmPlanSchema, scanPagesPerSecond } from "@/lib/experiments/ksm/schema";
import { MEMORY_MIB } from "@/lib/schemas/instance";
import { NumberField } from "@/components/ui/number-field";
import { ExperimentFormFooter } from "./form-footer";

// Starts a KSM run (server/experiments/ksm.ts); the API's schema refuses bad input here first.

export function KsmForm() {
  const start = useStartExperiment();
  const [vms, setVms] = useState<number>(KSM_VMS.default);
  const [memoryMiB, setMemory] = useState<number>(MEMORY_MIB.default);
  const [durationSeconds, setDuration] = useState<number>(KSM_DURATION_SECONDS.default);
  const [sampleMs, setSample] = useState<number>(KSM_SAMPLE_MS.default);
  const [pagesToScan, setPages] = useState<number>(KSM_PAGES_TO_SCAN.default);
  const [sleepMs, setSleep] = useState<number>(KSM_SLEEP_MS.default);
  const [formError, setFormError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = KsmPlanSchema.safeParse({ type: "ksm", vms, memoryMiB, durationSeconds, sampleMs, pagesToScan, sleepMs });
    if (!parsed.success) return setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setFormError(null);
    start.mutate(parsed.data, { onSuccess: (r) => setStarted(r.id) });
  }

  const rate = sleepMs > 0 ? Math.round(scanPagesPerSecond(pagesToScan, sleepMs)) : 0;
  return (
    <form className="panel stack" onSubmit={submit} aria-label="Plan a KSM run" noValidate>
      <h2 style={{ margin: 0 }}>KSM: merging identical pages across VMs</h2>
      <p className="small muted" style={{ margin: 0 }}>
        Boots cold VMs, turns the kernel&apos;s samepage merging on at the rate below and shows the memory it saves over time — how Kata&apos;s KSM throttler
        and Proxmox pack VMs. Changes /sys/kernel/mm/ksm for the whole host while it runs (every VM on it is merged) and puts the host&apos;s own settings back
        after.
      </p>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <NumberField label="VMs" range={KSM_VMS} value={vms} onChange={setVms} />
        <NumberField label="VM memory" unit="MiB" range={MEMORY_MIB} value={memoryMiB} onChange={setMemory} />
        <NumberField label="KSM on for" unit="s" range={KSM_DURATION_SECONDS} value={durationSeconds} onChange={setDuration} />
        <NumberField label="Read every" unit="ms" range={KSM_SAMPLE_MS} value={sampleMs} onChange={setSample} />
        <NumberField label="pages_to_scan" unit="pages" range={KSM_PAGES_TO_SCAN} value={pagesToScan} onChange={setPages} />
        <NumberField label="sleep_millisecs" unit="ms" range={KSM_SLEEP_MS} value={sleepMs} onChange={setSleep} />
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        ksmd scans at most {rate.toLocaleString("en")} pages/s ({((rate * 4096) / 2 ** 20).toFixed(0)} MiB/s with 4 KiB pages).
      </p>
      <ExperimentFormFooter label="Start KSM run" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
