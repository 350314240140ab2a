import "server-only";
import fs from "node:fs";
import path from "node:path";
import { guestMitigationArgs, parseMitigations, type Mitigations } from "@/lib/host/mitigations";

// The host's CPU-vulnerability mitigations, read once per process (they are
// fixed at boot), so a guest can boot with the same state: a VM whose kernel
// skips the mitigations its host pays would look faster for the wrong reason.

export const VULNERABILITIES_DIR = "/sys/devices/system/cpu/vulnerabilities";

let cached: Mitigations | undefined;

/** Every file of the directory, name → content; an unreadable file or directory is left out. */
export function readVulnerabilityFiles(dir = VULNERABILITIES_DIR): Record<string, string> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return {};
  }
  const files: Record<string, string> = {};
  for (const name of names) {
    try {
      files[name] = fs.readFileSync(path.join(dir, name), "utf8");
    } catch {
      // A file the kernel refuses to read says nothing about the others.
    }
  }
  return files;
}

export function hostMitigations(): Mitigations {
  return (cached ??= parseMitigations(readVulnerabilityFiles()));
}

/** The guest kernel arguments that give a VM the host's mitigation state. */
export function guestMitigationKernelArgs(): string[] {
  return guestMitigationArgs(hostMitigations().state);
}
