"use client";
import { useId, useMemo, useState } from "react";
import { planCapacity } from "@/lib/experiments/planner";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import type { TemplatePlan } from "@/lib/experiments/density/planner-defaults";
import { PlannerInputSchema, type PlannerInputValues } from "@/lib/schemas/planner";
import { NumberField } from "@/components/ui/number-field";
import { withUnit } from "@/components/ui/label-text";
import "./density-isolation.css";

// "How many fit on a host of X GiB as containers vs as VMs": the planner's
// arithmetic (lib/experiments/planner.ts) on what is typed, live, with the
// measured overheads filled in when a density run has measured them.

export interface PlannerFormProps {
  defaults: PlannerInputValues;
  /** The same host planned with templated VMs from a density run's measurements, or why it cannot be (the mode is then disabled). */
  template: TemplatePlan;
  /** Where the overheads came from, said under the form. */
  source: string;
}

const FIELDS: { key: keyof PlannerInputValues; label: string; unit?: string; step: number }[] = [
  { key: "hostGiB", label: "Host memory", unit: "GiB", step: 1 },
  { key: "workloadMiB", label: "Workload memory", unit: "MiB", step: 1 },
  { key: "containerOverheadMiB", label: "Container overhead", unit: "MiB", step: 0.01 },
  { key: "vmOverheadMiB", label: "VM overhead", unit: "MiB", step: 1 },
  { key: "appsPerVm", label: "Apps per VM", step: 1 },
  { key: "templateMiB", label: "Template file", unit: "MiB", step: 1 },
];
const fieldLabel = (key: PropertyKey) => {
  const f = FIELDS.find((x) => x.key === key);
  return f ? withUnit(f.label, f.unit) : "input";
};

const asText = (d: PlannerInputValues) =>
  Object.fromEntries(FIELDS.map((f) => [f.key, String(Number(d[f.key].toFixed(2)))])) as Record<keyof PlannerInputValues, string>;

export function PlannerForm({ defaults, template, source }: PlannerFormProps) {
  const [values, setValues] = useState<Record<keyof PlannerInputValues, string>>(() => asText(defaults));
  const [mode, setMode] = useState<"cold" | "template">("cold");
  const chooseMode = (next: "cold" | "template") => {
    setMode(next);
    const d = next === "template" && template.defaults ? template.defaults : defaults;
    const t = asText(d);
    setValues({ ...values, vmOverheadMiB: t.vmOverheadMiB, templateMiB: t.templateMiB });
  };
  const outId = useId();
  const noteId = useId();
  const parsed = useMemo(
    () => PlannerInputSchema.safeParse(Object.fromEntries(FIELDS.map((f) => [f.key, values[f.key] === "" ? NaN : Number(values[f.key])]))),
    [values],
  );
  const plan = parsed.success ? planCapacity(parsed.data) : null;
  return (
    <form className="panel stack cap-planner" aria-label="Capacity planner" onSubmit={(e) => e.preventDefault()} noValidate>
      <h3 style={{ margin: 0 }}>Capacity planner</h3>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label>
          VMs start
          <select value={mode} onChange={(e) => chooseMode(e.target.value as "cold" | "template")} aria-controls={outId} aria-describedby={noteId}>
            <option value="cold">cold (each its own memory)</option>
            <option value="template" disabled={!template.defaults}>
              as template clones (shared memory){template.defaults ? "" : " — not measured"}
            </option>
          </select>
        </label>
        {FIELDS.map((f) => (
          <NumberField
            key={f.key}
            label={f.label}
            unit={f.unit}
            min={0}
            step={f.step}
            value={values[f.key]}
            controls={outId}
            onChange={(_, text) => setValues({ ...values, [f.key]: text })}
          />
        ))}
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        {source}
      </p>
      <p className="small muted" style={{ margin: 0 }} id={noteId} data-testid="planner-template-note">
        {template.defaults
          ? mode === "template"
            ? template.source
            : "Template clones: measured by the density run; choose them above."
          : `Template clones: ${template.why}.`}
      </p>
      <output id={outId} aria-live="polite" data-testid="planner-result">
        {!parsed.success ? (
          <span className="error" role="alert">
            {parsed.error.issues.map((i) => `${fieldLabel(i.path[0])}: ${i.message}`).join("; ")}
          </span>
        ) : (
          plan && (
            <div className="stack">
              <div className="cap-counts">
                <div className="cap-count" data-testid="planner-containers">
                  <strong>{formatCount(plan.containers.apps)}</strong> apps as containers{" "}
                  <span className="muted small">({formatMiB(plan.containers.perInstanceMiB)} each)</span>
                </div>
                <div className="cap-count" data-testid="planner-vms">
                  <strong>{formatCount(plan.vms.apps)}</strong> apps in {formatCount(plan.vms.instances)} VMs{" "}
                  <span className="muted small">({formatMiB(plan.vms.perInstanceMiB)} each)</span>
                </div>
              </div>
              <p style={{ margin: 0 }} data-testid="planner-ratio">
                {plan.appsRatio === null
                  ? "No VM fits, so there is no ratio."
                  : `${plan.appsRatio >= 10 ? plan.appsRatio.toFixed(0) : plan.appsRatio.toFixed(1)}× as many apps fit as containers as in VMs`}{" "}
                <span className="muted small">
                  on {formatMiB(plan.usableMiB)} usable of {formatMiB(plan.hostMiB)}.
                </span>
              </p>
              <details>
                <summary className="small">Assumptions</summary>
                <ul className="cap-assumptions small">
                  {plan.assumptions.map((a) => (
                    <li key={a}>{a}</li>
                  ))}
                </ul>
              </details>
            </div>
          )
        )}
      </output>
    </form>
  );
}
