import { describe, expect, it } from "vitest";
import { findPasswdEntry } from "./passwd";

const PASSWD = ["root:x:0:0:root:/root:/bin/bash", "isolab-qemu:x:999:995::/nonexistent:/usr/sbin/nologin", "broken:x:abc:1::/:/bin/false", "short:x:5"].join(
  "\n",
);

describe("findPasswdEntry", () => {
  it.each([
    ["isolab-qemu", { name: "isolab-qemu", uid: 999, gid: 995 }],
    ["root", { name: "root", uid: 0, gid: 0 }],
    ["nobody", null],
    ["broken", null],
    ["short", null],
    ["isolab", null],
  ])("%s", (name, want) => {
    expect(findPasswdEntry(PASSWD, name)).toEqual(want);
  });
});
