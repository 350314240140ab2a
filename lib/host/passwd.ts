// /etc/passwd lines ("name:x:uid:gid:gecos:home:shell"), parsed without
// getpwnam (Node has none). Pure: the server reads the file.

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

/** The entry for `name`, or null when the file has none (or only a malformed one). */
export function findPasswdEntry(text: string, name: string): PasswdEntry | null {
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || f[0] !== name) continue;
    if (!/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) return null;
    return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}
