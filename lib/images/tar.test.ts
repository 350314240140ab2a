import { describe, expect, it } from "vitest";
import { buildTar, encodeTarHeader, parseNumeric, parsePax, TarFormatError, TarReader, type TarEntry } from "./tar";

function read(buf: Buffer, chunk = buf.length, collect = 0) {
  const entries: TarEntry[] = [];
  const bodies: (string | null)[] = [];
  const r = new TarReader({ entry: (e) => (entries.push(e), collect), end: (_e, b) => bodies.push(b ? b.toString() : null) });
  for (let i = 0; i < buf.length; i += chunk) r.push(buf.subarray(i, i + chunk));
  r.finish();
  return { entries, bodies };
}

describe("TarReader", () => {
  const archive = buildTar([
    { path: "etc/", type: "directory" },
    { path: "etc/hostname", body: "probe\n" },
    { path: "bin/sh", type: "symlink", linkpath: "busybox" },
    { path: "bin/ash", type: "hardlink", linkpath: "bin/sh" },
    { path: `deep/${"d".repeat(120)}/file`, body: "long name" },
  ]);

  it.each([1, 7, 512, 513, 100_000])("reads every entry whatever the chunk size (%i bytes)", (chunk) => {
    const { entries, bodies } = read(archive, chunk, 64);
    expect(entries.map((e) => [e.path, e.type, e.linkpath])).toEqual([
      ["etc/", "directory", ""],
      ["etc/hostname", "file", ""],
      ["bin/sh", "symlink", "busybox"],
      ["bin/ash", "hardlink", "bin/sh"],
      [`deep/${"d".repeat(120)}/file`, "file", ""],
    ]);
    expect(bodies).toEqual(["", "probe\n", "", "", "long name"]);
  });

  it("gives no body when more than asked for", () => {
    expect(read(archive, 512, 3).bodies[1]).toBeNull();
  });

  it("reads GNU long names", () => {
    const name = `x/${"n".repeat(150)}`;
    const longName = Buffer.from(`${name}\0`);
    const buf = Buffer.concat([
      encodeTarHeader({ path: "././@LongLink", typeflag: "L", size: longName.length }),
      longName,
      Buffer.alloc(512 - longName.length),
      encodeTarHeader({ path: "truncated", size: 0 }),
      Buffer.alloc(1024),
    ]);
    expect(read(buf).entries[0].path).toBe(name);
  });

  it.each([
    [
      "a bad checksum",
      (() => {
        const b = buildTar([{ path: "a" }]);
        b[0] = 0x62;
        return b;
      })(),
      /checksum/,
    ],
    ["an unknown type", buildTar([{ path: "a", typeflag: "S" }]), /unsupported tar entry type "S"/],
    ["a truncated body", buildTar([{ path: "a", body: "x".repeat(600) }]).subarray(0, 1024), /middle of an entry/],
    ["random bytes", Buffer.alloc(1024, 0x41), /not a tar archive/],
    ["an empty file", Buffer.alloc(0), /empty/],
  ])("refuses %s", (_what, buf, message) => {
    expect(() => read(buf)).toThrow(TarFormatError);
    expect(() => read(buf)).toThrow(message);
  });
});

describe("parseNumeric", () => {
  it.each([
    [Buffer.from("0000644\0"), 0o644],
    [Buffer.from("  755 \0\0"), 0o755],
    [Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0]), 0x1000],
  ])("reads %j", (buf, n) => expect(parseNumeric(buf, 0, buf.length)).toBe(n));

  it("refuses non-octal text", () => expect(() => parseNumeric(Buffer.from("12x\0"), 0, 4)).toThrow(/octal/));
});

describe("parsePax", () => {
  it("reads records, including values with spaces and '='", () => {
    expect(parsePax(Buffer.from("20 path=a b/c=d.txt\n11 size=42\n"))).toEqual({ path: "a b/c=d.txt", size: "42" });
  });
  it.each(["5 path=x\n", "x path=y\n", "11 pathx\n"])("refuses %j", (text) => expect(() => parsePax(Buffer.from(text))).toThrow(TarFormatError));
});
