import { defineConfig } from "@playwright/test";
import { ADMIN_STORAGE_STATE, E2E_BASE_URL, E2E_PORT, E2E_STATE_DIR } from "./e2e/e2e-env";

// Debian's Chromium (a browser download is impossible here), against a
// production build served by our own server on a port of its own, with a
// state directory of its own so a developer's running Isolab is untouched.
// Every spec starts signed in: the "sign-in" project (e2e/sign-in.setup.ts)
// signs in with the admin token the server's first start wrote and stores
// the session cookie; the specs' pages and `request` start from it.

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/artifacts/results",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "e2e/artifacts/report.json" }]],
  // The e2e server's template RAM files on /dev/shm go when the run ends (e2e/global-teardown.ts).
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: E2E_BASE_URL,
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
  projects: [
    { name: "sign-in", testMatch: /sign-in\.setup\.ts$/ },
    { name: "chromium", dependencies: ["sign-in"], use: { storageState: ADMIN_STORAGE_STATE } },
  ],
  webServer: {
    command: "node scripts/serve.mjs",
    // A public page: every other answers 401 until someone signs in.
    url: `${E2E_BASE_URL}/sign-in`,
    timeout: 120_000,
    reuseExistingServer: false,
    // Scrapes every second: the fleet spec's Prometheus sees a change within a second or two.
    env: { PORT: String(E2E_PORT), HOST: "127.0.0.1", ISOLAB_STATE_DIR: E2E_STATE_DIR, ISOLAB_SCRAPE_INTERVAL_S: "1" },
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
  },
});
