"use client";
import Link from "next/link";
import type { Instance } from "@/lib/core/types";
import { useCan } from "@/client/use-me";
import { RecordingsList } from "./recordings-list";
import { TerminalPane } from "./terminal-pane";

/** The instance page's terminal: a shell for a running container or VM; for a bare process, why there is none. */
export function TerminalSection({ instance }: { instance: Instance }) {
  // A shell is a change to the instance: operators and admins only (the server refuses the socket to a viewer too).
  const canOpen = useCan("operator");
  return (
    <section className="panel stack" aria-labelledby="terminal-title">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3 id="terminal-title" style={{ margin: 0 }}>
          Terminal
        </h3>
        {instance.kind !== "process" && (
          <Link className="small" href={`/terminal?${instance.kind === "vm" ? "right" : "left"}=${encodeURIComponent(instance.id)}`}>
            Side by side with a {instance.kind === "vm" ? "container" : "VM"}
          </Link>
        )}
      </div>
      {instance.kind === "process" ? (
        <p className="muted" data-testid="no-terminal">
          A bare process has no terminal. It is the probe running directly on the host, as root, with no namespace of its own (its cgroup only limits what it
          uses): a shell &ldquo;inside&rdquo; it would simply be a root shell on the host. Containers and VMs get one, confined like their workload (a
          container&apos;s shell joins its namespaces and cgroup; a VM&apos;s runs on the guest&apos;s own kernel).
        </p>
      ) : !canOpen ? (
        <p className="muted" role="note" data-testid="terminal-needs-role">
          Opening a terminal needs the operator role.
        </p>
      ) : instance.state === "running" ? (
        <TerminalPane key={instance.id} instanceId={instance.id} label={instance.name} />
      ) : (
        <p className="muted">A terminal opens in a running instance; this one is {instance.state}.</p>
      )}
      {instance.kind !== "process" && (
        <>
          <h4 style={{ margin: 0 }}>Recorded sessions</h4>
          <RecordingsList instanceId={instance.id} />
        </>
      )}
    </section>
  );
}
