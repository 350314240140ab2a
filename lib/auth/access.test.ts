import { describe, expect, it } from "vitest";
import { judgeAccess, normalizePath, safeNext, type AccessFacts } from "./access";

const viewer = { name: "val", role: "viewer", via: "session" } as const;
const operator = { name: "ops", role: "operator", via: "token" } as const;
const facts = (over: Partial<AccessFacts>): AccessFacts => ({ method: "GET", path: "/", url: "/", ...over });

describe("judgeAccess", () => {
  it("sends a page without credentials to the sign-in form, keeping where it was going", () => {
    expect(judgeAccess(facts({ path: "/instances/a", url: "/instances/a?x=1", accept: "text/html,*/*" }))).toEqual({
      kind: "sign-in",
      location: "/sign-in?next=%2Finstances%2Fa%3Fx%3D1",
    });
  });

  it("answers an API call without credentials 401 naming both ways to authenticate", () => {
    const v = judgeAccess(facts({ path: "/api/instances", url: "/api/instances", accept: "text/html" }));
    expect(v).toMatchObject({ kind: "refuse", status: 401 });
    expect(v.kind === "refuse" && v.error).toMatch(/Authorization: Bearer/);
    expect(v.kind === "refuse" && v.error).toMatch(/\/sign-in/);
  });

  it("says why credentials that were sent failed", () => {
    const v = judgeAccess(facts({ method: "POST", path: "/api/instances", failure: "This token is unknown or revoked." }));
    expect(v.kind === "refuse" && v.error).toMatch(/^This token is unknown or revoked\./);
  });

  it("refuses a role below the one needed with 403 naming it", () => {
    const v = judgeAccess(facts({ method: "POST", path: "/api/instances", principal: viewer }));
    expect(v).toMatchObject({ kind: "refuse", status: 403, needed: "operator" });
    expect(v.kind === "refuse" && v.error).toContain("needs the operator role");
    expect(judgeAccess(facts({ method: "POST", path: "/api/access/tokens", principal: operator }))).toMatchObject({ status: 403, needed: "admin" });
  });

  it("passes a sufficient role, and public paths without any", () => {
    expect(judgeAccess(facts({ method: "POST", path: "/api/instances", principal: operator }))).toEqual({ kind: "pass", principal: operator });
    expect(judgeAccess(facts({ path: "/sign-in", accept: "text/html" }))).toEqual({ kind: "pass" });
    expect(judgeAccess(facts({ path: "/_next/static/x.js" }))).toEqual({ kind: "pass" });
    expect(judgeAccess(facts({ method: "POST", path: "/api/auth/sign-in" }))).toEqual({ kind: "pass" });
  });
});

describe("normalizePath", () => {
  it.each([
    ["/api/instances/../access/tokens", "/api/access/tokens"],
    ["/api//access//tokens?x=1", "/api/access/tokens"],
    ["/api/%61ccess/tokens", "/api/access/tokens"],
    ["/API/Access", "/api/access"],
    ["/api/instances/%2e%2e/access", "/api/access"],
  ])("%s → %s", (url, path) => {
    expect(normalizePath(url)).toBe(path);
  });
});

describe("safeNext", () => {
  it.each([
    ["/instances/a?x=1", "/instances/a?x=1"],
    ["//evil.example/", "/"],
    ["https://evil.example/", "/"],
    ["/\\evil.example", "/"],
    [null, "/"],
    ["/sign-in?next=/", "/"],
  ])("%s → %s", (next, to) => {
    expect(safeNext(next)).toBe(to);
  });
});
