import fs from "node:fs";
import path from "node:path";
import { expect, test as base, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import type { FiguresPayload } from "@/lib/schemas/figures";

// Verbs for /figures in the style of fixtures.ts: by role and label, waiting
// for visible text. Whatever a test launched is torn down afterwards.

export const FIGURE_NUMBERS = ["2.1", "2.2", "2.3", "2.4"] as const;
export type FigureNumber = (typeof FIGURE_NUMBERS)[number];
export const SCREENSHOT_DIR = path.join("e2e", "artifacts", "figures");

export interface FigureHelpers {
  open(): Promise<void>;
  figure(n: FigureNumber): Locator;
  /** GET /api/figures, the same facts the page draws. */
  facts(): Promise<FiguresPayload>;
  launchScenario(): Promise<void>;
  tearDownScenario(): Promise<void>;
  /** Clicks a figure's download button and returns the file's bytes. */
  download(n: FigureNumber, format: "SVG" | "PNG"): Promise<Buffer>;
  screenshots(tag: string): Promise<string[]>;
}

async function facts(request: APIRequestContext): Promise<FiguresPayload> {
  const res = await request.get("/api/figures");
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as FiguresPayload;
}

function helpers(page: Page, request: APIRequestContext, state: { launched: boolean }): FigureHelpers {
  const figure = (n: FigureNumber) => page.getByRole("figure", { name: `Figure ${n}`, exact: false });
  return {
    async open() {
      await page.goto("/figures");
      for (const n of FIGURE_NUMBERS) await expect(figure(n).getByRole("heading", { name: new RegExp(`^Figure ${n.replace(".", "\\.")} `) })).toBeVisible();
    },
    figure,
    facts: () => facts(request),
    async launchScenario() {
      state.launched = true;
      await figure("2.3").getByRole("button", { name: "Launch the Figure 2.3 scenario" }).click();
      await expect(figure("2.3").getByRole("button", { name: "Tear down the Figure 2.3 scenario" })).toBeVisible({ timeout: 120_000 });
      await expect(figure("2.3").getByRole("button", { name: "Launch the Figure 2.3 scenario" })).toHaveCount(0, { timeout: 30_000 });
    },
    async tearDownScenario() {
      await figure("2.3").getByRole("button", { name: "Tear down the Figure 2.3 scenario" }).click();
      await expect(figure("2.3").getByRole("button", { name: "Launch the Figure 2.3 scenario" })).toBeVisible({ timeout: 60_000 });
      state.launched = false;
    },
    async download(n, format) {
      const pending = page.waitForEvent("download");
      await figure(n)
        .getByRole("button", { name: `Download Figure ${n} as ${format}` })
        .click();
      const file = await (await pending).path();
      return fs.readFileSync(file);
    },
    async screenshots(tag) {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const saved: string[] = [];
      for (const n of FIGURE_NUMBERS) {
        const file = path.join(SCREENSHOT_DIR, `figure-${n.replace(".", "-")}-${tag}.png`);
        await figure(n).screenshot({ path: file });
        saved.push(file);
      }
      return saved;
    },
  };
}

export const test = base.extend<{ figures: FigureHelpers }>({
  figures: async ({ page, request }, use) => {
    const state = { launched: false };
    await use(helpers(page, request, state));
    // A failing test's scenario is removed through the API (idempotent).
    if (state.launched) await request.delete("/api/figures/scenario");
  },
});
export { expect };
