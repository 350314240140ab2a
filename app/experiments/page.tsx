import { ExperimentForm } from "@/components/experiments/experiment-form";
import { ExperimentList } from "@/components/experiments/experiment-list";

export const dynamic = "force-dynamic";

export default function ExperimentsPage() {
  return (
    <div className="stack">
      <ExperimentForm />
      <ExperimentList />
    </div>
  );
}
