import { describe, expect, it } from "vitest";
import { parseGroup, parsePasswd, resolveUser } from "./user";

const passwd = parsePasswd(
  [
    "root:x:0:0:root:/root:/bin/sh",
    "# comment",
    "www-data:x:33:33:www:/var/www:/usr/sbin/nologin",
    "app:x:1000:1000::/home/app:/bin/sh",
    "broken:x:abc:1",
    "",
  ].join("\n"),
);
const groups = parseGroup(["root:x:0:", "www-data:x:33:", "app:x:1000:", "audio:x:29:app,other", "video:x:44:other", "bad:x:-1:app"].join("\n"));

describe("resolveUser", () => {
  it.each([
    ["", { uid: 0, gid: 0, additionalGids: [] }],
    ["root", { uid: 0, gid: 0, additionalGids: [] }],
    ["www-data", { uid: 33, gid: 33, additionalGids: [] }],
    ["app", { uid: 1000, gid: 1000, additionalGids: [29] }],
    ["1000", { uid: 1000, gid: 1000, additionalGids: [29] }],
    ["4242", { uid: 4242, gid: 0, additionalGids: [] }],
    ["4242:4343", { uid: 4242, gid: 4343, additionalGids: [] }],
    ["app:video", { uid: 1000, gid: 44, additionalGids: [29] }],
    ["app:29", { uid: 1000, gid: 29, additionalGids: [] }],
  ])("%j → %j", (spec, user) => expect(resolveUser(spec, passwd, groups)).toEqual({ ok: true, user }));

  it.each([
    ["nobody", /user "nobody" is not in the image's \/etc\/passwd/],
    ["app:staff", /group "staff" is not in the image's \/etc\/group/],
    ["a:b:c", /is not user/],
    [":1", /is not user/],
    ["1:", /is not user/],
    ["4294967295", /user "4294967295"/],
  ])("%j is refused, naming it", (spec, re) => {
    const r = resolveUser(spec, passwd, groups);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(re);
  });

  it("skips malformed lines", () => {
    expect(passwd.map((p) => p.name)).toEqual(["root", "www-data", "app"]);
    expect(groups.map((g) => g.name)).not.toContain("bad");
  });
});
