import { describe, expect, it } from "vitest";
import { auditAction, isAudited, MAX_TARGET_CHARS } from "./target";

describe("auditAction", () => {
  it.each([
    ["POST", "/api/instances", "POST /api/instances", null],
    ["DELETE", "/api/instances/abc123", "DELETE /api/instances/[id]", "abc123"],
    ["POST", "/api/instances/abc123/stop", "POST /api/instances/[id]/stop", "abc123"],
    ["post", "/api/instances/abc123/exec?x=1", "POST /api/instances/[id]/exec", "abc123"],
    ["POST", "/api/instances/abc123/snapshot/", "POST /api/instances/[id]/snapshot", "abc123"],
    ["DELETE", "/api/experiments/e-1", "DELETE /api/experiments/[id]", "e-1"],
    ["DELETE", "/api/snapshots/s-9", "DELETE /api/snapshots/[id]", "s-9"],
    ["DELETE", "/api/images/localhost:5000/team/app%3Av1", "DELETE /api/images/[...ref]", "localhost:5000/team/app:v1"],
    ["POST", "/api/images", "POST /api/images", null],
    ["POST", "/api/registry/push", "POST /api/registry/push", null],
    ["POST", "/", "POST /", null],
    ["PUT", "/somewhere/else", "PUT /somewhere/else", null],
  ])("%s %s → %s, target %s", (method, path, action, target) => {
    expect(auditAction(method, path)).toEqual({ action, target });
  });

  it("keeps a malformed escape as written", () => {
    expect(auditAction("DELETE", "/api/instances/%E0%A4%A")).toEqual({ action: "DELETE /api/instances/[id]", target: "%E0%A4%A" });
  });

  it("bounds a target and an action an attacker makes long", () => {
    const long = "a".repeat(5000);
    expect(auditAction("DELETE", `/api/images/${long}`).target).toHaveLength(MAX_TARGET_CHARS);
    expect(auditAction("POST", `/${long}`).action.length).toBeLessThanOrEqual(MAX_TARGET_CHARS);
  });
});

describe("isAudited", () => {
  it.each([
    ["POST", "/api/instances", undefined, true],
    ["DELETE", "/api/images/x", 415, true],
    ["GET", "/api/host", undefined, false],
    ["HEAD", "/", undefined, false],
    ["OPTIONS", "/api/instances", undefined, false],
    ["GET", "/api/host", 421, true],
    ["GET", "/", 403, true],
    ["POST", "/_next/webpack-hmr", undefined, false],
    ["GET", "/_next/webpack-hmr", 403, true],
  ])("%s %s refused with %s → %s", (method, path, refused, audited) => {
    expect(isAudited(method, path, refused)).toBe(audited);
  });
});
