import { expect, test } from "@playwright/test";

// The HTTP API as a script would use it: bad input is refused with the field
// named, and `exec info` from inside shows what each kind can see.

type Info = { kernelRelease: string; processCount: number; processes: { pid: number; comm: string }[] };

test("bad input is refused with the field, the status and nothing created", async ({ request }) => {
  const cases: [unknown, number, string][] = [
    [{ kind: "lxc" }, 422, "kind"],
    [{ kind: "vm", name: "Bad Name" }, 422, "name"],
    [{ kind: "vm", memoryMiB: 1_000_000 }, 422, "memoryMiB"],
    [{ kind: "container", cpus: 99 }, 422, "cpus"],
  ];
  for (const [body, status, field] of cases) {
    const res = await request.post("/api/instances", { data: body });
    expect(res.status(), JSON.stringify(body)).toBe(status);
    expect((await res.json()).error).toContain(field);
  }
  const notJson = await request.post("/api/instances", { data: "{", headers: { "content-type": "application/json" } });
  expect(notJson.status()).toBe(422);
  const unknown = await request.get("/api/instances/vm-00000000");
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error).toContain("vm-00000000");
  expect((await (await request.get("/api/instances")).json()).instances).toHaveLength(0);
});

test("exec info shows a container's own processes on the host kernel and a VM's own kernel", async ({ request }) => {
  const host = await (await request.get("/api/host")).json();
  const start = async (kind: string, name: string) => {
    const res = await request.post("/api/instances", { data: { kind, name } });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()) as { id: string };
  };
  const ct = await start("container", "api-ct");
  const vm = await start("vm", "api-vm");
  try {
    const dup = await request.post("/api/instances", { data: { kind: "container", name: "api-ct" } });
    expect(dup.status()).toBe(409);

    const info = async (id: string) => {
      const res = await request.post(`/api/instances/${id}/exec`, { data: { command: "info" } });
      expect(res.status()).toBe(200);
      return (await res.json()).json as Info;
    };
    const inCt = await info(ct.id);
    expect(inCt.kernelRelease).toBe(host.kernelRelease);
    expect(inCt.processes.find((p) => p.pid === 1)?.comm).toBe("probe");
    expect(inCt.processCount).toBeLessThan(5);

    const inVm = await info(vm.id);
    expect(inVm.kernelRelease).not.toBe(host.kernelRelease);
    expect(inVm.processes.map((p) => p.comm)).toContain("kthreadd");

    const refused = await request.post(`/api/instances/${ct.id}/exec`, { data: { command: "sh", args: ["-c", "id"] } });
    expect(refused.status()).toBe(422);
  } finally {
    await request.delete(`/api/instances/${ct.id}`);
    await request.delete(`/api/instances/${vm.id}`);
  }
});
