import { describe, expect, it } from "vitest";
import { judgeRequest, MAX_JSON_BODY_BYTES, type RequestFacts } from "./gate";
import { bindsBeyondLoopback, loadGatePolicy } from "./gate-config";

const local = loadGatePolicy({}, { host: "127.0.0.1", port: 3000 });
const exposed = loadGatePolicy({ ISOLAB_PUBLIC_URL: "https://isolab.example.org", ISOLAB_ALLOWED_HOSTS: "lab.lan, box:8080" }, { host: "0.0.0.0", port: 3000 });

const post = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: "POST",
  path: "/api/instances",
  host: "127.0.0.1:3000",
  origin: "http://127.0.0.1:3000",
  contentType: "application/json",
  contentLength: 20,
  chunked: false,
  ...over,
});
const get = (over: Partial<RequestFacts> = {}): RequestFacts => ({ method: "GET", path: "/api/host", host: "127.0.0.1:3000", chunked: false, ...over });

describe("judgeRequest", () => {
  it.each([
    ["a foreign Host", get({ host: "evil.example:3000" }), 421],
    ["DNS rebinding (an attacker's name pointing at 127.0.0.1)", get({ host: "rebind.evil.example:3000" }), 421],
    ["a loopback name on another port", get({ host: "localhost:4000" }), 421],
    ["no Host at all", get({ host: undefined }), 421],
    ["a cross-site text/plain POST (no preflight)", post({ origin: "http://evil.example", contentType: "text/plain" }), 403],
    ["a cross-site JSON POST", post({ origin: "http://evil.example" }), 403],
    ["an opaque origin", post({ origin: "null" }), 403],
    [
      "a cross-site DELETE without Origin but with Sec-Fetch-Site",
      post({ method: "DELETE", origin: undefined, secFetchSite: "cross-site", contentLength: 0 }),
      403,
    ],
    ["a same-site (sibling subdomain) POST", post({ origin: undefined, secFetchSite: "same-site" }), 403],
    ["a cross-site WebSocket upgrade", get({ upgrade: true, origin: "http://evil.example" }), 403],
    ["a same-origin POST with text/plain", post({ contentType: "text/plain" }), 415],
    ["a JSON route without a content type", post({ contentType: undefined }), 415],
    ["an upload that is not an archive", post({ path: "/api/images", contentType: "application/json" }), 415],
    ["an oversized JSON body", post({ contentLength: MAX_JSON_BODY_BYTES + 1 }), 413],
  ])("refuses %s", (_why, facts, status) => {
    const verdict = judgeRequest(facts, local);
    expect(verdict.allow).toBe(false);
    if (!verdict.allow) expect(verdict.status).toBe(status);
  });

  it.each([
    ["a GET on 127.0.0.1", get()],
    ["a GET on localhost", get({ host: "localhost:3000" })],
    ["a GET on [::1]", get({ host: "[::1]:3000" })],
    ["the host in any case", get({ host: "LocalHost:3000" })],
    ["the dashboard's own JSON POST", post()],
    ["a JSON POST with a charset", post({ contentType: "application/json; charset=utf-8" })],
    ["a POST without Origin (curl, the CLI, Playwright's request)", post({ origin: undefined })],
    ["a same-origin POST known by Sec-Fetch-Site only", post({ origin: undefined, secFetchSite: "same-origin" })],
    ["a bodyless POST without a content type", post({ path: "/api/instances/i1/stop", contentType: undefined, contentLength: 0 })],
    ["a DELETE from the dashboard", post({ method: "DELETE", contentType: undefined, contentLength: undefined })],
    ["the dashboard's archive upload", post({ path: "/api/images", contentType: "application/x-tar", contentLength: 50 * 1024 * 1024 })],
    ["a JSON body at the limit", post({ contentLength: MAX_JSON_BODY_BYTES })],
    ["a streamed JSON body (counted by the parser)", post({ contentLength: undefined, chunked: true })],
    ["a cross-site GET (reads are Host-checked only)", get({ origin: "http://evil.example" })],
  ])("allows %s", (_why, facts) => {
    expect(judgeRequest(facts, local)).toEqual({ allow: true });
  });

  it("names the allowed hosts and how to add one", () => {
    const verdict = judgeRequest(get({ host: "evil.example" }), local);
    expect(verdict.allow).toBe(false);
    if (!verdict.allow) {
      expect(verdict.message).toContain("127.0.0.1:3000");
      expect(verdict.message).toContain("ISOLAB_ALLOWED_HOSTS");
    }
  });

  it("names the limit in a 413", () => {
    const verdict = judgeRequest(post({ contentLength: 5 * MAX_JSON_BODY_BYTES }), local);
    expect(!verdict.allow && verdict.message).toContain("1 MiB");
  });
});

