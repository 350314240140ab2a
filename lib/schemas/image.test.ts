import { describe, expect, it } from "vitest";
import { IMAGE_NAME_PATTERN, parseImageJson } from "./image";

const valid = {
  name: "probe",
  builtAt: "2026-11-29T01:20:51Z",
  sizeBytes: 2089984,
  files: 288,
  sha256: "0377596558dfad8ea8cd388edf2a0fc0aecdf76d81fbc74e152d8e1b30435683",
  busyboxVersion: "1.35.0",
  inputsHash: "dd153149ce0b7150873db5df403c6b44481d5738d74fdf9cfaecba3af1a17cc1",
};

describe("parseImageJson", () => {
  it("accepts what build-image.sh writes", () => {
    expect(parseImageJson(JSON.stringify(valid, null, 2))).toEqual({ ok: true, image: valid });
  });

  it.each([
    ["{", /not JSON/],
    [JSON.stringify({ ...valid, sizeBytes: 0 }), /sizeBytes/],
    [JSON.stringify({ ...valid, sha256: "abc" }), /sha256/],
    [JSON.stringify({ ...valid, builtAt: "yesterday" }), /builtAt/],
    [JSON.stringify({ ...valid, name: "../x" }), /name/],
    [JSON.stringify({ name: "probe" }), /builtAt/],
    ["[]", /\(root\)/],
  ])("refuses %s naming the problem", (text, problem) => {
    const r = parseImageJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe("IMAGE_NAME_PATTERN", () => {
  it.each([
    ["probe", true],
    ["probe-2.1_x", true],
    [".probe-abc", false],
    ["..", false],
    ["a/b", false],
    ["Probe", false],
    ["", false],
  ])("%j → %s", (name, ok) => expect(IMAGE_NAME_PATTERN.test(name)).toBe(ok));
});
