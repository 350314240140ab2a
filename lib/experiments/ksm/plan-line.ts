import { storedPlan } from "@/lib/experiments/stored-plan";
import { scanPagesPerSecond } from "./schema";

// How a KSM plan is described on the run page and in the list. Pure.

export function ksmPlanLine(p: Record<string, unknown>): string {
  const { n } = storedPlan(p);
  const pages = n("pagesToScan");
  const sleep = n("sleepMs");
  const rate = pages !== undefined && sleep ? ` (≤ ${Math.round(scanPagesPerSecond(pages, sleep)).toLocaleString("en")} pages/s)` : "";
  return `${n("vms")} cold VMs, KSM on for ${n("durationSeconds")} s at pages_to_scan ${pages} every ${sleep} ms${rate}, read every ${n("sampleMs")} ms`;
}

export function ksmPlanShort(p: Record<string, unknown>): string {
  const { n } = storedPlan(p);
  return `${n("vms")} VMs, ${n("durationSeconds")} s`;
}
