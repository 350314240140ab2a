// The image's `User` ("name", "uid", "name:group", "uid:gid", …) resolved the
// way Docker and runc's libcontainer/user do, from the rootfs's own
// /etc/passwd and /etc/group. Pure: the caller reads the files (bounded).

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: every group of /etc/group that lists the user by name. */
  additionalGids: number[];
}

/** 0 … 2^32-2: uid_t, less (uid_t)-1, which the kernel reads as "no change". */
const MAX_ID = 4_294_967_294;

function id(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n <= MAX_ID ? n : null;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || f[0] === "" || line.startsWith("#")) continue;
    const uid = id(f[2]);
    const gid = id(f[3]);
    if (uid !== null && gid !== null) out.push({ name: f[0], uid, gid });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || f[0] === "" || line.startsWith("#")) continue;
    const gid = id(f[2]);
    if (gid !== null) out.push({ name: f[0], gid, members: (f[3] ?? "").split(",").filter(Boolean) });
  }
  return out;
}

export type UserResolution = { ok: true; user: ResolvedUser } | { ok: false; problem: string };

/**
 * "" means root. A numeric uid need not exist in /etc/passwd (its gid is
 * then 0, as in Docker); a name must. A group part overrides the primary
 * group and must exist when it is a name.
 */
export function resolveUser(spec: string, passwd: PasswdEntry[], groups: GroupEntry[]): UserResolution {
  const trimmed = spec.trim();
  if (trimmed === "") return { ok: true, user: { uid: 0, gid: 0, additionalGids: [] } };
  const [userPart, groupPart, ...rest] = trimmed.split(":");
  if (rest.length || userPart === "" || groupPart === "") return { ok: false, problem: `"${spec}" is not user, uid, user:group or uid:gid` };
  const numericUid = id(userPart);
  const entry = numericUid === null ? passwd.find((p) => p.name === userPart) : passwd.find((p) => p.uid === numericUid);
  if (numericUid === null && !entry) return { ok: false, problem: `user "${userPart}" is not in the image's /etc/passwd` };
  const uid = numericUid ?? entry!.uid;
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) {
    const numericGid = id(groupPart);
    if (numericGid !== null) gid = numericGid;
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) return { ok: false, problem: `group "${groupPart}" is not in the image's /etc/group` };
      gid = g.gid;
    }
  }
  const name = entry?.name;
  const additionalGids = name ? [...new Set(groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid))] : [];
  return { ok: true, user: { uid, gid, additionalGids } };
}
