import { describe, expect, it } from "vitest";
import {
  applyWrites,
  ksmUnavailableReason,
  parseKsmCounters,
  parseKsmSettings,
  parseKsmValue,
  restoreUnmerges,
  restoreWrites,
  settingsDiff,
  type KsmSettings,
} from "./ksm";

// Files as a 6.18 kernel writes them under /sys/kernel/mm/ksm.
const FILES = {
  run: "0\n",
  pages_to_scan: "100\n",
  sleep_millisecs: "20\n",
  advisor_mode: "[none] scan-time\n",
  pages_shared: "12\n",
  pages_sharing: "340\n",
  pages_unshared: "5\n",
  pages_volatile: "1\n",
  full_scans: "7\n",
  ksm_zero_pages: "0\n",
  general_profit: "-4096\n",
  use_zero_pages: "0\n",
};

describe("reading KSM's files", () => {
  it("reads numbers and the bracketed choice of a list", () => {
    expect(parseKsmValue("20\n")).toBe(20);
    expect(parseKsmValue("none [scan-time]\n")).toBe("scan-time");
    expect(() => parseKsmValue("lots")).toThrow(/not a KSM value/);
  });

  it("reads the tunables, the advisor only where the kernel has it", () => {
    expect(parseKsmSettings(FILES)).toEqual({ run: 0, pages_to_scan: 100, sleep_millisecs: 20, advisor_mode: "none" });
    const { advisor_mode: _, ...old } = FILES;
    expect(parseKsmSettings(old)).toEqual({ run: 0, pages_to_scan: 100, sleep_millisecs: 20 });
    expect(() => parseKsmSettings({ run: "0" })).toThrow("pages_to_scan is missing");
  });

  it("reads the counters there are; a negative profit stays negative", () => {
    expect(parseKsmCounters(FILES)).toMatchObject({ pages_shared: 12, pages_sharing: 340, general_profit: -4096, ksm_zero_pages: 0 });
    expect(parseKsmCounters({ pages_sharing: "3" })).toEqual({ pages_sharing: 3 });
  });
});

describe("changing KSM and putting it back", () => {
  const off: KsmSettings = { run: 0, pages_to_scan: 100, sleep_millisecs: 20, advisor_mode: "none" };

  it("sets the rate before starting ksmd, and stops the advisor first (it refuses pages_to_scan while it runs)", () => {
    expect(applyWrites(off, { pagesToScan: 5000, sleepMs: 10 })).toEqual([
      ["pages_to_scan", "5000"],
      ["sleep_millisecs", "10"],
      ["run", "1"],
    ]);
    expect(applyWrites({ ...off, advisor_mode: "scan-time" }, { pagesToScan: 5000, sleepMs: 10 })[0]).toEqual(["advisor_mode", "none"]);
  });

  it("unmerges (run 2, then 0) when the host had KSM off with nothing merged", () => {
    const w = restoreWrites(off, 0);
    expect(w).toEqual([
      ["run", "2"],
      ["run", "0"],
      ["pages_to_scan", "100"],
      ["sleep_millisecs", "20"],
      ["advisor_mode", "none"],
    ]);
    expect(restoreUnmerges(w)).toBe(true);
  });

  it("only stops ksmd when the host had pages merged while stopped: unmerging would undo more than the run did", () => {
    const w = restoreWrites(off, 12);
    expect(w[0]).toEqual(["run", "0"]);
    expect(restoreUnmerges(w)).toBe(false);
  });

  it("keeps KSM running, at the host's rate and advisor, when the host had it on", () => {
    const w = restoreWrites({ run: 1, pages_to_scan: 64, sleep_millisecs: 200, advisor_mode: "scan-time" }, 500);
    expect(w).toEqual([
      ["pages_to_scan", "64"],
      ["sleep_millisecs", "200"],
      ["advisor_mode", "scan-time"],
      ["run", "1"],
    ]);
    expect(restoreUnmerges(w)).toBe(false);
  });

  it("names each tunable that differs; pages_to_scan is the advisor's while it runs", () => {
    expect(settingsDiff(off, off)).toEqual([]);
    expect(settingsDiff(off, { ...off, run: 1, sleep_millisecs: 10 })).toEqual(["run is 1, was 0", "sleep_millisecs is 10, was 20"]);
    const advised = { ...off, advisor_mode: "scan-time" };
    expect(settingsDiff(advised, { ...advised, pages_to_scan: 900 })).toEqual([]);
    expect(settingsDiff({ run: 0, pages_to_scan: 1, sleep_millisecs: 1 }, { ...off, pages_to_scan: 1, sleep_millisecs: 1 })).toEqual([]);
  });
});

describe("why KSM cannot be used", () => {
  it.each([
    ["ENOENT", "/x/run does not exist: this kernel was built without CONFIG_KSM"],
    ["EROFS", "/x is on a read-only file system (EROFS), as /sys is inside a container"],
    ["EACCES", "/x/run cannot be written (EACCES): KSM's settings are root's"],
    ["EIO", "/x/run cannot be used (EIO)."],
  ])("%s", (code, want) => expect(ksmUnavailableReason("/x", code)).toContain(want));
});
