"use client";
import Link from "next/link";
import { useId, useMemo, useState } from "react";
import { planCapacity } from "@/lib/experiments/planner";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import {
  PLANNER_FIELDS,
  RUN_OR_TYPE,
  sourceLine,
  TYPED,
  type PlannerField,
  type PlannerFigures,
  type TemplatePlan,
} from "@/lib/experiments/density/planner-defaults";
import { PlannerInputSchema } from "@/lib/schemas/planner";
import { NumberField } from "@/components/ui/number-field";
import { withUnit } from "@/components/ui/label-text";
import "./density-isolation.css";

// "How many fit on a host of X GiB as containers vs as VMs": the planner's
// arithmetic (lib/experiments/planner.ts) on what is typed, live. It starts
// from what was measured here (a density run's overheads, this host's
// MemTotal) and leaves what was not empty; the line under the fields says
// where each number came from, a typed one as the user's.

export interface PlannerFormProps {
  /** Cold VMs' starting figures with their sources (lib/experiments/density/planner-defaults.ts). */
  figures: PlannerFigures;
  /** The same host planned with templated VMs from a density run's measurements, or why it cannot be (the mode is then disabled). */
  template: TemplatePlan;
}

type Texts = Record<PlannerField, string>;
type Sources = Record<PlannerField, string>;

const fieldLabel = (key: PropertyKey) => {
  const f = PLANNER_FIELDS.find((x) => x.key === key);
  return f ? withUnit(f.label, f.unit) : "input";
};
const textOf = (v: number | null) => (v === null ? "" : String(Number(v.toFixed(2))));
const texts = (f: PlannerFigures) => Object.fromEntries(PLANNER_FIELDS.map(({ key }) => [key, textOf(f[key].value)])) as Texts;
const sourcesOf = (f: PlannerFigures) => Object.fromEntries(PLANNER_FIELDS.map(({ key }) => [key, f[key].source])) as Sources;

export function PlannerForm({ figures, template }: PlannerFormProps) {
  const [mode, setMode] = useState<"cold" | "template">("cold");
  const base = (m: typeof mode): PlannerFigures => (m === "template" && template.figures ? { ...figures, ...template.figures } : figures);
  const [values, setValues] = useState<Texts>(() => texts(figures));
  const [sources, setSources] = useState<Sources>(() => sourcesOf(figures));
  const chooseMode = (next: typeof mode) => {
    setMode(next);
    const b = base(next);
    setValues({ ...values, vmOverheadMiB: textOf(b.vmOverheadMiB.value), templateMiB: textOf(b.templateMiB.value) });
    setSources({ ...sources, vmOverheadMiB: b.vmOverheadMiB.source, templateMiB: b.templateMiB.source });
  };
  // A number typed over a starting figure is the user's; typing the figure back gives it its source again.
  const edit = (key: PlannerField, text: string) => {
    const b = base(mode)[key];
    setValues({ ...values, [key]: text });
    setSources({ ...sources, [key]: text === textOf(b.value) ? b.source : TYPED });
  };
  const outId = useId();
  const noteId = useId();
  const missing = PLANNER_FIELDS.filter((f) => values[f.key].trim() === "");
  const parsed = useMemo(() => PlannerInputSchema.safeParse(Object.fromEntries(PLANNER_FIELDS.map((f) => [f.key, Number(values[f.key])]))), [values]);
  const plan = missing.length === 0 && parsed.success ? planCapacity(parsed.data) : null;
  return (
    <form className="panel stack cap-planner" aria-label="Capacity planner" onSubmit={(e) => e.preventDefault()} noValidate>
      <h3 style={{ margin: 0 }}>Capacity planner</h3>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label>
          VMs start
          <select value={mode} onChange={(e) => chooseMode(e.target.value as typeof mode)} aria-controls={outId} aria-describedby={noteId}>
            <option value="cold">cold (each its own memory)</option>
            <option value="template" disabled={!template.figures}>
              as template clones (shared memory){template.figures ? "" : " — not measured"}
            </option>
          </select>
        </label>
        {PLANNER_FIELDS.map((f) => (
          <NumberField
            key={f.key}
            label={f.label}
            unit={f.unit}
            min={0}
            step={f.step}
            value={values[f.key]}
            placeholder={base(mode)[f.key].value === null ? "not measured" : undefined}
            controls={outId}
            onChange={(_, text) => edit(f.key, text)}
          />
        ))}
      </div>
      <p className="small muted" style={{ margin: 0 }} data-testid="planner-source">
        {sourceLine(sources)}
      </p>
      <p className="small muted" style={{ margin: 0 }} id={noteId} data-testid="planner-template-note">
        {template.figures
          ? mode === "template"
            ? template.source
            : "Template clones: measured by the density run; choose them above."
          : `Template clones: ${template.why}.`}
      </p>
      <output id={outId} aria-live="polite" data-testid="planner-result">
        {missing.length > 0 ? (
          <MissingFigures labels={missing.map((f) => withUnit(f.label, f.unit))} unmeasured={missing.some((f) => base(mode)[f.key].value === null)} />
        ) : !parsed.success ? (
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

/** No result from a number nobody gave: what is missing and, for what a run measures, how to get it. */
function MissingFigures({ labels, unmeasured }: { labels: string[]; unmeasured: boolean }) {
  return (
    <p style={{ margin: 0 }} data-testid="planner-missing">
      To plan, fill in {labels.join(", ")}.
      {unmeasured && (
        <>
          {" "}
          Not measured on this host yet: {RUN_OR_TYPE} (the line above then says they are yours).{" "}
          <Link href="/experiments#plan-density">Plan a density run</Link>
        </>
      )}
    </p>
  );
}
