import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRegistry, listRepositories, manifestDigest, pingRegistry } from "./client";
import { checkedLookup, registryRequest } from "./http";
import { endpointFor } from "./manager";

// The registry client's policy against real sockets: a small HTTP server on
// 127.0.0.1 that redirects to the cloud metadata address, to another local
// port, or on its own host, and answers errors with bodies a message must
// not repeat. Nothing here connects anywhere but 127.0.0.1: a refused
// redirect is refused before any connection.

const SECRET = "ami-id instance-id SECRET-TOKEN-1234";
let server: http.Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    const route: Record<string, () => void> = {
      "/v2/": () => res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end(SECRET),
      "/v2/_catalog?n=1000": () => res.writeHead(200, { "content-type": "text/html" }).end(`<html>${SECRET}</html>`),
      "/v2/same/tags/list": () => res.writeHead(307, { location: "/v2/other/tags/list" }).end(),
      "/v2/other/tags/list": () => res.writeHead(500).end(SECRET),
      "/v2/port/manifests/1": () => res.writeHead(301, { location: `http://127.0.0.1:1/v2/` }).end(),
      "/v2/fe80/manifests/1": () => res.writeHead(302, { location: "http://[fe80::1]/v2/" }).end(),
      "/v2/loop/manifests/1": () => res.writeHead(302, { location: "/v2/loop/manifests/1" }).end(),
    };
    (route[req.url ?? ""] ?? (() => res.writeHead(404).end(SECRET)))();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected a refusal"),
    (e: Error & { status?: number }) => e,
  );

describe("registry client policy (a local HTTP server)", () => {
  it("refuses a redirect to 169.254.169.254 without following it, naming the status and what to do", async () => {
    const err = await failure(checkRegistry(base));
    expect(err.message).toMatch(/Refused GET \/v2\/ at http:\/\/127\.0\.0\.1:\d+: it answered 302 with a redirect to another host \(169\.254\.169\.254\)/);
    expect(err.message).toMatch(/point Isolab at that URL instead/);
    expect(err.message).not.toContain("SECRET");
    expect(await pingRegistry(base)).toMatch(/redirect to another host/);
  });

  it("refuses a redirect to another port of the same address and to a link-local IPv6 address", async () => {
    expect((await failure(manifestDigest(base, "port", "1"))).message).toMatch(/redirect to another host \(127\.0\.0\.1:1\)/);
    expect((await failure(manifestDigest(base, "fe80", "1"))).message).toMatch(/redirect to another host/);
  });

  it("follows a redirect on the same host, a bounded number of times", async () => {
    seen.length = 0;
    const res = await registryRequest(base, "/v2/same/tags/list", { timeoutMs: 5000 });
    expect(res).toMatchObject({ status: 500, url: `${base}/v2/other/tags/list` });
    expect(seen).toEqual(["/v2/same/tags/list", "/v2/other/tags/list"]);
    expect((await failure(manifestDigest(base, "loop", "1"))).message).toMatch(/redirected more than 3 times/);
  });

  it("never puts an answer's bytes into an error", async () => {
    const catalog = await failure(listRepositories(base));
    expect(catalog.message).toMatch(/answer to _catalog \(200, \d+ bytes\) is not what the API v2 describes/);
    expect(catalog.message).not.toContain("SECRET");
    const missing = await failure(manifestDigest(base, "nothing", "here"));
    expect(missing).toMatchObject({ name: "TagNotFoundError", status: 404 });
    expect(missing.message).not.toContain("SECRET");
  });

  it("refuses a name that resolves to a link-local or metadata address, in the socket's own lookup", async () => {
    const fake = (address: string, family: number) =>
      ((_h: string, _o: object, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address, family }])) as never;
    const err = await failure(registryRequest("https://registry.example.org", "/v2/", { timeoutMs: 2000, lookup: fake("169.254.169.254", 4) }));
    expect(err.message).toMatch(/registry\.example\.org resolves to 169\.254\.169\.254 is a cloud metadata endpoint/);
    const v6 = await failure(registryRequest("https://registry.example.org", "/v2/", { timeoutMs: 2000, lookup: fake("fe80::5", 6) }));
    expect(v6.message).toMatch(/link-local/);
    // The lookup itself, as the socket calls it.
    const got = await new Promise<string>((resolve) =>
      checkedLookup(fake("127.0.0.1", 4))("localhost", {}, (e, address) => resolve(e ? e.message : String(address))),
    );
    expect(got).toBe("127.0.0.1");
  });

  it("verifies TLS except on loopback: a self-signed registry is refused under its name, used on 127.0.0.1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-tls-"));
    const tls = https.createServer();
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=registry.example.org",
          "-keyout",
          path.join(dir, "key.pem"),
          "-out",
          path.join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      tls.setSecureContext({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) });
      tls.on("request", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
      await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
      const port = (tls.address() as AddressInfo).port;
      expect(await registryRequest(`https://127.0.0.1:${port}`, "/v2/", { timeoutMs: 5000 })).toMatchObject({ status: 200 });
      const toLocal = ((_h: string, _o: object, cb: (e: null, a: { address: string; family: number }[]) => void) =>
        cb(null, [{ address: "127.0.0.1", family: 4 }])) as never;
      const err = await failure(registryRequest(`https://registry.example.org:${port}`, "/v2/", { timeoutMs: 5000, lookup: toLocal }));
      expect(err).toMatchObject({ name: "RegistryUnavailableError" });
      expect(err.message).toMatch(/TLS certificate is not trusted here/);
    } finally {
      await new Promise<void>((r) => tls.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses registry URLs on link-local and metadata addresses, and plain http off this host", () => {
    for (const url of ["https://169.254.169.254", "https://[fe80::1]:5000", "https://metadata.google.internal", "http://registry.example.org"]) {
      expect(() => endpointFor(url)).toThrow(/Isolab does not use the registry/);
    }
    expect(endpointFor("http://127.0.0.1:5000")).toEqual({ url: "http://127.0.0.1:5000", host: "127.0.0.1:5000", insecure: true });
    expect(endpointFor("https://registry.example.org")).toMatchObject({ insecure: false });
  });
});
