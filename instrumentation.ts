// Runs once when the server starts: build the supervisor now, so that
// leftovers of an earlier run (QEMU, runc containers, cgroups) are removed
// before the first request rather than at it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getSupervisor } = await import("@/server/instances");
  await getSupervisor();
}
