import "server-only";
import fs from "node:fs";
import { chooseRange, parseSubIds, type IdRange } from "@/lib/container/userns";
import { MissingDependencyError } from "@/server/errors";

// The host ids confined containers run as: the `isolab` lines of
// /etc/subuid and /etc/subgid (npm run setup writes them), else the default
// range. Read at each start (two small files, ~0.05 ms), so a set-up run
// while the server runs takes effect; rootfs copies are keyed by the range.

export interface HostIdRanges {
  uid: IdRange;
  gid: IdRange;
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

export function hostIdRanges(files = { uid: "/etc/subuid", gid: "/etc/subgid" }): HostIdRanges {
  const pick = (file: string) => {
    const r = chooseRange(parseSubIds(read(file)), file);
    if (!r.ok) throw new MissingDependencyError("userns", `No user-namespace range for confined containers: ${r.problem}.`);
    return r.range;
  };
  return { uid: pick(files.uid), gid: pick(files.gid) };
}
