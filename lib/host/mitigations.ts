// The CPU-vulnerability mitigations a kernel has in force, from the files of
// /sys/devices/system/cpu/vulnerabilities/ (one line each: "Not affected",
// "Vulnerable…", "Mitigation: …", "Unknown: …"), and the guest kernel argument
// that gives a VM the same state. Pure: the reader is server/host/mitigations.ts.
//
// Why it matters: mitigations are paid on every kernel entry. A guest booted
// with `mitigations=off` on a host that has them on makes a VM's syscall look
// cheaper than the host's for a reason that has nothing to do with isolation.

export type VulnerabilityStatus = "not-affected" | "mitigated" | "vulnerable" | "unknown";

export interface Vulnerability {
  name: string;
  status: VulnerabilityStatus;
  /** The file's line as the kernel wrote it. */
  text: string;
}

/**
 * on: at least one mitigation in force. off: something is vulnerable and
 * nothing is mitigated (what `mitigations=off` shows). not-needed: the CPU is
 * affected by none. unknown: nothing readable.
 */
export type MitigationState = "on" | "off" | "not-needed" | "unknown";

export interface Mitigations {
  state: MitigationState;
  vulnerabilities: Vulnerability[];
}

export function classifyVulnerability(text: string): VulnerabilityStatus {
  const t = text.trim();
  if (/^not affected/i.test(t)) return "not-affected";
  if (/^mitigation:/i.test(t)) return "mitigated";
  if (/^vulnerable/i.test(t)) return "vulnerable";
  return "unknown";
}

/** File name → its content, as read from the vulnerabilities directory. */
export function parseMitigations(files: Readonly<Record<string, string>>): Mitigations {
  const vulnerabilities = Object.entries(files)
    .map(([name, content]) => {
      const text = content.split("\n")[0].trim();
      return { name, status: classifyVulnerability(text), text };
    })
    .filter((v) => v.text !== "")
    .sort((a, b) => a.name.localeCompare(b.name));
  const has = (s: VulnerabilityStatus) => vulnerabilities.some((v) => v.status === s);
  const state: MitigationState = has("mitigated")
    ? "on"
    : has("vulnerable")
      ? "off"
      : vulnerabilities.length > 0 && vulnerabilities.every((v) => v.status === "not-affected")
        ? "not-needed"
        : "unknown";
  return { state, vulnerabilities };
}

/**
 * Guest kernel arguments for the host's state: `mitigations=off` only when
 * the host pays none (off, or a CPU that needs none); otherwise nothing, which
 * leaves the guest kernel at its default, `mitigations=auto`.
 */
export function guestMitigationArgs(state: MitigationState): string[] {
  return state === "off" || state === "not-needed" ? ["mitigations=off"] : [];
}

/** What a guest booted for this host state runs with, in words. */
export function guestMitigationWords(state: MitigationState): string {
  return guestMitigationArgs(state).length ? "mitigations=off" : "mitigations=auto (kernel default)";
}

/** One line: the state and the mitigations in force, e.g. "on: spectre_v2 (Retpolines), …". */
export function mitigationSummary(m: Mitigations): string {
  if (m.state === "unknown") return "unknown (no readable /sys/devices/system/cpu/vulnerabilities)";
  if (m.state === "not-needed") return "none needed (CPU not affected)";
  if (m.state === "off") return `off (${m.vulnerabilities.filter((v) => v.status === "vulnerable").length} vulnerable, none mitigated)`;
  const on = m.vulnerabilities.filter((v) => v.status === "mitigated").map((v) => `${v.name} (${v.text.replace(/^mitigation:\s*/i, "").split(/[;,]/)[0]})`);
  return `on: ${on.join(", ")}`;
}

/** What an experiment records: the host's state and what its VMs booted with. */
export interface MitigationRecord {
  host: MitigationState;
  hostSummary: string;
  /** The guest kernel's `mitigations=`: off, or the kernel default auto. */
  guest: "off" | "auto";
}

export function mitigationRecord(m: Mitigations): MitigationRecord {
  return { host: m.state, hostSummary: mitigationSummary(m), guest: guestMitigationArgs(m.state).length ? "off" : "auto" };
}
