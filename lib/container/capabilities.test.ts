import { describe, expect, it } from "vitest";
import { CAPABILITY_NAMES, decodeCapabilities } from "./capabilities";

describe("decodeCapabilities", () => {
  it("decodes /proc's hex masks", () => {
    expect(decodeCapabilities("0000000000000420")).toEqual(["CAP_KILL", "CAP_NET_BIND_SERVICE"]);
    expect(decodeCapabilities("0000000000000000")).toEqual([]);
    const all = decodeCapabilities("000001ffffffffff");
    expect(all).toEqual([...CAPABILITY_NAMES]);
    expect(decodeCapabilities("000001fffeffffff")).not.toContain("CAP_SYS_RESOURCE");
    expect(decodeCapabilities("0000020000000000")).toEqual(["cap_41"]);
  });
  it("refuses what is not a mask", () => {
    expect(decodeCapabilities("zz")).toBeNull();
    expect(decodeCapabilities("")).toBeNull();
  });
});
