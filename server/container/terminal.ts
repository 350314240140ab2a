import "server-only";
import fs from "node:fs";
import path from "node:path";
import * as pty from "node-pty";
import { ConflictError } from "@/server/errors";
import type { TerminalCapability, TerminalChannel, TerminalSize } from "@/server/engine/contract";
import { killSession } from "@/server/terminal/kill-session";
import type { ContainerRuntime } from "./runtime";

// A shell in a running container: `runc exec -t <id> /bin/sh` on a pty that
// node-pty opens. runc sees a terminal on its stdin, so it makes the
// container's own pty (its console), proxies it to ours and forwards our
// size to it on SIGWINCH — which the kernel sends when node-pty resizes.
// exec joins the container's namespaces, cgroup, capabilities and seccomp
// profile: the shell is confined exactly like the container's init.

const MAX_SESSIONS = 4;
const CLOSE_WAIT_MS = 3_000;

export function containerTerminal(o: { runtime: ContainerRuntime; id: string; rootfsDir: string; dir: string }): TerminalCapability {
  let opened = 0;
  return {
    maxSessions: MAX_SESSIONS,
    async open(size: TerminalSize): Promise<TerminalChannel> {
      // lstat: /bin/sh is usually a symlink to busybox, which must not be resolved against the host's /.
      if (!lstatOrNull(path.join(o.rootfsDir, "bin", "sh"))) {
        throw new ConflictError("This container's image has no /bin/sh, so there is no shell to open in it.");
      }
      const pidFile = path.join(o.dir, `terminal-${process.pid}-${++opened}.pid`);
      // An argument array through execvp: no host shell is involved.
      // prettier-ignore
      const args = ["--root", o.runtime.root, "exec", "-t", "--pid-file", pidFile, "--env", "TERM=xterm-256color", o.id, "/bin/sh"];
      const child = pty.spawn(o.runtime.binary, args, {
        name: "xterm-256color",
        cols: size.cols,
        rows: size.rows,
        cwd: o.dir,
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
        encoding: null,
      });
      const ended = new Promise<string>((resolve) => {
        child.onExit(({ exitCode, signal }) => {
          fs.rmSync(pidFile, { force: true });
          resolve(signal ? `the shell's runtime ended by signal ${signal}` : `the shell exited with code ${exitCode}`);
        });
      });
      let closing: Promise<void> | undefined;
      return {
        write: (data) => child.write(data),
        resize: ({ rows, cols }) => child.resize(cols, rows),
        onData: (listener) => void child.onData((d) => listener(Buffer.isBuffer(d) ? d : Buffer.from(d))),
        ended,
        close() {
          closing ??= (async () => {
            // The shell inside and whatever it started in its session, then runc itself.
            const shellPid = readPid(pidFile);
            if (shellPid) killSession(shellPid);
            try {
              child.kill("SIGKILL");
            } catch {
              // already gone
            }
            await Promise.race([ended, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
          })();
          return closing;
        },
      };
    },
  };
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}
