"use client";
import { useRef } from "react";
import { useElementWidth } from "@/client/use-element-width";
import { useFigures, useLaunchScenario, useTeardownScenario } from "@/client/use-figures";
import { useNow } from "@/client/use-now";
import { modeForWidth } from "@/lib/figures/geometry";
import { DensityButton, ExperimentButtons } from "./experiment-buttons";
import { Fig21Memory } from "./fig21-memory";
import { Fig22Syscall } from "./fig22-syscall";
import { Fig23Apps } from "./fig23-apps";
import { Fig24Images } from "./fig24-images";
import { LaunchButton, ScenarioControls } from "./scenario-controls";

/** Figures 2.1–2.4 from this host's measurements; the layout follows the width (stacked on a phone). */
export function FiguresView() {
  const figures = useFigures();
  const launch = useLaunchScenario();
  const teardown = useTeardownScenario();
  const holder = useRef<HTMLDivElement>(null);
  const mode = modeForWidth(useElementWidth(holder));
  const now = useNow(5000);
  const data = figures.data;
  return (
    <div ref={holder} className="stack" data-layout={mode} data-testid="figures">
      {figures.error && (
        <p className="error" role="alert">
          Could not read the figures&apos; data: {figures.error.message}
        </p>
      )}
      {!data ? (
        !figures.error && (
          <p className="muted" aria-busy="true">
            Reading this host&apos;s measurements…
          </p>
        )
      ) : (
        <>
          <Fig21Memory
            data={data}
            mode={mode}
            now={now}
            launchButton={<LaunchButton launch={launch} label="Launch VMs and containers (the Figure 2.3 scenario)" />}
            densityButton={<DensityButton busy={data.fig22.pending.some((p) => p.type === "density")} />}
          />
          <Fig22Syscall data={data} mode={mode} now={now} runButtons={<ExperimentButtons busy={data.fig22.pending.length > 0} />} />
          <Fig23Apps
            data={data}
            mode={mode}
            now={now}
            controls={
              <ScenarioControls
                launch={launch}
                teardown={teardown}
                running={data.fig23.running}
                anyMember={data.fig23.members.some((m) => m.instanceId !== null)}
              />
            }
          />
          <Fig24Images data={data} mode={mode} now={now} />
        </>
      )}
    </div>
  );
}
