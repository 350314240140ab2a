import { describe, expect, it } from "vitest";
import { guestOomKills } from "./guest-console";

describe("guestOomKills", () => {
  it("reads each kill the guest kernel reported on its console", () => {
    const console = [
      "probe agent: serving on /dev/ttyS1",
      "[    1.637142] Out of memory: Killed process 85 (probe) total-vm:69872kB, anon-rss:67296kB, file-rss:4kB, shmem-rss:72kB, UID:0 pgtables:168kB oom_score_adj:0",
      "[    9.1] Out of memory: Killed process 102 (probe) total-vm:1kB",
    ].join("\n");
    expect(guestOomKills(console)).toEqual([
      { pid: 85, comm: "probe" },
      { pid: 102, comm: "probe" },
    ]);
  });

  it.each([[""], ["init: probe agent exited with code 0; restarting"], ["oom-kill:constraint=CONSTRAINT_NONE"]])("finds none in %j", (text) => {
    expect(guestOomKills(text)).toEqual([]);
  });
});
