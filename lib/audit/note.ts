import { z } from "zod";

// What a route handler (or the server's own code) adds to the audit row of
// the request it answers: a better name for the action ("sign-in"), who was
// meant when nobody was signed in yet (the name a sign-in tried), a target,
// a short detail. A route handler runs inside Next.js and never sees the
// server's request object, so it sends the note as a response header that
// scripts/serve/audit.ts takes off before the answer leaves the process.

export const AUDIT_NOTE_HEADER = "x-isolab-audit";

export const AuditNoteSchema = z.object({
  action: z.string().max(256).optional(),
  actor: z.string().max(128).optional(),
  role: z.string().max(32).nullable().optional(),
  target: z.string().max(256).nullable().optional(),
  detail: z.string().max(512).optional(),
  /** Record this request even though it changes nothing (a refused read that matters). */
  force: z.boolean().optional(),
});
export type AuditNote = z.infer<typeof AuditNoteSchema>;

/** The header value for a note. */
export function auditNoteHeader(note: AuditNote): string {
  return encodeURIComponent(JSON.stringify(AuditNoteSchema.parse(note)));
}

/** A header value back to a note; undefined when it is not one (it is then ignored, never trusted in part). */
export function parseAuditNote(value: string): AuditNote | undefined {
  try {
    const parsed = AuditNoteSchema.safeParse(JSON.parse(decodeURIComponent(value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
