import { describe, expect, it } from "vitest";
import { buildTar, encodeTarHeader, parseNumeric, parsePax, TarFormatError, TarReader, type TarEntry } from "./tar";
import { craftHeader, craftTar, paxRecords, type CraftEntry } from "./tar-craft";

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

describe("TarReader refuses what Go's archive/tar would read otherwise (crafted headers)", () => {
  const hidden = Buffer.from(craftHeader({ name: "etc/evil", size: 0 }));
  it.each<[string, CraftEntry[], RegExp]>([
    [
      "a '\\0'-typeflag entry named like a directory (Go: a body-less directory; its body hides a header)",
      [{ name: "d/", typeflag: "\0", size: 512, body: hidden }],
      /entry "d\/": an old-style .* without a body/,
    ],
    ["the same, named so by a pax path", [{ name: "d", typeflag: "\0", pax: [["path", "x/d/"]] }], /entry "x\/d\/": an old-style/],
    ["a STAR header (131-byte prefix in Go)", [{ name: "file", format: "star", prefix: "p" }], /entry "file": a STAR header/],
    [
      "a GNU header whose atime is a name prefix to Go",
      [{ name: "file", format: "gnu", gnuAtime: "evil/dir" }],
      /entry "file": a GNU header whose access time/,
    ],
    [
      "pax GNU.sparse.name (renames the entry in Go)",
      [{ name: "file", pax: [["GNU.sparse.name", "other"]] }],
      /GNU sparse files \(pax key GNU\.sparse\.name\)/,
    ],
    ["pax GNU.sparse.major", [{ name: "file", pax: [["GNU.sparse.major", "1"]] }], /GNU sparse/],
    ["a pax key outside the allow-list", [{ name: "file", pax: [["LIBARCHIVE.xattr.user.x", "eA=="]] }], /pax key "LIBARCHIVE\.xattr\.user\.x" is not one/],
    [
      "a pax key given twice",
      [
        {
          name: "file",
          pax: [
            ["path", "a"],
            ["path", "b"],
          ],
        },
      ],
      /pax key path is given twice/,
    ],
    ["an empty pax value (Go keeps the header's name)", [{ name: "file", pax: [["path", ""]] }], /empty value/],
    ["a pax size that is not decimal", [{ name: "file", pax: [["size", "0x10"]] }], /pax size "0x10" is not a decimal number/],
    ["a pax length Go would not parse", [{ name: "file", pax: Buffer.from("0x0f path=abc\n") }], /malformed pax record length/],
    ["NUL padding after the pax records", [{ name: "file", pax: Buffer.concat([Buffer.from("12 path=abc\n"), Buffer.alloc(4)]) }], /pax record/],
    ["a pax path and a GNU long name on one entry", [{ name: "file", pax: [["path", "a"]], gnuLongName: "b" }], /both a pax path and a GNU long name/],
    [
      "a pax linkpath and a GNU long link on one entry",
      [{ name: "l", typeflag: "2", pax: [["linkpath", "a"]], gnuLongLink: "b" }],
      /both a pax linkpath and a GNU long link/,
    ],
    ["a pax global header (umoci refuses it)", [{ name: "file", globalPax: [["comment", "c"]] }], /a pax global header/],
    ["an empty GNU long name", [{ name: "file", gnuLongName: "" }], /empty GNU long name/],
    ["a name that is not UTF-8", [{ name: Uint8Array.from([0x61, 0xff]) }], /not valid UTF-8/],
  ])("%s", (_what, entries, message) => {
    const buf = Buffer.from(craftTar(entries));
    expect(() => read(buf)).toThrow(TarFormatError);
    expect(() => read(buf)).toThrow(message);
  });

  it("refuses two metadata headers of one kind for one entry", () => {
    const pax = Buffer.from(craftTar([{ name: "a", typeflag: "x", body: paxRecords([["path", "b"]]) }], { end: false }));
    const buf = Buffer.concat([pax, Buffer.from(craftTar([{ name: "f", pax: [["path", "c"]] }]))]);
    expect(() => read(buf)).toThrow(/a second x metadata header for one entry/);
  });

  it("refuses a metadata header that no entry follows", () => {
    const buf = Buffer.from(craftTar([{ name: "PaxHeaders/x", typeflag: "x", body: paxRecords([["path", "b"]]) }]));
    expect(() => read(buf)).toThrow(/metadata header at byte 0 belongs to no entry/);
  });

  it("refuses a negative base-256 number (Go reads bit 0x40 of the first byte as the sign)", () => {
    const field = Buffer.alloc(12);
    field[0] = 0xc0;
    field[11] = 1;
    expect(() => parseNumeric(field, 0, 12)).toThrow(/negative/);
  });

  it("refuses two GNU long names for one entry", () => {
    const first = Buffer.from(craftTar([{ name: "././@LongLink", typeflag: "L", format: "gnu", body: "a\0" }], { end: false }));
    expect(() => read(Buffer.concat([first, Buffer.from(craftTar([{ name: "f", gnuLongName: "b" }]))]))).toThrow(/a second L metadata header/);
  });

  it("reads what Go reads the same way: ustar prefix, GNU long names, pax overrides, base-256 sizes, valid GNU times", () => {
    const buf = Buffer.from(
      craftTar([
        { name: "file", prefix: "some/prefix", body: "a" },
        { name: "trunc", gnuLongName: `g/${"n".repeat(120)}`, format: "gnu", body: "b" },
        {
          name: "x",
          pax: [
            ["path", "p/é"],
            ["mtime", "1700000000.5"],
            ["SCHILY.xattr.user.k", "v"],
            ["comment", "hi"],
          ],
          body: "c",
        },
        { name: "big", base256Size: true, body: "dddd" },
        { name: "gnu-times", format: "gnu", gnuAtime: "00000000001\0" },
        { name: "l", typeflag: "2", pax: [["linkpath", "t".repeat(150)]] },
        { name: "old", typeflag: "\0", body: "e" },
        { name: "d/", typeflag: "5" },
      ]),
    );
    const { entries } = read(buf);
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ["some/prefix/file", "file", 1],
      [`g/${"n".repeat(120)}`, "file", 1],
      ["p/é", "file", 1],
      ["big", "file", 4],
      ["gnu-times", "file", 0],
      ["l", "symlink", 0],
      ["old", "file", 1],
      ["d/", "directory", 0],
    ]);
    expect(entries[5].linkpath).toBe("t".repeat(150));
  });
});
