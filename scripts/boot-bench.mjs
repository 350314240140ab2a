// Boots the probe image in QEMU with one of the variants below, times spawn →
// the agent's READY line, and optionally runs probe commands over the agent.
// Used to pick and re-check the tuned arguments in guest/BOOT-TUNING.md.
//   node scripts/boot-bench.mjs <variant> [runs=5] [command ...]
//   node scripts/boot-bench.mjs tuned 1 "info" "cpu 200"
//   node scripts/boot-bench.mjs tuned 5 +nowatchdog -quiet   (add / drop kernel args)
// BENCH_SMP, BENCH_TB_SIZE and BENCH_M (the -M value) vary the QEMU side.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const data = process.env.ISOLAB_DATA_DIR ?? path.resolve(import.meta.dirname, "..", ".isolab");
const kernelDir = path.join(data, "kernel");
const initrd = path.join(data, "images", "probe", "initramfs.cpio");

// prettier-ignore
const common = ["-accel", `tcg,tb-size=${process.env.BENCH_TB_SIZE ?? 64}`, "-m", "128", "-smp", process.env.BENCH_SMP ?? "1", "-nodefaults", "-no-user-config",
  "-display", "none", "-no-reboot"];
// the first hand-measured starting point (ARCHITECTURE.md, "Hosts it has run on"), with a
// second UART for the agent.
const DESIGN_APPEND = [
  "console=ttyS0",
  "quiet",
  "8250.nr_uarts=2",
  "no_timer_check",
  "tsc=reliable",
  "i8042.noaux",
  "i8042.nokbd",
  "cryptomgr.notests",
  "mitigations=off",
  "pci=lastbus=0",
  "lpj=8000000",
];
// What survived measurement (guest/BOOT-TUNING.md): lpj made no difference,
// lsm= skips AppArmor/TOMOYO/landlock set-up, panic=-1 with -no-reboot turns
// a guest panic into a QEMU exit the host can see.
export const TUNED_APPEND = [...DESIGN_APPEND.filter((a) => !a.startsWith("lpj=")), "lsm=", "panic=-1"];
const TUNED_MACHINE = ["-M", "pc", "-cpu", "qemu64", "-bios", "qboot.rom"];

// lib/vm/qemu-args.ts TUNED_KERNEL_ARGS at the time of writing: TUNED_APPEND
// plus arguments that measured within noise here.
const ISOLAB_APPEND = [...TUNED_APPEND, "random.trust_cpu=on", "initcall_blacklist=init_kprobe_trace,crypto_kdf108_init", "rdinit=/init"];

const variants = {
  // QEMU's defaults (lib/vm/qemu-args.ts buildDefaultBootArgs): pc, SeaBIOS, a
  // default NIC and VGA, the full 1 GiB translation cache, bzImage.
  default: { bare: true, machine: [], kernel: "bzImage", append: ["console=ttyS0"] },
  // Debian's kernel as shipped, on the machine the brief suggested.
  untuned: { machine: ["-M", "q35", "-cpu", "max"], kernel: "bzImage", append: ["console=ttyS0"] },
  vmlinux: { machine: ["-M", "q35", "-cpu", "max"], kernel: "vmlinux", append: ["console=ttyS0"] },
  design: { machine: ["-M", "q35", "-cpu", "max"], kernel: "vmlinux", append: DESIGN_APPEND },
  tuned: { machine: TUNED_MACHINE, kernel: "vmlinux", append: TUNED_APPEND },
  isolab: { machine: ["-M", "pc", "-bios", "qboot.rom"], kernel: "vmlinux", append: ISOLAB_APPEND },
  "tuned-cpu-max": { machine: ["-M", "pc", "-cpu", "max", "-bios", "qboot.rom"], kernel: "vmlinux", append: TUNED_APPEND },
  "tuned-q35": { machine: ["-M", "q35", "-cpu", "qemu64", "-bios", "qboot.rom"], kernel: "vmlinux", append: TUNED_APPEND },
  "tuned-seabios": { machine: ["-M", "pc", "-cpu", "qemu64"], kernel: "vmlinux", append: TUNED_APPEND },
  // Fastest, but the guest then sees one vCPU whatever -smp says and has no
  // ACPI power button: only for 1-vCPU VMs stopped with QMP `quit`.
  "tuned-acpi-off": { machine: ["-M", "pc", "-cpu", "qemu64"], kernel: "vmlinux", append: [...TUNED_APPEND, "acpi=off"] },
};

