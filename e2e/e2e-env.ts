import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Where the e2e server listens and keeps its state, shared by
// playwright.config.ts and the sign-in setup, which reads the admin token
// the server's first start wrote there (as a person or a script would).
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_STATE_DIR = process.env.E2E_STATE_DIR ?? path.join(os.tmpdir(), `isolab-e2e-${E2E_PORT}`);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** The browser state (the admin's session cookie) every spec starts from. */
export const ADMIN_STORAGE_STATE = path.join("e2e", "artifacts", ".auth", "admin.json");

/** The admin token the e2e server's first start wrote (mode 0600). */
export function adminToken(): string {
  return fs.readFileSync(path.join(E2E_STATE_DIR, "admin-token"), "utf8").trim();
}
