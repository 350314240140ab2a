import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { ramFileName, stateTagOf as engineStateTag } from "@/server/vm/vm-templates";
import { removeTemplateRam, shmDirOf, stateTagOf, templateRamFiles } from "./template-ram";

// The cleanup must name the files the engine makes, or it removes nothing:
// its tag and directory are held to the engine's and the config's here.

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-ramtest-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("template RAM files of a state directory", () => {
  it.each(["/tmp/isolab-e2e-3107", "/tmp/isolab-e2e-3107/", "relative/state", "/tmp/a/../isolab-tpl-x"])("tags %s as the engine does", (dir) => {
    expect(stateTagOf(dir)).toBe(engineStateTag(dir));
  });

  it("finds the shm directory where the config puts it", () => {
    const env = (e: { ISOLAB_SHM_DIR?: string }) => e as NodeJS.ProcessEnv;
    expect(shmDirOf({})).toBe(loadConfig(env({})).shmDir);
    expect(shmDirOf({ ISOLAB_SHM_DIR: "some/shm" })).toBe(loadConfig(env({ ISOLAB_SHM_DIR: "some/shm" })).shmDir);
  });

  it("removes the state directory's RAM files, named as the engine names them, and nothing else", () => {
    const shm = tmp();
    const mine = path.join(shm, "state");
    const other = path.join(shm, "other-state");
    const touch = (name: string) => fs.writeFileSync(path.join(shm, name), "");
    const own = [ramFileName(engineStateTag(mine), "c1d52a0ec7d92788"), ramFileName(engineStateTag(mine), "bb1614f4f0873a67")];
    const kept = [ramFileName(engineStateTag(other), "c1d52a0ec7d92788"), `${ramFileName(engineStateTag(mine), "k")}.tmp`, "isolab-tpl-test-x"];
    for (const n of [...own, ...kept]) touch(n);

    expect(templateRamFiles(mine, shm).sort()).toEqual(own.map((n) => path.join(shm, n)).sort());
    expect(removeTemplateRam(mine, shm).sort()).toEqual(own.map((n) => path.join(shm, n)).sort());
    expect(fs.readdirSync(shm).sort()).toEqual(kept.sort());
    expect(removeTemplateRam(mine, shm)).toEqual([]);
  });

  it("answers nothing for an shm directory that cannot be read", () => {
    expect(removeTemplateRam("/tmp/state", path.join(tmp(), "missing"))).toEqual([]);
  });
});
