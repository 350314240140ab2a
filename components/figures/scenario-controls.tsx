"use client";
import type { useLaunchScenario, useTeardownScenario } from "@/client/use-figures";
import { useCan } from "@/client/use-me";

type Launch = ReturnType<typeof useLaunchScenario>;
type Teardown = ReturnType<typeof useTeardownScenario>;

/** Starts the Figure 2.3 scenario; its label says what it does while it runs. */
export function LaunchButton({ launch, label = "Launch the Figure 2.3 scenario" }: { launch: Launch; label?: string }) {
  const canOperate = useCan("operator");
  if (!canOperate) return null;
  return (
    <button type="button" className="primary" onClick={() => launch.mutate()} disabled={launch.isPending}>
      {launch.isPending ? "Launching 8 instances…" : label}
    </button>
  );
}

export interface ScenarioControlsProps {
  launch: Launch;
  teardown: Teardown;
  /** Whether any scenario instance exists, so there is something to tear down. */
  anyMember: boolean;
  running: boolean;
}

export function ScenarioControls({ launch, teardown, anyMember, running }: ScenarioControlsProps) {
  const error = launch.error ?? teardown.error;
  const canOperate = useCan("operator");
  if (!canOperate) return null;
  return (
    <>
      {!running && <LaunchButton launch={launch} />}
      {anyMember && (
        <button type="button" className="danger" onClick={() => teardown.mutate()} disabled={teardown.isPending || launch.isPending}>
          {teardown.isPending ? "Tearing down…" : "Tear down the Figure 2.3 scenario"}
        </button>
      )}
      {launch.isPending && (
        <span className="small muted" role="status">
          3 bare processes and 3 containers at once, then 2 VMs one after another…
        </span>
      )}
      {error && (
        <span className="error small" role="alert">
          {error.message}
        </span>
      )}
    </>
  );
}
