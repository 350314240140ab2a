import { AuditLog } from "@/components/audit/audit-log";

export const dynamic = "force-dynamic";

export default function AuditPage() {
  return (
    <div className="stack">
      <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Audit log</h2>
      <p className="muted small" style={{ margin: 0 }}>
        Every request that changes something, and every refusal by the front door, with who sent it, from where, the answer and how long it took.
      </p>
      <AuditLog />
    </div>
  );
}
