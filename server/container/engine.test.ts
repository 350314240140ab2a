import { describe, expect, it } from "vitest";
import type { StartRequest } from "@/server/engine/contract";
import { containerSpecFor, envRecord, imageArgs, printsReady, tmpSizeFor } from "./engine";

const req: StartRequest = {
  id: "ct-9",
  name: "my box",
  image: { name: "probe", rootfsDir: "/data/images/probe/rootfs", initramfsPath: "/x.cpio", probePath: "/data/images/probe/rootfs/bin/probe" },
  memoryMiB: 512,
  cpus: 2,
  dir: "/state/instances/ct-9",
};

describe("containerSpecFor", () => {
  it("maps a start request onto the image's rootfs with the instance's limits", () => {
    expect(containerSpecFor(req, ["/bin/probe", "serve"], 256)).toEqual({
      id: "ct-9",
      rootfsDir: "/data/images/probe/rootfs",
      args: ["/bin/probe", "serve"],
      env: {},
      hostname: "ct-9", // "my box" is no hostname
      memoryMiB: 512,
      cpus: 2,
      pidsLimit: 256,
      tmpSizeMiB: 256,
      annotations: { "org.isolab.instance": "ct-9" },
    });
  });
});

describe("an OCI image's process", () => {
  const oci = { ...req.image, entrypoint: ["/bin/sh", "-c", "echo hi"], env: ["PATH=/bin", "A=b=c", "BROKEN"], cwd: "/srv" };

  it("runs the image's entrypoint and cmd with its environment and working directory", () => {
    const spec = containerSpecFor({ ...req, image: oci }, imageArgs(oci), 256);
    expect(spec).toMatchObject({ args: ["/bin/sh", "-c", "echo hi"], env: { PATH: "/bin", A: "b=c" }, cwd: "/srv" });
  });

  it.each([
    [{}, ["/bin/probe", "serve"]],
    [{ entrypoint: [] }, ["/bin/probe", "serve"]],
    [{ entrypoint: ["/app"] }, ["/app"]],
  ])("imageArgs(%j)", (patch, args) => expect(imageArgs({ ...req.image, ...patch })).toEqual(args));

  it.each([
    [["/bin/probe", "serve"], true],
    [["probe", "serve"], true],
    [["/usr/local/bin/probe", "serve", "x"], true],
    [["/bin/probe", "info"], false],
    [["/bin/sh", "-c", "probe serve"], false],
  ])("printsReady(%j) = %s", (args, ready) => expect(printsReady(args)).toBe(ready));

  it("drops env entries without a name", () => expect(envRecord(["=x", "K=", "L"])).toEqual({ K: "" }));
});

describe("tmpSizeFor", () => {
  it.each([
    [32, 32],
    [96, 48],
    [512, 256],
    [4096, 256],
  ])("caps /tmp of a %i MiB container at %i MiB", (mem, tmp) => expect(tmpSizeFor(mem)).toBe(tmp));
});
