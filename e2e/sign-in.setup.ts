import { expect, test as setup } from "@playwright/test";
import { ADMIN_STORAGE_STATE, adminToken } from "./e2e-env";

// Runs once, after the web server started and before every spec: signs in
// with the admin token from <state>/admin-token through the same API the
// sign-in page uses, and keeps the session cookie for the specs' pages and
// their `request` (playwright.config.ts: storageState).
setup("sign in with the first start's admin token", async ({ request }) => {
  const res = await request.post("/api/auth/sign-in", { data: { token: adminToken() } });
  expect(res.status(), await res.text()).toBe(200);
  expect((await (await request.get("/api/me")).json()).role).toBe("admin");
  await request.storageState({ path: ADMIN_STORAGE_STATE });
});
