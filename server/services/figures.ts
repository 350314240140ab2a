import "server-only";
import type { FiguresPayload, ScenarioResult } from "@/lib/schemas/figures";
import type { App } from "@/server/app/create-app";
import { getFigures } from "@/server/figures/assemble";

// The figures page: its payload, and the Figure 2.3 scenario the app holds
// (one launch or tear-down at a time, see server/figures/scenario.ts).

export function figures(app: App): Promise<FiguresPayload> {
  return getFigures(app);
}

export function launchScenario(app: App): Promise<ScenarioResult> {
  return app.scenario.launch();
}

export function teardownScenario(app: App): Promise<{ removed: string[] }> {
  return app.scenario.teardown();
}
