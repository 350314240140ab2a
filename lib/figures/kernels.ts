// Which boxes of Figure 2.3 run on the same kernel, decided from what each
// one reported from inside — never from what Isolab knows it launched. Two
// views share a kernel when the release, the build string and the memory the
// kernel manages are equal and the boot times they imply (read time −
// uptime, each with an error of half its exec round trip) overlap.

export interface KernelView {
  id: string;
  kernelRelease: string;
  kernelVersion: string;
  memTotalBytes: number;
  bootedAtMs: number;
  bootedAtErrorMs: number;
}

export interface KernelGroup {
  /** The id of its first member, stable for keys. */
  key: string;
  kernelRelease: string;
  members: string[];
}

/** Slack for /proc/uptime's 10 ms resolution and clock reads either side. */
export const BOOT_SLACK_MS = 50;

export function sameKernel(a: KernelView, b: KernelView): boolean {
  if (a.kernelRelease !== b.kernelRelease || a.kernelVersion !== b.kernelVersion) return false;
  if (a.memTotalBytes !== b.memTotalBytes) return false;
  if (![a.bootedAtMs, b.bootedAtMs, a.bootedAtErrorMs, b.bootedAtErrorMs].every(Number.isFinite)) return false;
  return Math.abs(a.bootedAtMs - b.bootedAtMs) <= a.bootedAtErrorMs + b.bootedAtErrorMs + BOOT_SLACK_MS;
}

/** Groups views by shared kernel (transitively), in order of first appearance. */
export function groupByKernel(views: readonly KernelView[]): KernelGroup[] {
  const parent = views.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < views.length; i++) for (let j = i + 1; j < views.length; j++) if (sameKernel(views[i], views[j])) parent[find(j)] = find(i);
  const groups = new Map<number, KernelGroup>();
  views.forEach((v, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.members.push(v.id);
    else groups.set(root, { key: v.id, kernelRelease: v.kernelRelease, members: [v.id] });
  });
  return [...groups.values()];
}
