import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFleetHosts } from "./hosts";

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-fleet-hosts-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the fleet's hosts", () => {
  it("keeps each token in a 0600 file Prometheus reads, never in what the API answers", () => {
    const hosts = createFleetHosts({ stateDir: dir, localUrl: "http://127.0.0.1:3000" });
    hosts.add({ name: "b", url: "http://10.0.0.2:3000", token: "secret-token-123" });
    const file = path.join(dir, "fleet", "tokens", "b");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(hosts.list())).not.toContain("secret-token-123");
    expect(fs.readFileSync(hosts.paths.file, "utf8")).not.toContain("secret-token-123");
    expect(hosts.targets().find((t) => t.name === "b")?.credentialsFile).toBe(file);
    expect(hosts.token("b")).toBe("secret-token-123");
  });
  it("scrapes the local host with the admin token once sign-in wrote one", () => {
    const hosts = createFleetHosts({ stateDir: dir, localUrl: "http://127.0.0.1:3000" });
    expect(hosts.targets()[0]).toMatchObject({ name: "local", local: true, hasToken: false });
    fs.writeFileSync(path.join(dir, "admin-token"), "admin-token-value\n", { mode: 0o600 });
    expect(hosts.targets()[0]).toMatchObject({ hasToken: true, credentialsFile: path.join(dir, "admin-token") });
  });
  it("refuses the local name, a second host of one name, and a name that would be a path", () => {
    const hosts = createFleetHosts({ stateDir: dir, localUrl: null });
    expect(() => hosts.add({ name: "local", url: "http://x:1" })).toThrow(/this host/);
    hosts.add({ name: "b", url: "http://x:1" });
    expect(() => hosts.add({ name: "b", url: "http://y:1" })).toThrow(/already/);
    expect(() => hosts.remove("../admin-token")).toThrow();
  });
  it("removes a host and its token", () => {
    const hosts = createFleetHosts({ stateDir: dir, localUrl: null });
    hosts.add({ name: "b", url: "http://x:1", token: "secret-token-123" });
    hosts.remove("b");
    expect(hosts.list()).toEqual([]);
    expect(fs.existsSync(path.join(dir, "fleet", "tokens", "b"))).toBe(false);
    expect(() => hosts.remove("b")).toThrow(/No host/);
  });
});
