// What a VM's console says about its own kernel's OOM killer. Pure.

const KILLED = /Out of memory: Killed process (\d+) \(([^)]*)\)/g;

/** OOM kills the guest kernel reported ("Out of memory: Killed process 85 (probe) total-vm:…"). */
export function guestOomKills(console: string): { pid: number; comm: string }[] {
  return [...console.matchAll(KILLED)].map((m) => ({ pid: Number(m[1]), comm: m[2] }));
}
