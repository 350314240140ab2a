// Runs once when the server starts: build the supervisor now, so that
// leftovers of an earlier run (QEMU, runc containers, cgroups) are removed
// before the first request rather than at it, and mark experiments cut off
// by the previous server's death as interrupted.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getSupervisor } = await import("@/server/instances");
  await getSupervisor();
  const { initExperiments } = await import("@/server/experiments");
  initExperiments();
}
