// Runs once when the server starts: build the app now, so that leftovers of
// an earlier run (QEMU, runc containers, cgroups, a registry) are removed and
// experiments cut off by the previous server's death are marked interrupted
// before the first request rather than at it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getApp } = await import("@/server/app");
  await getApp();
}
