import { describe, expect, it } from "vitest";
import { attachInstances, liveUsers } from "./lineage";
import type { ImageSummary } from "../schemas/image";

const image = (ref: string): ImageSummary => ({
  ref,
  name: ref.split(":")[0],
  tag: ref.split(":")[1],
  digest: "sha256:" + "0".repeat(64),
  sizeBytes: 1,
  layers: [],
  entrypoint: [],
  cmd: [],
  env: [],
  workingDir: "",
  user: "",
  createdAt: null,
  architecture: null,
  origin: { kind: "built", detail: "", registry: null, at: "" },
  hasProbe: true,
  builtIn: ref === "probe:latest",
});
const inst = (id: string, img: string, state = "running") => ({ id, name: id, kind: "container" as const, state: state as "running", image: img });

describe("attachInstances", () => {
  it("links instances by canonical reference, whatever spelling they were created with", () => {
    const out = attachInstances(
      [image("probe:latest"), image("hello:1")],
      [inst("a", "probe"), inst("b", "probe:latest"), inst("c", "hello:1"), inst("d", "gone:1")],
    );
    expect(out.map((i) => [i.ref, i.instances.map((x) => x.id)])).toEqual([
      ["probe:latest", ["a", "b"]],
      ["hello:1", ["c"]],
    ]);
  });
});

describe("liveUsers", () => {
  it("names only live instances", () => {
    expect(liveUsers("hello", [inst("a", "hello:latest"), inst("b", "hello", "stopped"), inst("c", "hello", "creating")])).toEqual([
      "container a",
      "container c",
    ]);
  });
});
