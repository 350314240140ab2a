"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { useInstances } from "@/client/use-instances";
import type { Instance, InstanceKind } from "@/lib/core/types";
import { KIND_LABELS } from "@/lib/core/kinds";
import { TerminalPane, type TerminalPaneHandle } from "./terminal-pane";

// The teaching view: the same command typed into a container's shell and a
// VM's at once. The container shares the host's kernel (same `uname -r`,
// the host's memory in /proc/meminfo unless a cgroup-aware tool reads it);
// the VM boots its own (another release, its own memory, its own mounts).

export const TEACHING_COMMANDS: { command: string; shows: string }[] = [
  { command: "uname -r", shows: "the kernel: the host's in the container, the guest's own in the VM" },
  { command: "ps", shows: "the processes each can see" },
  { command: "cat /proc/meminfo | head", shows: "the memory each kernel reports" },
  { command: "ls /sys/fs/cgroup", shows: "the cgroup tree each sees" },
  { command: "mount", shows: "the filesystems mounted" },
];

export function SideBySide({ left, right }: { left: string | null; right: string | null }) {
  const router = useRouter();
  const { data: instances = [] } = useInstances();
  const running = (kind: InstanceKind) => instances.filter((i) => i.kind === kind && i.state === "running");
  const leftId = left ?? running("container")[0]?.id ?? null;
  const rightId = right ?? running("vm")[0]?.id ?? null;
  const leftPane = useRef<TerminalPaneHandle>(null);
  const rightPane = useRef<TerminalPaneHandle>(null);

  const choose = (side: "left" | "right", id: string) => {
    const q = new URLSearchParams({ ...(leftId ? { left: leftId } : {}), ...(rightId ? { right: rightId } : {}), [side]: id });
    router.replace(`/terminal?${q}`);
  };
  const typeBoth = (command: string) => {
    leftPane.current?.type(`${command}\n`);
    rightPane.current?.type(`${command}\n`);
  };

  return (
    <div className="stack">
      <section className="panel stack" aria-labelledby="side-title">
        <h2 id="side-title" style={{ margin: 0 }}>
          A container and a VM, side by side
        </h2>
        <p className="muted small">
          Type into either shell, or press a button to type the same command into both. A bare process has no terminal: it runs on the host itself, so a shell
          there would be a root shell on the host.
        </p>
        <div className="row" role="group" aria-label="Type into both">
          {TEACHING_COMMANDS.map((c) => (
            <button key={c.command} type="button" className="mono" title={c.shows} onClick={() => typeBoth(c.command)} disabled={!leftId && !rightId}>
              {c.command}
            </button>
          ))}
        </div>
      </section>
      <div className="terminal-pair">
        <Side kind="container" id={leftId} options={running("container")} instances={instances} onChoose={(id) => choose("left", id)} paneRef={leftPane} />
        <Side kind="vm" id={rightId} options={running("vm")} instances={instances} onChoose={(id) => choose("right", id)} paneRef={rightPane} />
      </div>
    </div>
  );
}

function Side({
  paneRef,
  ...p
}: {
  kind: InstanceKind;
  id: string | null;
  options: Instance[];
  instances: Instance[];
  onChoose: (id: string) => void;
  paneRef: React.RefObject<TerminalPaneHandle | null>;
}) {
  const chosen = p.instances.find((i) => i.id === p.id);
  const label = KIND_LABELS[p.kind];
  return (
    <section className="panel stack" aria-label={`${label} terminal`}>
      <label className="row small">
        {label}
        <select value={p.id ?? ""} onChange={(e) => p.onChoose(e.target.value)} aria-label={`${label} to open`}>
          {!p.id && <option value="">— none running —</option>}
          {p.id && !p.options.some((o) => o.id === p.id) && <option value={p.id}>{chosen?.name ?? p.id}</option>}
          {p.options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        {chosen && <Link href={`/instances/${encodeURIComponent(chosen.id)}`}>details</Link>}
      </label>
      {p.id ? (
        <TerminalPane key={p.id} ref={paneRef} instanceId={p.id} label={p.kind} height={420} />
      ) : (
        <p className="muted">
          No running {label.toLowerCase()}. Start one on the <Link href="/">overview</Link>.
        </p>
      )}
    </section>
  );
}
