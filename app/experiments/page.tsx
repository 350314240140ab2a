import { RequireRole } from "@/components/auth/require-role";
import { DensityForm } from "@/components/experiments/density-form";
import { ExperimentForm } from "@/components/experiments/experiment-form";
import { ExperimentList } from "@/components/experiments/experiment-list";
import { HostileForm } from "@/components/experiments/hostile-form";
import { IsolationForm } from "@/components/experiments/isolation-form";
import { KsmForm } from "@/components/experiments/ksm-form";

export const dynamic = "force-dynamic";

export default function ExperimentsPage() {
  return (
    <div className="stack">
      <RequireRole role="operator" note="Starting an experiment">
        <ExperimentForm />
        <div className="grid-2">
          <IsolationForm />
          <DensityForm />
        </div>
        <HostileForm />
      </RequireRole>
      <RequireRole role="admin" note="A KSM run changes the host's kernel settings for every process on it and">
        <KsmForm />
      </RequireRole>
      <ExperimentList />
    </div>
  );
}
