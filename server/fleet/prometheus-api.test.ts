import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeTargets, instantQuery, reloadState } from "./prometheus-api";

// The client's bounds against a real socket that misbehaves the ways a
// Prometheus (or something else at its URL) can: too much, too slow, not
// its API, an error answer.

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const q = u.searchParams.get("query");
    if (q === "huge") return res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] }, pad: "x".repeat(64 * 1024) }));
    if (q === "slow") return; // never answers
    if (q === "html") return res.end("<html>not prometheus</html>");
    if (q === "bad") return res.writeHead(400).end(JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error" }));
    if (u.pathname === "/metrics") return res.end("# not Prometheus's own metrics\nup 1\n");
    if (u.pathname === "/api/v1/targets") return res.end(JSON.stringify({ status: "success", data: { activeTargets: [{ labels: {}, health: "sideways" }] } }));
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: { host: "a" }, value: [1, "2"] }] } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("Prometheus's API, bounded", () => {
  it("reads a vector", async () => expect(await instantQuery(base, "ok")).toEqual([{ metric: { host: "a" }, value: [1, "2"] }]));
  it("abandons an answer past its size limit", async () => expect(instantQuery(base, "huge", { maxBytes: 16 * 1024 })).rejects.toThrow(/abandoned/));
  it("gives up on a query past its deadline", async () =>
    expect(instantQuery(base, "slow", { timeoutMs: 300 })).rejects.toThrow(/did not answer within 0.3 s/));
  it("names an answer that is not its API", async () => expect(instantQuery(base, "html")).rejects.toThrow(/not its API's JSON/));
  it("passes Prometheus's own refusal on", async () => expect(instantQuery(base, "bad")).rejects.toThrow(/bad_data: parse error/));
  it("refuses a targets answer it cannot read", async () => expect(activeTargets(base)).rejects.toThrow(/cannot read/));
  it("asks the instant the query is for", async () => {
    let asked: URLSearchParams | undefined;
    server.once("request", (req: http.IncomingMessage) => (asked = new URL(req.url ?? "/", "http://x").searchParams));
    await instantQuery(base, "ok", { atS: 1_700_000_000.25 });
    expect(asked?.get("time")).toBe("1700000000.25");
  });
  it("names metrics that do not say whether a reload worked", async () =>
    expect(reloadState(base)).rejects.toThrow(/does not say whether its config reloaded/));
  it("names a Prometheus that is not there", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    await expect(instantQuery(`http://127.0.0.1:${port}`, "up")).rejects.toThrow(/does not answer \(ECONNREFUSED\)/);
  });
});
