import { describe, expect, it } from "vitest";
import { csvRecords } from "@/lib/experiments/csv";
import type { AuditEntry } from "@/lib/schemas/audit";
import { auditToCsv, inertText } from "./csv";

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  id: 7,
  at: Date.UTC(2026, 0, 31, 12, 0, 0),
  actor: "anonymous",
  role: null,
  action: "POST /api/instances",
  target: null,
  from: "127.0.0.1",
  result: 201,
  durationMs: 812.5,
  detail: null,
  ...over,
});

describe("auditToCsv", () => {
  it("writes a header and one row per entry that parse back to the same values", () => {
    const csv = auditToCsv([entry(), entry({ id: 8, actor: "ada", role: "operator", target: "abc", detail: 'said "no", twice\nthen left', result: 403 })]);
    const rows = csvRecords(csv);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: "7",
      at: "2026-01-31T12:00:00.000Z",
      at_ms: String(Date.UTC(2026, 0, 31, 12)),
      actor: "anonymous",
      role: "",
      result: "201",
      duration_ms: "812.5",
    });
    expect(rows[1]).toMatchObject({ actor: "ada", role: "operator", target: "abc", detail: 'said "no", twice\nthen left', result: "403" });
  });

  it("keeps text a spreadsheet would run inert", () => {
    expect(inertText("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(inertText("@SUM")).toBe("'@SUM");
    expect(inertText("ada")).toBe("ada");
    expect(csvRecords(auditToCsv([entry({ actor: "+cmd", target: "-x" })]))[0]).toMatchObject({ actor: "'+cmd", target: "'-x" });
  });

  it("writes only the header for no entries", () => {
    expect(auditToCsv([]).split("\r\n")[0]).toBe("id,at,at_ms,actor,role,action,target,from,result,duration_ms,detail");
  });
});