describe("configured names", () => {
  it.each([
    ["the public URL's host", get({ host: "isolab.example.org" })],
    ["a POST from the public URL's origin through a proxy that keeps Host", post({ host: "isolab.example.org", origin: "https://isolab.example.org" })],
    ["a POST from the public origin through a proxy that rewrites Host", post({ origin: "https://isolab.example.org" })],
    ["a bare allowed name on the server's port", post({ host: "lab.lan:3000", origin: "http://lab.lan:3000" })],
    ["a bare allowed name behind a proxy on 80", get({ host: "lab.lan" })],
    ["an allowed host:port", post({ host: "box:8080", origin: "http://box:8080" })],
    ["loopback still", get({ host: "localhost:3000" })],
  ])("allows %s", (_why, facts) => {
    expect(judgeRequest(facts, exposed)).toEqual({ allow: true });
  });

  it.each([
    ["an allowed host on another port", get({ host: "box:9090" })],
    ["a POST whose Origin is a rebinding name", post({ host: "lab.lan:3000", origin: "http://evil.example:3000" })],
  ])("refuses %s", (_why, facts) => {
    expect(judgeRequest(facts, exposed).allow).toBe(false);
  });

  it("allows the address the server binds when it is a specific one", () => {
    const policy = loadGatePolicy({}, { host: "192.168.1.5", port: 3000 });
    expect(judgeRequest(post({ host: "192.168.1.5:3000", origin: "http://192.168.1.5:3000" }), policy)).toEqual({ allow: true });
    expect(judgeRequest(get({ host: "0.0.0.0:3000" }), loadGatePolicy({}, { host: "0.0.0.0", port: 3000 })).allow).toBe(false);
  });

  it.each([
    [{ ISOLAB_PUBLIC_URL: "ftp://x" }, /ISOLAB_PUBLIC_URL/],
    [{ ISOLAB_PUBLIC_URL: "not a url" }, /ISOLAB_PUBLIC_URL/],
    [{ ISOLAB_ALLOWED_HOSTS: "good, bad/path" }, /bad\/path/],
  ])("refuses to start with %o", (env, message) => {
    expect(() => loadGatePolicy(env, { host: "127.0.0.1", port: 3000 })).toThrow(message);
  });

  it("takes the https origin, and only it, when the listener speaks TLS", () => {
    const tls = loadGatePolicy({}, { host: "0.0.0.0", port: 3443, tls: true });
    const at = (origin: string) => judgeRequest(post({ host: "localhost:3443", origin }), tls).allow;
    expect(at("https://localhost:3443")).toBe(true);
    expect(at("https://127.0.0.1:3443")).toBe(true);
    expect(at("http://localhost:3443")).toBe(false);
    const onDefault = loadGatePolicy({}, { host: "10.0.0.5", port: 443, tls: true });
    expect(judgeRequest(post({ host: "10.0.0.5", origin: "https://10.0.0.5" }), onDefault)).toEqual({ allow: true });
  });

  it("knows which binds leave the machine", () => {
    expect(["127.0.0.1", "localhost", "::1", "127.0.0.2"].map(bindsBeyondLoopback)).toEqual([false, false, false, false]);
    expect(["0.0.0.0", "::", "192.168.1.5"].map(bindsBeyondLoopback)).toEqual([true, true, true]);
  });
});
