import Link from "next/link";
import { PlannerForm } from "@/components/experiments/planner-form";
import { getApp } from "@/server/app";
import { plannerStart } from "@/server/services/experiments";

export const dynamic = "force-dynamic";

export default async function PlannerPage() {
  const { figures, template } = plannerStart(await getApp());
  return (
    <div className="stack">
      <PlannerForm figures={figures} template={template} />
      <Link href="/experiments">← All experiments</Link>
    </div>
  );
}
