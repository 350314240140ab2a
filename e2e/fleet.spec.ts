import { expect, test, type APIRequestContext } from "@playwright/test";
import { authHeaders, startIsolabServer, type IsolabServer } from "@/scripts/testing/isolab-server";
import { E2E_STATE_DIR as stateDir } from "./e2e-env";

// The fleet page against two real servers: Playwright's own (the `local`
// host, which starts the Prometheus) and a second one started here, each
// with its own state directory and port. Prometheus scrapes both every
// second (ISOLAB_SCRAPE_INTERVAL_S in playwright.config.ts).

const HOST_B = "e2e-b";
let b: IsolabServer;

const api = (request: APIRequestContext) => ({
  post: (url: string, data: unknown) => request.post(url, { data, headers: authHeaders(stateDir) }),
  delete: (url: string) => request.delete(url, { headers: authHeaders(stateDir) }),
});

test.beforeAll(async ({ request }) => {
  b = await startIsolabServer({ env: { ISOLAB_SCRAPE_INTERVAL_S: "1" } });
  await b.api("POST", "/api/instances", { kind: "process", name: "fleet-on-b" });
  expect((await api(request).post("/api/fleet/prometheus/start", {})).ok()).toBe(true);
  const token = authHeaders(b.stateDir).authorization?.replace(/^Bearer /, "");
  expect((await api(request).post("/api/fleet/hosts", { name: HOST_B, url: b.url, ...(token ? { token } : {}) })).status()).toBe(201);
});

test.afterAll(async ({ request }) => {
  await api(request).delete(`/api/fleet/hosts/${HOST_B}`);
  await api(request).post("/api/fleet/prometheus/stop", {});
  await b?.dispose();
});

test("the fleet page shows both hosts side by side, then the stopped one down with when it was last seen", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.getByTestId("prometheus-state")).toHaveText("running");
  const local = page.getByRole("region", { name: "Host local" });
  const other = page.getByRole("region", { name: `Host ${HOST_B}` });
  await expect(local.getByTestId("fleet-host-state")).toHaveText("up");
  await expect(other.getByTestId("fleet-host-state")).toHaveText("up");
  await expect(other.getByTestId("fleet-instances-process")).toHaveText("process: 1");
  await expect(other.getByRole("link", { name: HOST_B })).toHaveAttribute("href", b.url);
  await expect(other.getByText(/accelerator (kvm|tcg|unknown)/)).toBeVisible();

  await b.stop();
  await expect(other.getByTestId("fleet-host-state")).toHaveText("down");
  await expect(other.getByTestId("fleet-host-last-seen")).toContainText("Last seen:");
  await expect(other.getByTestId("fleet-host-last-seen")).not.toContainText("not within");
  await expect(other.getByTestId("fleet-host-problems")).toContainText("scrape failed");
  await expect(local.getByTestId("fleet-host-state")).toHaveText("up");
});

test("the add-host form names what is wrong before anything is sent", async ({ page }) => {
  await page.goto("/fleet");
  const form = page.getByRole("form", { name: "Add a host" });
  await form.getByLabel("Host name").fill("Bad_Name");
  await form.getByLabel("Isolab URL").fill("http://127.0.0.1:1");
  await form.getByRole("button", { name: "Add host" }).click();
  await expect(form.getByRole("alert")).toContainText("name:");
  await expect(page.getByRole("region", { name: "Host Bad_Name" })).toHaveCount(0);
});
