import { describe, expect, it } from "vitest";
import { classifyVulnerability, guestMitigationArgs, guestMitigationWords, mitigationSummary, parseMitigations } from "./mitigations";

// Lines as kernels write them (an AMD host with the default `mitigations=auto`,
// an Intel host booted with `mitigations=off`, a CPU affected by nothing).
const AMD_AUTO: Record<string, string> = {
  meltdown: "Not affected\n",
  spec_rstack_overflow: "Mitigation: Safe RET\n",
  spec_store_bypass: "Mitigation: Speculative Store Bypass disabled via prctl\n",
  spectre_v1: "Mitigation: usercopy/swapgs barriers and __user pointer sanitization\n",
  spectre_v2: "Mitigation: Retpolines; IBPB: conditional; IBRS_FW; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected\n",
  srbds: "Not affected\n",
};
const INTEL_OFF: Record<string, string> = {
  itlb_multihit: "KVM: Mitigation: VMX unsupported\n",
  l1tf: "Not affected\n",
  mds: "Vulnerable; SMT vulnerable\n",
  meltdown: "Vulnerable\n",
  spec_store_bypass: "Vulnerable\n",
  spectre_v1: "Vulnerable: __user pointer sanitization and usercopy barriers only; no swapgs barriers\n",
  spectre_v2: "Vulnerable; IBPB: disabled; STIBP: disabled; PBRSB-eIBRS: Vulnerable; BHI: Vulnerable\n",
};
const NOT_AFFECTED: Record<string, string> = { meltdown: "Not affected\n", spectre_v1: "Not affected\n", mds: "Not affected\n" };

describe("classifyVulnerability", () => {
  it.each([
    ["Not affected", "not-affected"],
    ["Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable", "mitigated"],
    ["Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable", "vulnerable"],
    ["Vulnerable", "vulnerable"],
    ["Unknown: Dependent on hypervisor status", "unknown"],
    ["KVM: Mitigation: VMX unsupported", "unknown"],
    ["", "unknown"],
  ] as const)("%j → %s", (text, status) => {
    expect(classifyVulnerability(text)).toBe(status);
  });
});

describe("parseMitigations", () => {
  it.each([
    ["an AMD host with the default", AMD_AUTO, "on", []],
    ["an Intel host booted with mitigations=off", INTEL_OFF, "off", ["mitigations=off"]],
    ["a CPU affected by nothing", NOT_AFFECTED, "not-needed", ["mitigations=off"]],
    ["no files (sysfs not mounted)", {}, "unknown", []],
    ["only lines it cannot read", { x: "Unknown: Dependent on hypervisor status\n", y: "\n" }, "unknown", []],
    [
      "a host with one vulnerability unmitigated beside mitigated ones",
      { ...AMD_AUTO, mds: "Vulnerable: Clear CPU buffers attempted, no microcode\n" },
      "on",
      [],
    ],
  ] as const)("%s: %s, guest args %j", (_what, files, state, args) => {
    const m = parseMitigations(files);
    expect(m.state).toBe(state);
    expect(guestMitigationArgs(m.state)).toEqual(args);
  });

  it("keeps each file's first line, sorted by name, blank files left out", () => {
    const m = parseMitigations({ spectre_v2: AMD_AUTO.spectre_v2, meltdown: "Not affected\nextra\n", empty: "" });
    expect(m.vulnerabilities.map((v) => [v.name, v.status])).toEqual([
      ["meltdown", "not-affected"],
      ["spectre_v2", "mitigated"],
    ]);
    expect(m.vulnerabilities[1].text).toBe(AMD_AUTO.spectre_v2.trim());
  });
});

describe("summaries", () => {
  it("names each mitigation in force by its first clause", () => {
    expect(mitigationSummary(parseMitigations(AMD_AUTO))).toBe(
      "on: spec_rstack_overflow (Safe RET), spec_store_bypass (Speculative Store Bypass disabled via prctl), spectre_v1 (usercopy/swapgs barriers and __user pointer sanitization), spectre_v2 (Retpolines)",
    );
  });

  it.each([
    [INTEL_OFF, "off (5 vulnerable, none mitigated)"],
    [NOT_AFFECTED, "none needed (CPU not affected)"],
    [{}, "unknown (no readable /sys/devices/system/cpu/vulnerabilities)"],
  ])("%j → %s", (files, text) => {
    expect(mitigationSummary(parseMitigations(files))).toBe(text);
  });

  it("says what a guest runs with", () => {
    expect(guestMitigationWords("on")).toBe("mitigations=auto (kernel default)");
    expect(guestMitigationWords("unknown")).toBe("mitigations=auto (kernel default)");
    expect(guestMitigationWords("off")).toBe("mitigations=off");
  });
});
