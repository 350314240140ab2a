import "server-only";
import { CLOSE_CODES } from "@/lib/terminal/protocol";
import type { Instance } from "@/lib/core/types";
import type { TerminalCapability } from "@/server/engine/contract";

/** A tty is written a piece at a time: a pty's input queue holds 4 KiB in canonical mode. */
export const WRITE_CHUNK_BYTES = 4096;

export const BARE_PROCESS_REFUSAL =
  "A bare process has no terminal: it is the probe running directly on the host, as root, in no namespace of its own — a shell next to it would be a root shell on the host.";

/** Why a session cannot open on this instance now, or null when it can. */
export function refusalFor(instance: Instance, terminal: TerminalCapability | undefined, open: number): { code: number; message: string } | null {
  if (instance.kind === "process") return { code: CLOSE_CODES.refused, message: BARE_PROCESS_REFUSAL };
  if (instance.state !== "running")
    return { code: CLOSE_CODES.refused, message: `"${instance.name}" is ${instance.state}; a terminal opens only in a running instance.` };
  if (!terminal) return { code: CLOSE_CODES.refused, message: `"${instance.name}" has no terminal.` };
  if (open >= terminal.maxSessions) {
    const why = instance.kind === "vm" ? "a VM has one terminal serial line" : `at most ${terminal.maxSessions} per container`;
    return {
      code: CLOSE_CODES.limit,
      message: `"${instance.name}" already has ${open} terminal session${open === 1 ? "" : "s"} open (${why}); close one first.`,
    };
  }
  return null;
}
