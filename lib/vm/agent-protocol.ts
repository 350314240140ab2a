import { parseReadyLine, type ReadyLine } from "@/lib/probe/ready-line";

// The agent protocol on the VM's second serial port (guest/README.md):
//   host → guest  `<id> <command> [args…]`
//   guest → host  `READY uptime=<s> init_uptime=<s>` once, `<id>|<line>` per
//                 output line, `<id>#<exitCode>` at the end.
// Anything else (kernel noise, a torn line) is ignored, never an error.

export type AgentMessage = { type: "ready"; ready: ReadyLine } | { type: "line"; id: number; line: string } | { type: "exit"; id: number; exitCode: number };

const OUTPUT = /^(\d+)\|(.*)$/s;
const EXIT = /^(\d+)#(-?\d+)$/;

export function parseAgentLine(raw: string): AgentMessage | null {
  // A raw tty may still add \r; output lines themselves never carry one.
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  const out = OUTPUT.exec(line);
  if (out) return { type: "line", id: Number(out[1]), line: out[2] };
  const exit = EXIT.exec(line);
  if (exit) return { type: "exit", id: Number(exit[1]), exitCode: Number(exit[2]) };
  const ready = parseReadyLine(line);
  if (ready && ready.uptimeSeconds !== undefined) return { type: "ready", ready };
  return null;
}

/** One word per argument: the guest splits the request on spaces. */
const WORD = /^[^\s\x00-\x1f]+$/;

export function formatAgentRequest(id: number, command: string, args: readonly string[]): string {
  for (const w of [command, ...args]) {
    if (!WORD.test(w)) throw new Error(`agent request words must be non-empty and free of spaces and control characters: ${JSON.stringify(w)}`);
  }
  return `${[String(id), command, ...args].join(" ")}\n`;
}
