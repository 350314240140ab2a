import { HostCard } from "@/components/host/host-card";
import { InstanceBoard } from "@/components/instances/instance-board";
import { LaunchForm } from "@/components/instances/launch-form";

export const dynamic = "force-dynamic";

export default function OverviewPage() {
  return (
    <div className="stack">
      <HostCard />
      <LaunchForm />
      <InstanceBoard />
    </div>
  );
}
