import type { ChangeEvent } from "react";
import { withUnit } from "./label-text";

// A labelled number input. The <label> wraps the input, so the field's
// accessible name is exactly the label text (getByLabel("Memory (MiB)")).
// No "use client": it is only rendered inside client forms, and as a client
// boundary its onChange could not be passed.

export interface NumberFieldProps {
  label: string;
  /** Shown in brackets after the label: "Memory (MiB)". */
  unit?: string;
  /** Adds "optional" to the brackets: "VMs at most (optional)". */
  optional?: boolean;
  /** A longer explanation, shown as the label's tooltip. */
  hint?: string;
  /** A number, or the typed text when an empty field means something ("" = not set). */
  value: number | string;
  /** Receives the parsed number (an empty field gives 0) and the raw text. */
  onChange: (value: number, text: string) => void;
  /** The schema's bounds ({ min, max, default } objects fit as they are); min and max override. */
  range?: { readonly min: number; readonly max: number };
  min?: number;
  max?: number;
  step?: number | string;
  placeholder?: string;
  name?: string;
  id?: string;
  /** The id of the element this field updates live (an <output>). */
  controls?: string;
}

export function NumberField({
  label,
  unit,
  optional,
  hint,
  value,
  onChange,
  range,
  min = range?.min,
  max = range?.max,
  step,
  placeholder,
  name,
  id,
  controls,
}: NumberFieldProps) {
  return (
    <label title={hint}>
      {withUnit(label, unit, optional)}
      <input
        type="number"
        id={id}
        name={name}
        min={min}
        max={max}
        step={step}
        value={value}
        placeholder={placeholder}
        aria-controls={controls}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(Number(e.target.value), e.target.value)}
      />
    </label>
  );
}
