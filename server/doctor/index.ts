import "server-only";
import { doctorVerdict, type DoctorVerdict } from "@/lib/host/doctor";
import type { IsolabConfig } from "@/server/config";
import { gatherFacts } from "./facts";

/** What this host can do for Isolab: the facts and their verdict (`npm run doctor`). */
export async function runDoctor(config: IsolabConfig): Promise<DoctorVerdict & { facts: Awaited<ReturnType<typeof gatherFacts>> }> {
  const facts = await gatherFacts(config);
  return { ...doctorVerdict(facts), facts };
}
