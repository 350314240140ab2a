import http from "node:http";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { authHeaders, startIsolabServer, type IsolabServer } from "@/scripts/testing/isolab-server";
import { E2E_BASE_URL, E2E_STATE_DIR as stateDir } from "./e2e-env";

// The fleet page against two real servers: Playwright's own (the `local`
// host, which starts the Prometheus) and a second one started here, each
// with its own state directory and port. Prometheus scrapes both every
// second (ISOLAB_SCRAPE_INTERVAL_S in playwright.config.ts). Each fault of
// the issue is read on the card of the host it concerns.

const HOST_B = "e2e-b";
const WRONG_TOKEN_HOST = "e2e-wrong-token";
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
  await expect(local.getByTestId("fleet-instances-process")).toHaveText(/^process: \d+$/);
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

test("names each fault on its host's card: a wrong token, Prometheus stopped, a query that times out; the dashboard does not wait", async ({
  page,
  request,
}) => {
  // Ready, but its queries never answer: a Prometheus too loaded to evaluate them.
  const hanging = http.createServer((req, res) => {
    if (req.url === "/-/ready") res.end("Prometheus Server is Ready.\n");
  });
  await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
  try {
    await page.goto("/fleet");
    const local = page.getByRole("region", { name: "Host local" });
    // A host that answers, with a token it does not accept (sign-in is on in e2e).
    expect((await api(request).post("/api/fleet/hosts", { name: WRONG_TOKEN_HOST, url: E2E_BASE_URL, token: "not-the-token-0123" })).status()).toBe(201);
    const wrong = page.getByRole("region", { name: `Host ${WRONG_TOKEN_HOST}` });
    await expect(wrong.getByTestId("fleet-host-state")).toHaveText("down");
    await expect(wrong.getByTestId("fleet-host-problems")).toContainText("401");
    await expect(local.getByTestId("fleet-host-state")).toHaveText("up");

    expect((await api(request).post("/api/fleet/prometheus/stop", {})).ok()).toBe(true);
    await expect(local.getByTestId("fleet-host-state")).toHaveText("unknown");
    await expect(local.getByTestId("fleet-host-problems")).toContainText("state unknown: no Prometheus");

    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    expect((await api(request).post("/api/fleet/prometheus/start", { url })).ok()).toBe(true);
    await expect(local.getByTestId("fleet-host-problems")).toContainText("did not answer within 4 s");
    await expect(local.getByTestId("fleet-instances-process")).toContainText("did not answer within 4 s");
    // No other page asks Prometheus.
    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toHaveText(/live/);
  } finally {
    await api(request).delete(`/api/fleet/hosts/${WRONG_TOKEN_HOST}`);
    await api(request).post("/api/fleet/prometheus/stop", {});
    hanging.closeAllConnections();
    hanging.close();
  }
});
