import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// Sign-in as a person does it, from a browser with no session: a viewer sees
// the dashboard but is offered no launch (and a forced POST is refused,
// naming the role), an operator launches, and sign-out ends the session.
// The accounts are made through the API with the admin token and removed after.

test.use({ storageState: { cookies: [], origins: [] } });

const ACCOUNTS = [
  { name: "e2e-viewer", role: "viewer", password: "viewer password" },
  { name: "e2e-operator", role: "operator", password: "operator password" },
] as const;

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  const form = page.getByRole("form", { name: "Sign in with an account" });
  await form.getByLabel("Account").fill(name);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
  await expect(page).toHaveURL(/\/$/);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // The session is gone on the server, not only in the page.
  expect((await page.request.get("/api/me")).status()).toBe(401);
}

test("a viewer cannot launch, an operator can, and each signs out", async ({ page, instances, adminRequest }) => {
  for (const a of ACCOUNTS) {
    const res = await adminRequest.post("/api/access/users", { data: a });
    expect([201, 409], await res.text()).toContain(res.status());
  }
  try {
    const wrong = page.getByRole("form", { name: "Sign in with an account" });
    await page.goto("/sign-in");
    await wrong.getByLabel("Account").fill("e2e-viewer");
    await wrong.getByLabel("Password").fill("not the password");
    await wrong.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Wrong account name or password");

    await signIn(page, "e2e-viewer", "viewer password");
    await expect(page.getByRole("heading", { name: /Host/ })).toBeVisible();
    await expect(page.getByRole("note")).toContainText("Launching an instance needs the operator role");
    await expect(page.getByRole("form", { name: "Launch an instance" })).toHaveCount(0);
    // Forced from the page as its own script would: same origin, the session cookie, JSON.
    const forced = await page.evaluate(async () => {
      const r = await fetch("/api/instances", { method: "POST", headers: { "content-type": "application/json" }, body: '{"kind":"process"}' });
      return { status: r.status, body: (await r.json()) as { error: string; needed: string } };
    });
    expect(forced.status).toBe(403);
    expect(forced.body.needed).toBe("operator");
    expect(forced.body.error).toContain("needs the operator role");
    expect((await (await adminRequest.get("/api/instances")).json()).instances.filter((i: { name: string }) => i.name.startsWith("e2e-"))).toHaveLength(0);
    // No terminal for a viewer: the page offers none, and a socket forced from the page is refused by the server.
    const started = await adminRequest.post("/api/instances", { data: { kind: "container", name: "e2e-viewer-term" } });
    expect(started.status(), await started.text()).toBe(201);
    const container = (await started.json()) as { id: string };
    try {
      await page.goto(`/instances/${container.id}`);
      await expect(page.getByTestId("terminal-needs-role")).toBeVisible();
      const socket = await page.evaluate(
        (id) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/ws/terminal/${id}`);
            ws.onopen = () => resolve("open");
            ws.onerror = () => resolve("refused");
          }),
        container.id,
      );
      expect(socket).toBe("refused");
    } finally {
      await adminRequest.delete(`/api/instances/${container.id}`);
    }
    await signOut(page);

    await signIn(page, "e2e-operator", "operator password");
    await instances.launch("process", "e2e-op-proc");
    await instances.remove("e2e-op-proc");
    await signOut(page);
  } finally {
    for (const a of ACCOUNTS) await adminRequest.delete(`/api/access/users/${a.name}`);
  }
});
