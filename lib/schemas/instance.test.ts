import { describe, expect, it } from "vitest";
import { CreateInstanceSchema, ExecRequestSchema } from "./instance";

describe("CreateInstanceSchema", () => {
  it("fills defaults for a minimal request", () => {
    expect(CreateInstanceSchema.parse({ kind: "vm" })).toEqual({ kind: "vm", image: "probe", memoryMiB: 128, cpus: 1 });
  });

  it("takes a warm start or one snapshot for a VM", () => {
    expect(CreateInstanceSchema.parse({ kind: "vm", warm: true })).toMatchObject({ kind: "vm", warm: true });
    expect(CreateInstanceSchema.parse({ kind: "vm", snapshot: "s0123456789ab" })).toMatchObject({ snapshot: "s0123456789ab" });
  });

  it("takes privileged only for a container (off unless asked)", () => {
    expect(CreateInstanceSchema.parse({ kind: "container", privileged: true })).toMatchObject({ privileged: true });
    expect(CreateInstanceSchema.parse({ kind: "container" }).privileged).toBeUndefined();
  });

  it("takes a start mode for a VM: template clones and pooled starts", () => {
    expect(CreateInstanceSchema.parse({ kind: "vm", startMode: "template" })).toMatchObject({ startMode: "template" });
    expect(CreateInstanceSchema.parse({ kind: "vm", startMode: "pooled" })).toMatchObject({ startMode: "pooled" });
    expect(CreateInstanceSchema.parse({ kind: "vm", startMode: "warm", warm: true })).toMatchObject({ startMode: "warm", warm: true });
  });

  it.each([
    [{ kind: "vm", privileged: true }, "privileged"],
    [{ kind: "process", privileged: true }, "privileged"],
    [{ kind: "container", privileged: "yes" }, "privileged"],
    [{ kind: "lxc" }, "kind"],
    [{ kind: "vm", name: "Bad_Name" }, "name"],
    [{ kind: "vm", name: "-x" }, "name"],
    [{ kind: "vm", memoryMiB: 8 }, "memoryMiB"],
    [{ kind: "vm", memoryMiB: 1e9 }, "memoryMiB"],
    [{ kind: "container", cpus: 0 }, "cpus"],
    [{ kind: "container", cpus: 1.5 }, "cpus"],
    [{ kind: "container", image: "../etc" }, "image"],
    [{ kind: "container", extra: 1 }, ""],
    [{ kind: "container", warm: true }, "warm"],
    [{ kind: "process", snapshot: "s0123456789ab" }, "snapshot"],
    [{ kind: "vm", warm: true, snapshot: "s0123456789ab" }, "snapshot"],
    [{ kind: "vm", snapshot: "../s" }, "snapshot"],
    [{ kind: "container", startMode: "template" }, "startMode"],
    [{ kind: "vm", startMode: "fast" }, "startMode"],
    [{ kind: "vm", startMode: "pooled", warm: true }, "startMode"],
    [{ kind: "vm", startMode: "template", snapshot: "s0123456789ab" }, "snapshot"],
  ])("refuses %j naming %s", (input, field) => {
    const r = CreateInstanceSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success && field) expect(r.error.issues.map((i) => i.path.join("."))).toContain(field);
  });
});

describe("ExecRequestSchema", () => {
  it("accepts an allow-listed command with plain arguments", () => {
    expect(ExecRequestSchema.parse({ command: "mem", args: ["64", "8"] }).args).toEqual(["64", "8"]);
  });
  it.each([{ command: "sh" }, { command: "info", args: ["; rm -rf /"] }, { command: "info", args: ["$(id)"] }])("refuses %j", (input) =>
    expect(ExecRequestSchema.safeParse(input).success).toBe(false),
  );
});
