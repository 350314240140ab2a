"use client";
import { useInstanceLog } from "@/client/use-instance-detail";
import type { Instance } from "@/lib/core/types";

/** The last lines of the console (VM) or stdout/stderr log (process, container). */
export function LogTail({ instance }: { instance: Instance }) {
  const { data, error, isLoading } = useInstanceLog(instance.id);
  return (
    <section className="panel stack" aria-labelledby="log-title">
      <h3 id="log-title" style={{ margin: 0 }}>
        {instance.kind === "vm" ? "Console" : "Log"} tail
      </h3>
      {isLoading ? (
        <p className="muted small" aria-busy="true">
          Reading the log…
        </p>
      ) : error ? (
        <p className="error small" role="alert">
          Log unavailable: {error.message}
        </p>
      ) : !data ? (
        <p className="muted small">Nothing written yet.</p>
      ) : (
        <pre className="console" aria-label={`Last lines of the ${instance.kind === "vm" ? "console" : "log"} of ${instance.name}`} data-testid="log-tail">
          {data}
        </pre>
      )}
    </section>
  );
}
