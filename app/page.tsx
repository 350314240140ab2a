import { RequireRole } from "@/components/auth/require-role";
import { HostCard } from "@/components/host/host-card";
import { InstanceBoard } from "@/components/instances/instance-board";
import { LaunchForm } from "@/components/instances/launch-form";
import { WindowProvider, WindowSelector } from "@/components/metrics/window-context";
import { SnapshotPanel } from "@/components/snapshots/snapshot-panel";

export const dynamic = "force-dynamic";

export default function OverviewPage() {
  return (
    <WindowProvider>
      <div className="stack">
        <HostCard />
        <RequireRole role="operator" note="Launching an instance">
          <LaunchForm />
        </RequireRole>
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2 style={{ margin: 0, fontSize: "1rem" }}>Instances, side by side</h2>
          <WindowSelector />
        </div>
        <InstanceBoard />
        <SnapshotPanel />
      </div>
    </WindowProvider>
  );
}
