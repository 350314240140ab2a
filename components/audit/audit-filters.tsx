"use client";
import { useState, type FormEvent } from "react";
import { auditQueryString, AuditQuerySchema, RESULT_CLASSES } from "@/lib/schemas/audit";

export interface AuditFilterValues {
  actor: string;
  action: string;
  result: string;
  /** datetime-local values, in the browser's time zone. */
  since: string;
  until: string;
}

export const NO_FILTERS: AuditFilterValues = { actor: "", action: "", result: "", since: "", until: "" };

/** The query string the API reads; times go as ms since the epoch, so the server never guesses the browser's zone. */
export function filtersToQuery(f: AuditFilterValues): string {
  const ms = (v: string) => (v ? new Date(v).getTime() : undefined);
  return auditQueryString({ actor: f.actor.trim(), action: f.action.trim(), result: f.result, since: ms(f.since), until: ms(f.until) });
}

/** The filter form: applied on submit, checked with the API's own schema first. */
export function AuditFilters({ onApply }: { onApply: (query: string) => void }) {
  const [values, setValues] = useState<AuditFilterValues>(NO_FILTERS);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof AuditFilterValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const query = filtersToQuery(values);
    const parsed = AuditQuerySchema.safeParse(Object.fromEntries(new URLSearchParams(query.replace(/^\?/, ""))));
    if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setError(null);
    onApply(query);
  }

  return (
    <form className="panel row" onSubmit={submit} aria-label="Filter the audit log" style={{ alignItems: "flex-end" }}>
      <label>
        Actor
        <input value={values.actor} onChange={set("actor")} placeholder="anonymous" maxLength={128} />
      </label>
      <label>
        Action contains
        <input value={values.action} onChange={set("action")} placeholder="/api/instances" maxLength={256} />
      </label>
      <label>
        Result
        <select value={values.result} onChange={set("result")}>
          <option value="">any</option>
          {RESULT_CLASSES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Since
        <input type="datetime-local" value={values.since} onChange={set("since")} />
      </label>
      <label>
        Until
        <input type="datetime-local" value={values.until} onChange={set("until")} />
      </label>
      <button type="submit">Apply</button>
      <button
        type="button"
        onClick={() => {
          setValues(NO_FILTERS);
          setError(null);
          onApply("");
        }}
      >
        Clear
      </button>
      {error && (
        <p className="error small" role="alert" style={{ flexBasis: "100%", margin: 0 }}>
          {error}
        </p>
      )}
    </form>
  );
}
