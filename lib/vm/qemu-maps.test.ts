import { describe, expect, it } from "vitest";
import { guestRamFile } from "./qemu-maps";

// Trimmed from /proc/<qemu>/maps of a 128 MiB templated clone (TCG) on this host.
const MAPS = `559d9e0fc000-559d9e503000 r--p 00000000 fe:00 2170907                    /usr/bin/qemu-system-x86_64
559dd0d8a000-559dd1c64000 rw-p 00000000 00:00 0                          [heap]
7fe8e8a00000-7fe8ebcc7000 rw-p 00000000 fe:00 5352175                    /work/main/.isolab/kernel/vmlinux
7fe8ebe00000-7fe8f3e00000 rw-p 00000000 00:00 0 
7fe8f4000000-7fe8fc000000 rw-p 00000000 00:19 41                         /dev/shm/isolab-b9797b6675-c1d52a0ec7d92788.ram
`;

describe("guestRamFile", () => {
  it("finds the file mapping of exactly the guest's RAM", () => {
    expect(guestRamFile(MAPS, 128)).toEqual({
      path: "/dev/shm/isolab-b9797b6675-c1d52a0ec7d92788.ram",
      range: "7fe8f4000000-7fe8fc000000",
      deleted: false,
    });
  });

  it("a cold VM's anonymous 128 MiB mapping is not a file, and a file of another size is not the guest RAM", () => {
    expect(guestRamFile(MAPS.split("\n").slice(0, 4).join("\n"), 128)).toBeNull();
    expect(guestRamFile(MAPS, 64)).toBeNull();
  });

  it("names a file a rebuild unlinked without the kernel's suffix, and says it is deleted", () => {
    const f = guestRamFile(MAPS.replace(".ram\n", ".ram (deleted)\n"), 128);
    expect(f).toMatchObject({ path: "/dev/shm/isolab-b9797b6675-c1d52a0ec7d92788.ram", deleted: true });
  });

  it("keeps a path with spaces whole", () => {
    expect(guestRamFile(MAPS.replace("/dev/shm/", "/dev/my shm/"), 128)?.path).toBe("/dev/my shm/isolab-b9797b6675-c1d52a0ec7d92788.ram");
  });
});
