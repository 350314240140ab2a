import "server-only";
import fs from "node:fs";

// A shell leads its own session (runc exec -t's setsid, the guest's setsid):
// killing the session kills the shell and every job it started, including
// background ones that a hangup would not reach.

/** The pids whose session id (field 6 of /proc/<pid>/stat) is `sid`, read from the host's /proc. */
export function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[3]) === sid) out.push(Number(name));
  }
  return out;
}

/** SIGKILL to the session leader and every member of its session. */
export function killSession(sid: number): void {
  const pids = new Set([sid, ...sessionMembers(sid)]);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
