import { describe, expect, it } from "vitest";
import { cloneFacts, isClone, poolFacts, templateFiles, type CloneSeen } from "./templated-facts";
import { AT, MiB } from "./test-fixtures";

// Readings shaped like two 128 MiB TCG clones of one template on this host:
// the file holds 75 MiB, each clone's PSS is its own 20 MiB plus half the mapped file.
const FILE = { path: "/dev/shm/isolab-36cb8ef736-c1d52a0ec7d9.ram", deleted: false, sizeBytes: 128 * MiB, residentBytes: 75 * MiB };
const clone = (pid: number, over: Partial<CloneSeen> = {}): CloneSeen => ({
  pid,
  ramFile: FILE,
  rollup: { rssBytes: 95 * MiB, pssBytes: 57.5 * MiB, pssShmemBytes: 37.5 * MiB },
  ...over,
});

describe("isClone", () => {
  it.each([
    [{ kind: "vm", startMode: "template" }, true],
    [{ kind: "vm", startMode: "pooled" }, true],
    [{ kind: "vm", startMode: "warm" }, false],
    [{ kind: "vm" }, false],
    [{ kind: "container", startMode: "template" }, false],
  ])("%j → %s", (i, want) => expect(isClone(i)).toBe(want));
});

describe("cloneFacts", () => {
  it("a clone's own cost is its PSS less its share of the template file, with both numbers and the pid in the source", () => {
    expect(cloneFacts(clone(4242), AT)).toEqual({
      ramFile: FILE.path,
      pssBytes: 57.5 * MiB,
      shareOfTemplateBytes: 37.5 * MiB,
      private: { value: 20 * MiB, source: "PSS 57.5 MiB − its share of the template file 37.5 MiB (Pss_Shmem), smaps_rollup of QEMU pid 4242", at: AT },
    });
  });

  it("without Pss_Shmem (a kernel before 5.7), its RAM file or its smaps there is no own cost: the PSS would count the template again", () => {
    expect(cloneFacts(clone(1, { rollup: { rssBytes: 1, pssBytes: 1 } }), AT)).toBeNull();
    expect(cloneFacts(clone(1, { ramFile: null }), AT)).toBeNull();
    expect(cloneFacts(clone(1, { rollup: null }), AT)).toBeNull();
  });
});

describe("templateFiles", () => {
  it("lists each file once, with the clones that map it, whether found on the tmpfs, through a clone, or both", () => {
    const files = templateFiles([FILE, { ...FILE, path: "/dev/shm/isolab-36cb8ef736-other.ram", residentBytes: 10 * MiB }], [clone(1), clone(2)], AT);
    expect(files.map((f) => [f.path, f.clones, f.resident.value])).toEqual([
      [FILE.path, 2, 75 * MiB],
      ["/dev/shm/isolab-36cb8ef736-other.ram", 0, 10 * MiB],
    ]);
    expect(files[0].resident.source).toBe("what tmpfs holds for isolab-36cb8ef736-c1d52a0ec7d9.ram (stat st_blocks × 512, of 128 MiB)");
  });

  it("a file a rebuild unlinked is its own entry, found only through the clone still mapping it", () => {
    const old = clone(3, { ramFile: { ...FILE, deleted: true, residentBytes: 70 * MiB } });
    const files = templateFiles([FILE], [clone(1), old], AT);
    expect(files.map((f) => [f.deleted, f.clones, f.resident.value])).toEqual([
      [false, 1, 75 * MiB],
      [true, 1, 70 * MiB],
    ]);
    expect(files[1].resident.source).toContain("unlinked by a rebuild, still mapped by a clone");
  });
});

describe("poolFacts", () => {
  it("sums the waiting QEMUs' own cost; none readable is no pool", () => {
    const r = { rssBytes: 90 * MiB, pssBytes: 45 * MiB, pssShmemBytes: 30 * MiB };
    expect(poolFacts([r, r, null], AT)).toEqual({
      waiting: 2,
      private: { value: 30 * MiB, source: "PSS − Pss_Shmem of the pool's 2 waiting QEMUs, smaps_rollup", at: AT },
    });
    expect(poolFacts([], AT)).toBeNull();
    expect(poolFacts([{ rssBytes: 1, pssBytes: 1 }], AT)).toBeNull();
  });
});
