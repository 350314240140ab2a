"use client";
import { useState, type FormEvent } from "react";
import { CPUS, CreateInstanceSchema, MEMORY_MIB } from "@/lib/schemas/instance";
import { useCreateInstance } from "@/client/use-instances";
import { useImages } from "@/client/use-images";
import { useCan } from "@/client/use-me";
import { KIND_LABELS, LAUNCH_KINDS, LAUNCH_START_MODE, launchRequest, START_MODE_TRADEOFFS, type LaunchKind } from "@/lib/core/kinds";
import { NumberField } from "@/components/ui/number-field";
import { PRIVILEGED_MEANING } from "./privileged-badge";

export function LaunchForm() {
  const create = useCreateInstance();
  const images = useImages();
  const [mode, setMode] = useState<LaunchKind>("container");
  const { kind, startMode } = launchRequest(mode);
  const tradeoff = START_MODE_TRADEOFFS[LAUNCH_START_MODE[mode] ?? "cold"];
  const [image, setImage] = useState("probe");
  const [name, setName] = useState("");
  const [memoryMiB, setMemory] = useState<number>(MEMORY_MIB.default);
  const [cpus, setCpus] = useState<number>(CPUS.default);
  const [privileged, setPrivileged] = useState(false);
  // A privileged container is root on the host: offered to admins only (the API refuses it to others).
  const isAdmin = useCan("admin");
  const [formError, setFormError] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = CreateInstanceSchema.safeParse({
      kind,
      image,
      memoryMiB,
      cpus,
      ...(name ? { name } : {}),
      ...(startMode ? { startMode } : {}),
      ...(privileged && kind === "container" ? { privileged: true } : {}),
    });
    if (!parsed.success) {
      setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      return;
    }
    setFormError(null);
    // The stream can show the instance running before this request returns;
    // by then the next name may already be typed, so only clear our own.
    const submitted = name;
    create.mutate(parsed.data, { onSuccess: () => setName((current) => (current === submitted ? "" : current)) });
  }

  return (
    <form className="panel row" onSubmit={submit} aria-label="Launch an instance" style={{ alignItems: "flex-end" }}>
      <label>
        Kind
        <select
          value={mode}
          onChange={(e) => {
            const next = e.target.value as LaunchKind;
            setMode(next);
            // A bare process runs only the built-in probe on the host.
            if (next === "process") setImage("probe");
          }}
        >
          {LAUNCH_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Image
        <select value={image} onChange={(e) => setImage(e.target.value)}>
          <option value="probe">probe (built-in)</option>
          {images.data
            ?.filter((i) => !i.builtIn)
            .map((i) => (
              <option key={i.ref} value={i.ref} disabled={kind === "process"}>
                {i.ref}
                {i.hasProbe || kind === "vm" ? "" : " (no probe)"}
              </option>
            ))}
        </select>
      </label>
      <label>
        Name (optional)
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="auto" />
      </label>
      <NumberField label="Memory" unit="MiB" range={MEMORY_MIB} value={memoryMiB} onChange={setMemory} />
      <NumberField label="CPUs" range={CPUS} value={cpus} onChange={setCpus} />
      {kind === "container" && isAdmin && (
        <label className={privileged ? "error" : undefined} title={PRIVILEGED_MEANING}>
          <input type="checkbox" checked={privileged} onChange={(e) => setPrivileged(e.target.checked)} /> Privileged (root on the host)
        </label>
      )}
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? `Starting ${KIND_LABELS[mode].toLowerCase()}…` : "Launch"}
      </button>
      {tradeoff && (
        <p className="muted small" style={{ flexBasis: "100%", margin: 0 }} data-testid={mode === "vm-warm" ? "warm-note" : "start-mode-note"}>
          {tradeoff}
        </p>
      )}
      {privileged && kind === "container" && (
        <p className="error small" style={{ flexBasis: "100%", margin: 0 }} data-testid="privileged-warning">
          {PRIVILEGED_MEANING}
        </p>
      )}
      {(formError || create.error) && (
        <div className="error small" role="alert" style={{ flexBasis: "100%" }}>
          {formError ?? create.error?.message}
        </div>
      )}
    </form>
  );
}
