import { describe, expect, it } from "vitest";
import { splitQemuMemory } from "./qemu-smaps";

// Trimmed from /proc/<qemu>/smaps of a 128 MiB TCG guest on this host.
const SMAPS = `559d9e0fc000-559d9e503000 r--p 00000000 fe:00 2170907                    /usr/bin/qemu-system-x86_64
Size:               4124 kB
KernelPageSize:        4 kB
Rss:                4124 kB
Pss:                1031 kB
559dd0d8a000-559dd1c64000 rw-p 00000000 00:00 0                          [heap]
Size:              15208 kB
Rss:                4084 kB
7fe8fc000000-7fe8fffff000 rwxp 00000000 00:00 0 
Size:              65532 kB
Rss:                8192 kB
7fe8e8a00000-7fe8ebcc7000 rw-p 00000000 fe:00 5352175                    /work/main/.isolab/kernel/vmlinux
Size:              51996 kB
Rss:               45376 kB
7fe8ebe00000-7fe8f3e00000 rw-p 00000000 00:00 0 
Size:             131072 kB
KernelPageSize:        4 kB
Rss:               59392 kB
Pss:               59392 kB
VmFlags: rd wr mr mw me ac sd
`;

describe("splitQemuMemory", () => {
  it("finds the guest RAM mapping by its size and splits RSS", () => {
    expect(splitQemuMemory(SMAPS, 128)).toEqual({
      guestRamRssBytes: 59392 * 1024,
      otherRssBytes: (4124 + 4084 + 8192 + 45376) * 1024,
      totalRssBytes: (4124 + 4084 + 8192 + 45376 + 59392) * 1024,
    });
  });

  it("does not take the translation cache (rwx, 65532 kB) or a file mapping for guest RAM", () => {
    expect(splitQemuMemory(SMAPS, 64)).toBeNull();
    expect(splitQemuMemory(SMAPS.replace("131072 kB", "51996 kB").replace(/7fe8ebe00000.*\n/, ""), 50.77734375)).toBeNull();
  });

  it("is null for empty or foreign text", () => {
    expect(splitQemuMemory("", 128)).toBeNull();
    expect(splitQemuMemory("Rss: 12 kB\n", 128)).toBeNull();
  });
});
