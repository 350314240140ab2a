import Link from "next/link";
import { PlannerForm } from "@/components/experiments/planner-form";
import { getApp } from "@/server/app";
import { plannerStart } from "@/server/services/experiments";

export const dynamic = "force-dynamic";

export default async function PlannerPage() {
  const { defaults, template, source } = plannerStart(await getApp());
  return (
    <div className="stack">
      <PlannerForm defaults={defaults} template={template} source={source} />
      <Link href="/experiments">← All experiments</Link>
    </div>
  );
}
