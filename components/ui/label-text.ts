/**
 * A label with its unit in brackets, "Memory (MiB)", and "optional" said
 * there too, "Memory budget (MiB, optional)": the one place the forms and
 * table headers spell a unit, so a label reads the same wherever it is used
 * (tests and error messages find fields by this text).
 */
export function withUnit(label: string, unit?: string, optional = false): string {
  const note = [unit, optional ? "optional" : undefined].filter(Boolean).join(", ");
  return note ? `${label} (${note})` : label;
}
