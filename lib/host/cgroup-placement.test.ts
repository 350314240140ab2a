import { describe, expect, it } from "vitest";
import { cgroupModeFromMountinfo, chooseCgroupPlacement, ownUnifiedCgroup, parseMountinfoCgroups, parseSystemctlShow, unitOfCgroup } from "./cgroup-placement";

// Fixture texts as the kernel writes them (proc(5)).
const MOUNTINFO_V2 = `25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
28 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
30 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro`;

const MOUNTINFO_HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate
33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,xattr,name=systemd
34 31 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
35 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct`;

const MOUNTINFO_V1 = `33 31 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
34 31 0:31 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids`;

const SELF_SERVICE = "0::/system.slice/isolab.service\n";
const SELF_SESSION = "0::/user.slice/user-1000.slice/session-4.scope\n";
const SELF_HYBRID = "12:pids:/user.slice\n4:memory:/user.slice\n1:name=systemd:/user.slice/session-4.scope\n0::/user.slice/session-4.scope\n";

describe("cgroup mode from /proc/self/mountinfo", () => {
  it.each([
    ["v2", MOUNTINFO_V2],
    ["hybrid", MOUNTINFO_HYBRID],
    ["v1", MOUNTINFO_V1],
  ])("%s", (mode, text) => expect(cgroupModeFromMountinfo(text)).toBe(mode));

  it("reads v1 controllers and named hierarchies from the super options", () => {
    expect(parseMountinfoCgroups(MOUNTINFO_HYBRID).slice(1)).toEqual([
      { mountPoint: "/sys/fs/cgroup/systemd", version: 1, controllers: [], name: "systemd" },
      { mountPoint: "/sys/fs/cgroup/memory", version: 1, controllers: ["memory"] },
      { mountPoint: "/sys/fs/cgroup/cpu,cpuacct", version: 1, controllers: ["cpu", "cpuacct"] },
    ]);
  });
});

describe("own cgroup from /proc/self/cgroup", () => {
  it("is the 0:: line", () => {
    expect(ownUnifiedCgroup(SELF_SERVICE)).toBe("/system.slice/isolab.service");
    expect(ownUnifiedCgroup(SELF_HYBRID)).toBe("/user.slice/session-4.scope");
    expect(ownUnifiedCgroup("4:memory:/\n")).toBeNull();
  });

  it("names the unit", () => {
    expect(unitOfCgroup("/system.slice/isolab.service")).toBe("isolab.service");
    expect(unitOfCgroup("/system.slice/isolab.service/supervisor")).toBe("isolab.service");
    expect(unitOfCgroup("/user.slice/user-1000.slice/session-4.scope")).toBe("session-4.scope");
    expect(unitOfCgroup("/")).toBeNull();
  });
});

describe("parseSystemctlShow", () => {
  it("reads Key=value lines", () => {
    expect(parseSystemctlShow("Delegate=yes\nLoadState=loaded\nDescription=a = b\n")).toEqual({ Delegate: "yes", LoadState: "loaded", Description: "a = b" });
  });
});

describe("chooseCgroupPlacement", () => {
  const own = (text: string) => ownUnifiedCgroup(text);
  it.each([
    [
      "v2, delegated service: its own subtree",
      { version: "v2", ownCgroup: own(SELF_SERVICE), delegated: true },
      "/system.slice/isolab.service/isolab",
      "/system.slice/isolab.service",
    ],
    [
      "v2, already in its leaf: the same subtree",
      { version: "v2", ownCgroup: "/system.slice/isolab.service/supervisor", delegated: true },
      "/system.slice/isolab.service/isolab",
      "/system.slice/isolab.service",
    ],
    [
      "v2, delegated scope (systemd-run --scope -p Delegate=yes)",
      { version: "v2", ownCgroup: "/system.slice/run-r1.scope", delegated: true },
      "/system.slice/run-r1.scope/isolab",
      "/system.slice/run-r1.scope",
    ],
    ["v2, session scope without delegation: the root's", { version: "v2", ownCgroup: own(SELF_SESSION), delegated: false }, "/isolab", null],
    ["v2, root cgroup (a container without systemd)", { version: "v2", ownCgroup: "/", delegated: true }, "/isolab", null],
    ["hybrid: today's path", { version: "hybrid", ownCgroup: own(SELF_HYBRID), delegated: true }, "/isolab", null],
    ["v1: today's path", { version: "v1", ownCgroup: null, delegated: false }, "/isolab", null],
  ] as const)("%s", (_, input, parent, delegatedRoot) => {
    const p = chooseCgroupPlacement(input);
    expect(p.parent).toBe(parent);
    expect(p.delegatedRoot).toBe(delegatedRoot);
    expect(p.why).not.toBe("");
  });
});
