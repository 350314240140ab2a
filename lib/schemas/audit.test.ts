import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { auditQueryString, parseAuditQuery } from "./audit";

const url = (q: string) => `http://127.0.0.1:3000/api/audit${q}`;

describe("parseAuditQuery", () => {
  it("takes every filter, empty values as absent", () => {
    expect(parseAuditQuery(url("?actor=&action=instances&result=4xx&since=2026-01-31T00:00:00Z&until=1769900000000&limit=50&cursor=9"))).toEqual({
      actor: undefined,
      action: "instances",
      result: "4xx",
      since: Date.UTC(2026, 0, 31),
      until: 1769900000000,
      limit: 50,
      cursor: 9,
      format: "json",
    });
    expect(parseAuditQuery(url("?actor=ada&result=403")).result).toBe(403);
    expect(parseAuditQuery(url(""), "csv").format).toBe("csv");
  });

  it.each([
    ["?result=6xx", "result"],
    ["?since=yesterday", "since"],
    ["?limit=0", "limit"],
    ["?limit=100000", "limit"],
    ["?cursor=-1", "cursor"],
    ["?format=xml", "format"],
    [`?actor=${"a".repeat(200)}`, "actor"],
  ])("refuses %s, naming %s", (q, field) => {
    try {
      parseAuditQuery(url(q));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ZodError);
      expect((err as ZodError).issues[0].path).toEqual([field]);
    }
  });
});

describe("auditQueryString", () => {
  it("writes only the filters that are set", () => {
    expect(auditQueryString({ actor: "ada", action: "", result: undefined, limit: 10 })).toBe("?actor=ada&limit=10");
    expect(auditQueryString({})).toBe("");
  });
});
