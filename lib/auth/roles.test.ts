import { describe, expect, it } from "vitest";
import { isPublicPath, requiredRole, roleAtLeast } from "./roles";

describe("requiredRole", () => {
  it.each([
    ["GET", "/", "viewer"],
    ["GET", "/api/instances", "viewer"],
    ["HEAD", "/api/host", "viewer"],
    ["GET", "/api/stream", "viewer"],
    ["GET", "/api/me", "viewer"],
    ["POST", "/api/instances", "operator"],
    ["DELETE", "/api/instances/abc", "operator"],
    ["POST", "/api/instances/abc/exec", "operator"],
    ["POST", "/api/experiments", "operator"],
    ["POST", "/api/images", "operator"],
    ["DELETE", "/api/images/probe/latest", "operator"],
    ["DELETE", "/api/snapshots/s1", "operator"],
    ["POST", "/api/figures/scenario", "operator"],
    ["POST", "/api/registry/push", "operator"],
    ["POST", "/api/registry/pull", "operator"],
    ["POST", "/api/registry/start", "admin"],
    ["POST", "/api/registry/stop", "admin"],
    ["GET", "/api/access/tokens", "admin"],
    ["POST", "/api/access/tokens", "admin"],
    ["DELETE", "/api/access/users/bob", "admin"],
    ["GET", "/settings/access", "admin"],
    ["POST", "/api/something-new", "admin"],
    ["POST", "/api/instancesX", "admin"],
  ] as const)("%s %s needs %s", (method, path, role) => {
    expect(requiredRole(method, path)).toBe(role);
  });

  it("judges an upgrade like a write", () => {
    expect(requiredRole("GET", "/ws/terminal/abc", true)).toBe("operator");
    expect(requiredRole("GET", "/ws/terminal/abc", false)).toBe("viewer");
    expect(requiredRole("GET", "/ws/elsewhere", true)).toBe("admin");
  });
});

describe("roleAtLeast", () => {
  it("orders viewer < operator < admin", () => {
    expect(roleAtLeast("admin", "operator")).toBe(true);
    expect(roleAtLeast("operator", "operator")).toBe(true);
    expect(roleAtLeast("viewer", "operator")).toBe(false);
    expect(roleAtLeast("operator", "admin")).toBe(false);
  });
});

describe("isPublicPath", () => {
  it("opens only the sign-in page, its API and static assets", () => {
    expect(isPublicPath("/sign-in")).toBe(true);
    expect(isPublicPath("/api/auth/sign-in")).toBe(true);
    expect(isPublicPath("/_next/static/chunks/a.js")).toBe(true);
    expect(isPublicPath("/_next/data/x.json")).toBe(false);
    expect(isPublicPath("/")).toBe(false);
    expect(isPublicPath("/api/me")).toBe(false);
    expect(isPublicPath("/sign-in/../api/instances")).toBe(false);
  });
});
