"use client";
import { useState, type FormEvent } from "react";
import { useExec } from "@/client/use-instances";
import { ExecRequestSchema } from "@/lib/schemas/instance";
import { formatMs } from "@/lib/core/format";
import { PROBE_COMMANDS, type Instance, type ProbeCommand } from "@/lib/core/types";

const HINTS: Record<ProbeCommand, string> = {
  info: "what the workload sees",
  cpu: "[ms=1000] fixed integer work",
  mem: "MiB [stepMiB=8] allocate and touch",
  syscall: "[n=200000] getppid() calls",
  stream: "[MiB=64] memory bandwidth",
  io: "[MiB=16] [dir=/tmp] write+fsync, read",
  latency: "ms intervalMs timer oversleep",
  ping: "answers at once",
  hostile: "[hostPid] what a hostile image tries (containers and VMs only)",
};

/** Runs one allow-listed probe command inside the instance and shows its output. */
export function ExecPanel({ instance }: { instance: Instance }) {
  const exec = useExec(instance.id);
  const [command, setCommand] = useState<ProbeCommand>("info");
  const [args, setArgs] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const running = instance.state === "running";

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = ExecRequestSchema.safeParse({ command, args: args.trim() ? args.trim().split(/\s+/) : [], timeoutMs: 120_000 });
    if (!parsed.success) return setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setFormError(null);
    exec.mutate(parsed.data);
  }

  const result = exec.data;
  return (
    <section className="panel stack" aria-labelledby="exec-title">
      <h3 id="exec-title" style={{ margin: 0 }}>
        Run a probe command inside
      </h3>
      <form className="row" onSubmit={submit} aria-label="Run a probe command" style={{ alignItems: "flex-end" }}>
        <label>
          Command
          <select value={command} onChange={(e) => setCommand(e.target.value as ProbeCommand)}>
            {PROBE_COMMANDS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label style={{ flex: 1 }}>
          Arguments
          <input value={args} onChange={(e) => setArgs(e.target.value)} placeholder={HINTS[command]} />
        </label>
        <button type="submit" className="primary" disabled={!running || exec.isPending}>
          {exec.isPending ? "Running…" : "Run"}
        </button>
      </form>
      {!running && <p className="muted small">Commands run only in a running instance; this one is {instance.state}.</p>}
      {(formError || exec.error) && (
        <div className="error small" role="alert">
          {formError ?? exec.error?.message}
        </div>
      )}
      {result && (
        <div className="stack" style={{ gap: "0.3rem" }} data-testid="exec-result">
          <div className="small">
            exit code <strong>{result.exitCode}</strong> · {formatMs(result.durationMs)}
          </div>
          <pre className="console" aria-label="Command output">
            {result.json ? JSON.stringify(result.json, null, 2) : result.output}
          </pre>
        </div>
      )}
    </section>
  );
}
