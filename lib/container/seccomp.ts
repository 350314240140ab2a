import { z } from "zod";

// A seccomp profile in the Docker / containers-common JSON form (moby's
// profiles/seccomp, containers/common pkg/seccomp) → the OCI runtime-spec's
// `linux.seccomp`. The same filtering the Go translators do: a rule is kept
// only when its `includes` hold (arch, every cap, kernel at least minKernel)
// and its `excludes` do not (arch, any cap, kernel at least minKernel), for
// the container's own bounding set, the host's arch and the host's kernel.

const ArgSchema = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number().int().min(0),
  valueTwo: z.number().int().min(0).optional(),
  op: z.string().regex(/^SCMP_CMP_[A-Z_]+$/),
});

const FilterSchema = z
  .object({
    arches: z.array(z.string()).nullish(),
    caps: z.array(z.string()).nullish(),
    minKernel: z.string().nullish(),
  })
  .nullish();

const RuleSchema = z.object({
  name: z.string().optional(),
  names: z.array(z.string()).nullish(),
  action: z.string().regex(/^SCMP_ACT_[A-Z_]+$/),
  errnoRet: z.number().int().min(0).optional(),
  args: z.array(ArgSchema).nullish(),
  includes: FilterSchema,
  excludes: FilterSchema,
});

export const SeccompProfileSchema = z.object({
  defaultAction: z.string().regex(/^SCMP_ACT_[A-Z_]+$/),
  defaultErrnoRet: z.number().int().min(0).optional(),
  architectures: z.array(z.string()).nullish(),
  archMap: z.array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullish() })).nullish(),
  syscalls: z.array(RuleSchema).max(10_000),
});
export type SeccompProfile = z.infer<typeof SeccompProfileSchema>;

export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: OciSeccompSyscall[];
}

export interface SeccompTarget {
  /** Go's name for the host arch, as profiles write it in `includes.arches` ("amd64", "arm64"). */
  goArch: string;
  /** The container's bounding capabilities ("CAP_KILL"). */
  caps: readonly string[];
  /** The host kernel's release ("6.1.0-18-amd64"). */
  kernelRelease: string;
}

const SECCOMP_ARCH: Record<string, string> = {
  amd64: "SCMP_ARCH_X86_64",
  "386": "SCMP_ARCH_X86",
  arm64: "SCMP_ARCH_AARCH64",
  arm: "SCMP_ARCH_ARM",
  ppc64le: "SCMP_ARCH_PPC64LE",
  s390x: "SCMP_ARCH_S390X",
  riscv64: "SCMP_ARCH_RISCV64",
};

/** Node's `process.arch` → Go's GOARCH, the names profiles use. */
export function goArchOf(nodeArch: string): string {
  return (
    ({ x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" } as Record<string, string>)[nodeArch] ??
    nodeArch
  );
}

/** "6.18.44-fc" ≥ "4.8"? Compares major.minor, as the Go translators do. */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)/.exec(v.trim());
    if (!m) throw new Error(`"${v}" is not a kernel version`);
    return [Number(m[1]), Number(m[2])] as const;
  };
  const [a, b] = parse(release);
  const [c, d] = parse(min);
  return a > c || (a === c && b >= d);
}

function keep(rule: SeccompProfile["syscalls"][number], t: SeccompTarget): boolean {
  const ex = rule.excludes ?? {};
  if (ex.arches?.includes(t.goArch)) return false;
  if (ex.caps?.some((c) => t.caps.includes(c))) return false;
  if (ex.minKernel && kernelAtLeast(t.kernelRelease, ex.minKernel)) return false;
  const inc = rule.includes ?? {};
  if (inc.arches?.length && !inc.arches.includes(t.goArch)) return false;
  if (inc.caps?.some((c) => !t.caps.includes(c))) return false;
  if (inc.minKernel && !kernelAtLeast(t.kernelRelease, inc.minKernel)) return false;
  return true;
}

/** The native arch and its sub-architectures from the profile's archMap (or its plain list). */
function architecturesFor(p: SeccompProfile, goArch: string): string[] {
  const native = SECCOMP_ARCH[goArch];
  if (!native) throw new Error(`no seccomp architecture is known for ${goArch}`);
  const entry = p.archMap?.find((a) => a.architecture === native);
  if (entry) return [entry.architecture, ...(entry.subArchitectures ?? [])];
  return p.architectures?.length ? [...p.architectures] : [native];
}

export function toOciSeccomp(input: unknown, t: SeccompTarget): OciSeccomp {
  const p = SeccompProfileSchema.parse(input);
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of p.syscalls) {
    if (!keep(rule, t)) continue;
    const names = rule.names?.length ? rule.names : rule.name ? [rule.name] : [];
    if (names.length === 0) throw new Error("a seccomp rule names no syscall");
    syscalls.push({
      names: [...names],
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length
        ? { args: rule.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op })) }
        : {}),
    });
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures: architecturesFor(p, t.goArch),
    syscalls,
  };
}
