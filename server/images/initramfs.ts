import "server-only";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ISOLAB_GUEST_DIR, vmInitScript, type VmInitSpec } from "@/lib/vm/init";
import { ImageToolError } from "./errors";
import { runToolOrThrow } from "./tools";

// An OCI image's root filesystem as a VM's initramfs: two newc cpio archives
// back to back (the kernel unpacks concatenated archives in order). First the
// image's unpacked rootfs as it is (owners kept), then Isolab's overlay:
// /.isolab/{init,busybox,probe}, /dev/console (the kernel opens it for init's
// stdio before anything is mounted) and the mount points. Nothing of the
// image is replaced, so an image that has its own /init keeps it.

export interface InitramfsInputs {
  rootfsDir: string;
  spec: VmInitSpec;
  /** Static busybox and probe from the built `probe` image. */
  busyboxPath: string;
  probePath: string;
}

/** `find . -mindepth 1 -print0 | cpio -o -H newc --null` in `dir`, appended to `out`. */
async function cpioOf(dir: string, out: fs.WriteStream, extraArgs: string[] = []): Promise<void> {
  const find = spawn("find", [".", "-mindepth", "1", "-print0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const cpio = spawn("cpio", ["-o", "-H", "newc", "--null", "--quiet", ...extraArgs], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  find.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  cpio.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = (p: ReturnType<typeof spawn>, name: string) =>
    new Promise<void>((resolve, reject) => {
      p.once("error", (e) => reject(new ImageToolError(`could not run ${name}: ${e.message}`)));
      p.once("close", (code) =>
        code === 0 ? resolve() : reject(new ImageToolError(`${name} exited with ${code} packing ${dir}: ${stderr.trim().slice(-500)}`)),
      );
    });
  await Promise.all([pipeline(find.stdout, cpio.stdin), pipeline(cpio.stdout, out, { end: false }), exited(find, "find"), exited(cpio, "cpio")]);
}

/** Writes the initramfs to `outPath` via a temp file and a rename: a half-written one is never used. */
export async function packInitramfs(inputs: InitramfsInputs, outPath: string): Promise<void> {
  const tmp = `${outPath}.tmp-${randomBytes(4).toString("hex")}`;
  const overlay = `${tmp}.overlay`;
  try {
    const guest = path.join(overlay, ISOLAB_GUEST_DIR);
    fs.mkdirSync(guest, { recursive: true, mode: 0o755 });
    for (const d of ["dev", "proc", "sys", "tmp"]) fs.mkdirSync(path.join(overlay, d), { mode: 0o755 });
    fs.chmodSync(path.join(overlay, "tmp"), 0o1777);
    fs.writeFileSync(path.join(guest, "init"), vmInitScript(inputs.spec), { mode: 0o755 });
    fs.copyFileSync(inputs.busyboxPath, path.join(guest, "busybox"));
    fs.copyFileSync(inputs.probePath, path.join(guest, "probe"));
    fs.chmodSync(path.join(guest, "busybox"), 0o755);
    fs.chmodSync(path.join(guest, "probe"), 0o755);
    await runToolOrThrow("mknod", ["-m", "600", path.join(overlay, "dev", "console"), "c", "5", "1"], "creating /dev/console");

    const out = fs.createWriteStream(tmp, { mode: 0o644 });
    const opened = new Promise<void>((resolve, reject) => out.once("open", () => resolve()).once("error", reject));
    await opened;
    await cpioOf(inputs.rootfsDir, out);
    await cpioOf(overlay, out, ["-R", "0:0"]);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(tmp, outPath);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(overlay, { recursive: true, force: true });
  }
}