// extra: "+arg" adds a kernel argument, "-arg" drops the tuned one starting with arg.
function qemuArgs(v, dir, extra) {
  const drop = extra.filter((a) => a.startsWith("-")).map((a) => a.slice(1));
  const add = extra.filter((a) => a.startsWith("+")).map((a) => a.slice(1));
  const append = [...v.append.filter((a) => !drop.some((d) => a.startsWith(d))), ...add];
  const machine = v.machine.map((a, i) => (v.machine[i - 1] === "-M" && process.env.BENCH_M ? process.env.BENCH_M : a));
  const base = v.bare ? ["-accel", "tcg", "-m", "128", "-display", "none"] : common;
  // prettier-ignore
  return [...base, ...machine, "-kernel", path.join(kernelDir, v.kernel), "-initrd", initrd,
    "-append", append.join(" "),
    "-serial", `file:${path.join(dir, "console.log")}`,
    "-chardev", `socket,id=agent,path=${path.join(dir, "agent.sock")},server=on,wait=on`,
    "-serial", "chardev:agent"];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function connect(sock, deadline) {
  while (Date.now() < deadline) {
    try {
      return await new Promise((resolve, reject) => {
        const s = net.connect(sock, () => resolve(s));
        s.once("error", reject);
      });
    } catch {
      await sleep(2);
    }
  }
  throw new Error("agent socket never appeared");
}

async function bootOnce(v, commands, extraAppend) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-boot-"));
  const t0 = performance.now();
  const qemu = spawn("qemu-system-x86_64", qemuArgs(v, dir, extraAppend), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  qemu.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((r) => qemu.once("exit", r));
  try {
    const sock = await connect(path.join(dir, "agent.sock"), Date.now() + 10_000);
    const socketMs = performance.now() - t0;
    const lines = [];
    let waiter = null;
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        waiter?.();
      }
    });
    const waitFor = async (pred, ms) => {
      const end = Date.now() + ms;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`timeout; console:\n${fs.readFileSync(path.join(dir, "console.log"), "utf8").slice(-2000)}\n${stderr}`);
        await new Promise((r) => {
          waiter = r;
          setTimeout(r, 50);
        });
      }
    };
    const ready = await waitFor((l) => l.startsWith("READY"), 30_000);
    const readyMs = performance.now() - t0;
    const results = [];
    for (const [n, cmd] of commands.entries()) {
      const id = n + 1;
      sock.write(`${id} ${cmd}\n`);
      const end = await waitFor((l) => l.startsWith(`${id}#`), 120_000);
      const out = lines.filter((l) => l.startsWith(`${id}|`)).map((l) => l.slice(String(id).length + 1));
      results.push({ cmd, exit: Number(end.slice(String(id).length + 1)), last: out.at(-1), lines: out.length });
    }
    sock.destroy();
    // Host view of the VM's memory, the number Isolab compares across kinds.
    const rollup = fs.readFileSync(`/proc/${qemu.pid}/smaps_rollup`, "utf8");
    const pssMiB = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
    return { readyMs, socketMs, pssMiB, ready, results };
  } finally {
    qemu.kill("SIGKILL");
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [name = "tuned", runsArg = "5", ...rest] = process.argv.slice(2);
const extraAppend = rest.filter((a) => /^[+-]/.test(a));
const commands = rest.filter((a) => !/^[+-]/.test(a));
const v = variants[name];
if (!v) throw new Error(`unknown variant ${name}; one of ${Object.keys(variants).join(", ")}`);
const times = [];
const kernel = []; // guest-reported seconds from kernel start to /init
const pss = [];
for (let i = 0; i < Number(runsArg); i++) {
  const r = await bootOnce(v, commands, extraAppend);
  times.push(r.readyMs);
  pss.push(r.pssMiB);
  kernel.push(Number(/init_uptime=([\d.]+)/.exec(r.ready)?.[1] ?? NaN) * 1000);
  if (i === 0) {
    console.log(`${r.ready} (agent socket up ${r.socketMs.toFixed(0)} ms after spawn; QEMU PSS ${r.pssMiB.toFixed(0)} MiB)`);
    for (const res of r.results) console.log(`${res.cmd} → exit ${res.exit}, ${res.lines} lines, last: ${res.last}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${name}${extraAppend.length ? " " + extraAppend.join(" ") : ""}: median ${median(times).toFixed(0)} ms to READY, ` +
    `kernel→init ${median(kernel).toFixed(0)} ms, QEMU PSS ${median(pss).toFixed(0)} MiB, over ${times.length} runs [${times.map((t) => t.toFixed(0)).join(", ")}]`,
);
console.log(
  `qemu-system-x86_64 ${qemuArgs(v, "<dir>", extraAppend)
    .map((a) => (a.includes(" ") ? `"${a}"` : a))
    .join(" ")}`,
);
