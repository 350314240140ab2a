import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";

// Debian's Chromium (a browser download is impossible here), against a
// production build served by our own server on a port of its own, with a
// state directory of its own so a developer's running Isolab is untouched.
const port = Number(process.env.E2E_PORT ?? 3107);
const stateDir = process.env.E2E_STATE_DIR ?? path.join(os.tmpdir(), `isolab-e2e-${port}`);

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/artifacts/results",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "e2e/artifacts/report.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "node scripts/serve.mjs",
    url: `http://127.0.0.1:${port}/api/host`,
    timeout: 120_000,
    reuseExistingServer: false,
    // Scrapes every second: the fleet spec's Prometheus sees a change within a second or two.
    env: { PORT: String(port), HOST: "127.0.0.1", ISOLAB_STATE_DIR: stateDir, ISOLAB_SCRAPE_INTERVAL_S: "1" },
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
  },
});
