import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServe, waitUntil, type ServeProcess } from "./serve-process";

// TLS off loopback, on the real server: bound to 0.0.0.0 it refuses to start
// without TLS, and with ISOLAB_TLS_GENERATE=1 it serves HTTPS that curl
// verifies against the certificate it generated (no -k anywhere).

const stateDirs: string[] = [];
let running: ServeProcess | undefined;
afterAll(async () => {
  await running?.stop();
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

function stateDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "isolab-tls-"));
  stateDirs.push(d);
  return d;
}

/** curl over verified TLS: the HTTP status, or curl's own exit code and message when TLS or the connection failed. */
function curl(args: string[]): Promise<{ code: number; status: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30", ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, status: stdout.trim(), stderr });
    });
  });
}

describe("TLS off loopback, on the real server", () => {
  it("refuses HOST=0.0.0.0 without TLS, naming what to set, and leaves no listener", async () => {
    const server = await startServe({ HOST: "0.0.0.0", ISOLAB_STATE_DIR: stateDir(), ISOLAB_TLS_CERT: "", ISOLAB_TLS_KEY: "", ISOLAB_TLS_GENERATE: "" });
    const code = await server.exited;
    expect(code).not.toBe(0);
    expect(server.output()).toContain("ISOLAB_TLS_CERT");
    expect(server.output()).toContain("ISOLAB_TLS_KEY");
    expect(server.output()).toContain("ISOLAB_TLS_GENERATE=1");
    expect((await curl([`http://127.0.0.1:${server.port}/api/host`])).code).not.toBe(0);
  });

  it("with ISOLAB_TLS_GENERATE=1 serves HTTPS that curl --cacert verifies, by address and by name", async () => {
    const dir = stateDir();
    running = await startServe({ HOST: "0.0.0.0", ISOLAB_STATE_DIR: dir, ISOLAB_TLS_GENERATE: "1", ISOLAB_TLS_CERT: "", ISOLAB_TLS_KEY: "" });
    const { port } = running;
    const cert = path.join(dir, "tls", "cert.pem");
    // An answer over verified TLS: sign-in may answer 401 instead of 200, both are HTTP.
    const answered = (r: { code: number; status: string }) => r.code === 0 && ["200", "401"].includes(r.status);
    await waitUntil(running, async () => answered(await curl(["--cacert", cert, `https://127.0.0.1:${port}/api/host`])));
    expect(answered(await curl(["--cacert", cert, "--resolve", `localhost:${port}:127.0.0.1`, `https://localhost:${port}/api/host`]))).toBe(true);

    // The key is the owner's alone; the fingerprint printed is the certificate's.
    expect(statSync(path.join(dir, "tls", "key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "tls")).mode & 0o777).toBe(0o700);
    expect(running.output()).toContain(new X509Certificate(readFileSync(cert)).fingerprint256);

    // Without the certificate to trust, curl refuses the connection: it is TLS, and it is this certificate.
    const untrusted = await curl([`https://127.0.0.1:${port}/api/host`]);
    expect(untrusted.code).toBe(60);
    // Plain HTTP on that port gets no answer.
    expect((await curl([`http://127.0.0.1:${port}/api/host`])).status).not.toMatch(/^[1-5]\d\d$/);

    // The same-origin check takes the https origin.
    const crossSite = await curl([
      "--cacert",
      cert,
      "-X",
      "POST",
      "-H",
      "origin: http://evil.example",
      "-H",
      "content-type: application/json",
      "--data",
      "{}",
      `https://127.0.0.1:${port}/api/experiments`,
    ]);
    expect(crossSite.status).toBe("403");
    const own = await curl([
      "--cacert",
      cert,
      "-X",
      "POST",
      "-H",
      `origin: https://127.0.0.1:${port}`,
      "-H",
      "content-type: application/json",
      "--data",
      '{"type":"no-such-type"}',
      `https://127.0.0.1:${port}/api/experiments`,
    ]);
    expect(["422", "401"]).toContain(own.status);

    await running.stop();
    running = undefined;
  });
});
