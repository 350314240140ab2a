import { describe, expect, it } from "vitest";
import { auditNoteHeader, parseAuditNote } from "./note";

describe("audit notes as a header", () => {
  it("round-trips a note, unicode and all", () => {
    const note = { action: "sign-in", actor: "adà, the admin", detail: "wrong password\nline two" };
    expect(parseAuditNote(auditNoteHeader(note))).toEqual(note);
  });

  it.each(["%E0%A4%A", "not json", encodeURIComponent('{"actor": 5}'), encodeURIComponent(JSON.stringify({ detail: "x".repeat(600) }))])(
    "ignores %s",
    (value) => {
      expect(parseAuditNote(value)).toBeUndefined();
    },
  );

  it("refuses to write a note the reader would ignore", () => {
    expect(() => auditNoteHeader({ actor: "a".repeat(200) })).toThrow();
  });
});
