import Link from "next/link";
import { PlannerForm } from "@/components/experiments/planner-form";
import { plannerStart } from "@/server/experiments/planner";

export const dynamic = "force-dynamic";

export default function PlannerPage() {
  const { defaults, source } = plannerStart();
  return (
    <div className="stack">
      <PlannerForm defaults={defaults} source={source} />
      <Link href="/experiments">← All experiments</Link>
    </div>
  );
}
