import { accelLabel } from "@/lib/experiments/types";
import { formatMs } from "@/lib/core/format";
import type { Fig22Data, FigureInstance, HostFacts, SyscallStat } from "@/lib/schemas/figures";
import type { MitigationRecord } from "@/lib/host/mitigations";
import type { Accel, InstanceKind } from "@/lib/core/types";
import { textWidth, truncate, VIEW_WIDTH, type LayoutMode, type Rect } from "./geometry";

// Figure 2.2: the path of a system call. VM: app → guest kernel →
// hypervisor → CPU; container: app → host kernel → CPU. The app→kernel hop
// carries the measured getppid() latency of that kind (overhead experiment,
// end to end: the split between hops is not measured), the hypervisor hop
// the accelerator. Bars compare the three kinds on one linear scale. Each
// kernel says which CPU-vulnerability mitigations it ran with, and a VM that
// measured faster than the bare process has the reason written beside it. Pure.

export type Fig22Role = "app" | "guest-kernel" | "hypervisor" | "host-kernel" | "cpu";

export interface Fig22Hop {
  id: string;
  role: Fig22Role;
  label: string;
  sub: string;
  /** Row in the column; both columns end at the CPU on the same row. */
  row: number;
  detail: string;
}

export interface Fig22Edge {
  id: string;
  from: string;
  to: string;
  label: string;
  detail: string;
}

export interface Fig22Column {
  kind: "vm" | "container";
  title: string;
  /** The startup median when a startup experiment measured it, else "". */
  subtitle: string;
  hops: Fig22Hop[];
  edges: Fig22Edge[];
}

export interface Fig22Bar {
  kind: InstanceKind;
  label: string;
  ns: number | null;
  /** Median of the kind / median of the bare process. */
  ratio: number | null;
  detail: string;
}

export interface Fig22Model {
  columns: Fig22Column[];
  bars: Fig22Bar[];
  /** What to run when nothing was measured yet. */
  missing: string | null;
  accel: Accel | null;
  /** What a VM's syscall crosses and does not, for this accelerator. */
  path: string;
  /** Each side's mitigations in the measuring run, in words. */
  mitigations: string;
  /** Why the VM measured faster than the bare process, when it did; else null. */
  vmFaster: string | null;
}

export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return "—";
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

function ratioText(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return "";
  return ` · ${r >= 10 ? r.toFixed(0) : r.toFixed(2)}× bare`;
}

/** Marks a VM number faster than bare metal; the note it points to carries the reason. */
export const FASTER_MARK = " *";

const KIND_WORD: Record<InstanceKind, string> = { process: "bare process", container: "container", vm: "VM" };

/** What a guest's getppid() goes through under each accelerator. */
export function syscallPathText(accel: Accel | null): string {
  if (accel === "tcg")
    return "Under TCG a VM's syscall never leaves QEMU's translated code: the emulated syscall instruction switches the emulated CPU to the guest kernel, whose handler is translated code as well. No VM exit, no host kernel entry, no real privilege switch — QEMU is not a hop the call passes through, it is what runs both sides.";
  if (accel === "kvm")
    return "Under KVM a VM's syscall runs on the real CPU in guest mode and is handled by the guest kernel without a VM exit; the hypervisor is on the path only for instructions that exit (I/O, some MSRs, CPUID, HLT).";
  return "The accelerator is unknown, so what a VM's syscall crosses is too: under TCG it stays inside translated code, under KVM in guest mode; neither exits to the hypervisor for a syscall.";
}

/** Each side's mitigations in words; "not recorded" for runs that did not record them. */
export function mitigationText(m: MitigationRecord | null | undefined): { host: string; guest: string; both: string } {
  if (!m) {
    const host = "not recorded";
    const guest = "not recorded (before they matched the host's, guests booted with mitigations=off)";
    return { host, guest, both: `Mitigations were not recorded by this run; before Isolab matched them to the host's, guests booted with mitigations=off.` };
  }
  const host = m.hostSummary;
  const guest = `mitigations=${m.guest}${m.guest === "auto" ? " (kernel default)" : ""}`;
  return { host, guest, both: `Mitigations: host (bare process, container) ${host}; VM guest kernel booted with ${guest}.` };
}

/** Why a VM's syscall can measure cheaper than the host's own: never without it beside the number. */
export function vmFasterReason(accel: Accel | null, m: MitigationRecord | null | undefined): string {
  const why: string[] = [];
  if (accel !== "kvm") why.push("under TCG the guest's syscall never enters the host kernel, so it skips the host's entry and exit costs");
  if (!m) why.push("the guest's mitigations were not recorded, and runs from before they matched the host's booted guests with mitigations=off");
  else if (m.guest === "off" && m.host === "on") why.push("the guest kernel ran with mitigations=off while the host's are on");
  if (accel === "kvm" && why.length === 0) why.push("its guest kernel's own syscall path (build, configuration) is shorter than the host's");
  return `VM faster than the bare process: ${why.join("; ")}. Not a negative cost of isolation.`;
}

export interface Fig22Input {
  host: Pick<HostFacts, "kernelRelease" | "accelerator">;
  instances: FigureInstance[];
  fig22: Fig22Data;
}

export function fig22Model({ host, instances, fig22 }: Fig22Input): Fig22Model {
  const o = fig22.overhead;
  const accel = o?.accel?.accel ?? host.accelerator?.accel ?? null;
  const accelReason = o?.accel?.reason ?? host.accelerator?.reason ?? "not probed yet";
  const guestRelease = instances.find((i) => i.kind === "vm" && i.guest)?.guest?.kernelRelease ?? null;
  const stat = (k: InstanceKind): SyscallStat | null => o?.syscall[k] ?? null;
  const base = stat("process")?.medianNs ?? null;
  const ratio = (k: InstanceKind) => {
    const s = stat(k);
    return s && base && base > 0 ? s.medianNs / base : null;
  };
  const callLabel = (k: InstanceKind) => {
    const s = stat(k);
    return s ? `getppid(): ${formatNs(s.medianNs)}/call` : "syscall: not measured";
  };
  const callDetail = (k: InstanceKind) => {
    const s = stat(k);
    if (!s || !o) return `No syscall measurement for the ${KIND_WORD[k]} yet: run an overhead experiment with the syscall workload.`;
    return `${KIND_WORD[k]}: getppid() ${formatNs(s.medianNs)} per call, median of ${s.n} repetitions (p95 ${formatNs(s.p95Ns)}), probe syscall ${o.syscallArgs.join(" ")}; experiment ${o.experimentId} finished ${o.at}. End to end: the split between hops is not measured.`;
  };
  const startup = (k: InstanceKind) => {
    const ms = fig22.startup?.medianMs[k];
    return ms === undefined ? "" : `starts in ${formatMs(ms)} (median)`;
  };
  const mit = mitigationText(o?.mitigations);
  const accelText = accel === "tcg" ? "TCG — emulated" : accel === "kvm" ? "KVM — hardware-assisted" : "accelerator unknown";
  const path = syscallPathText(accel);
  const accelDetail =
    accel === "tcg"
      ? `TCG: QEMU translates every guest instruction, kernel code included, into host code (${accelReason}). ${path}`
      : accel === "kvm"
        ? `KVM: guest instructions run directly on the CPU (${accelReason}). ${path}`
        : `The accelerator has not been probed yet: launch a VM. ${path}`;

  const vm: Fig22Column = {
    kind: "vm",
    title: "Virtual machine",
    subtitle: startup("vm"),
    hops: [
      {
        id: "vm-app",
        role: "app",
        label: "App",
        sub: "probe syscall (getppid loop)",
        row: 0,
        detail: "The app: the probe's syscall workload calls getppid() in a loop.",
      },
      {
        id: "vm-guest-kernel",
        role: "guest-kernel",
        label: "Guest kernel",
        sub: `${guestRelease ?? "the VM's own kernel"}${o?.mitigations ? ` · mitigations=${o.mitigations.guest}` : ""}`,
        row: 1,
        detail: `The VM's own kernel${guestRelease ? ` ${guestRelease} (probe info inside a running VM)` : ""}: it handles the app's syscalls, inside the guest. In the measuring run it was booted with ${mit.guest}.`,
      },
      { id: "vm-hypervisor", role: "hypervisor", label: "Hypervisor", sub: `QEMU, ${accelText}`, row: 2, detail: accelDetail },
      {
        id: "vm-cpu",
        role: "cpu",
        label: "Physical CPU",
        sub: `via host kernel ${host.kernelRelease}`,
        row: 3,
        detail: `The host's CPU, reached through QEMU running on the host kernel ${host.kernelRelease}.`,
      },
    ],
    edges: [
      { id: "vm-call", from: "vm-app", to: "vm-guest-kernel", label: `${callLabel("vm")}${ratioText(ratio("vm"))}`, detail: callDetail("vm") },
      { id: "vm-exec", from: "vm-guest-kernel", to: "vm-hypervisor", label: accel ? accelLabel(accel) : "accelerator unknown", detail: accelDetail },
      { id: "vm-run", from: "vm-hypervisor", to: "vm-cpu", label: accel === "tcg" ? "translated host code" : "native instructions", detail: accelDetail },
    ],
  };
  const container: Fig22Column = {
    kind: "container",
    title: "Container",
    subtitle: startup("container"),
    hops: [
      { id: "ct-app", role: "app", label: "App", sub: "probe syscall (getppid loop)", row: 0, detail: "The same app in its own namespaces and cgroup." },
      {
        id: "ct-host-kernel",
        role: "host-kernel",
        label: "Host kernel",
        sub: `${host.kernelRelease}${o?.mitigations ? ` · mitigations ${o.mitigations.host}` : ""}`,
        row: 1,
        detail: `The one kernel of the host, ${host.kernelRelease}, shared by every container; a bare process's syscalls enter it too. Mitigations in the measuring run: ${mit.host}.`,
      },
      { id: "ct-cpu", role: "cpu", label: "Physical CPU", sub: "no virtualization", row: 3, detail: "The host's CPU runs the kernel's instructions directly." },
    ],
    edges: [
      {
        id: "ct-call",
        from: "ct-app",
        to: "ct-host-kernel",
        label: `${callLabel("container")}${ratioText(ratio("container"))}`,
        detail: callDetail("container"),
      },
      { id: "ct-run", from: "ct-host-kernel", to: "ct-cpu", label: "native instructions", detail: "No hypervisor between the host kernel and the CPU." },
    ],
  };
  const bars: Fig22Bar[] = (["process", "container", "vm"] as const).map((k) => ({
    kind: k,
    label: KIND_WORD[k],
    ns: stat(k)?.medianNs ?? null,
    ratio: ratio(k),
    detail: callDetail(k),
  }));
  const missing =
    o === null || bars.every((b) => b.ns === null) ? "No syscall latency measured yet: run an overhead experiment with the syscall workload." : null;
  const vmRatio = ratio("vm");
  const vmFaster = vmRatio !== null && vmRatio < 1 ? vmFasterReason(accel, o?.mitigations) : null;
  if (vmFaster) {
    // The number is never shown without its reason: a mark on it, the reason in its detail and under the bars.
    vm.edges[0].label += FASTER_MARK;
    vm.edges[0].detail += ` ${vmFaster}`;
    const bar = bars.find((b) => b.kind === "vm")!;
    bar.detail += ` ${vmFaster}`;
  }
  return { columns: [vm, container], bars, missing, accel, path, mitigations: mit.both, vmFaster };
}

// ── layout ──────────────────────────────────────────────────────────────

export interface Fig22HopBox {
  hop: Fig22Hop;
  rect: Rect;
  /** Label and sub-label, cut to the box. */
  lines: [string, string];
}
export interface Fig22Arrow {
  edge: Fig22Edge;
  x: number;
  y1: number;
  y2: number;
  labelX: number;
  labelY: number;
  text: string;
}
export interface Fig22BarLayout {
  bar: Fig22Bar;
  labelY: number;
  rect: Rect;
  valueText: string;
}
export interface Fig22Layout {
  width: number;
  height: number;
  columns: { column: Fig22Column; titleX: number; titleY: number; subtitle: string; boxes: Fig22HopBox[]; arrows: Fig22Arrow[] }[];
  /** notes: the reason a VM measured faster (first, when it did) and each side's mitigations, wrapped to the frame. */
  bars: { frame: Rect; titleY: number; items: Fig22BarLayout[]; notes: { text: string; y: number }[] };
}

const HOP_H = 40;
const ROW = 88;
const NOTE_FONT = 11;
const NOTE_LINE = 14;

/** Greedy word wrap to lines no wider than maxPx; a word longer than a line is cut. */
export function wrapText(text: string, maxPx: number, fontPx = NOTE_FONT): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (textWidth(next, fontPx) <= maxPx || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => truncate(l, maxPx, fontPx));
}

/** Bar lengths on one linear scale from 0; unmeasured or non-finite values get no bar. */
export function barLengths(values: readonly (number | null)[], maxPx: number): (number | null)[] {
  const ok = values.map((v) => (v !== null && Number.isFinite(v) && v >= 0 ? v : null));
  const max = Math.max(0, ...ok.filter((v): v is number => v !== null));
  return ok.map((v) => (v === null ? null : max > 0 ? Math.max(1, (v / max) * maxPx) : 0));
}

export function layoutFig22(model: Fig22Model, mode: LayoutMode): Fig22Layout {
  const width = VIEW_WIDTH[mode];
  const colW = mode === "wide" ? 320 : 185;
  const gap = mode === "wide" ? 50 : 10;
  const top = 46;
  const columns = model.columns.map((column, ci) => {
    const x = 10 + ci * (colW + gap);
    const boxes = column.hops.map((hop): Fig22HopBox => ({
      hop,
      rect: { x, y: top + hop.row * ROW, w: colW, h: HOP_H },
      lines: [truncate(hop.label, colW - 16, 13), truncate(hop.sub, colW - 16, 12)],
    }));
    const at = new Map(boxes.map((b) => [b.hop.id, b.rect]));
    const arrows = column.edges.map((edge) => {
      const a = at.get(edge.from)!;
      const b = at.get(edge.to)!;
      const ax = x + 22;
      const y1 = a.y + a.h;
      const y2 = b.y;
      return { edge, x: ax, y1, y2, labelX: ax + 10, labelY: (y1 + y2) / 2 + 4, text: truncate(edge.label, colW - 36, 11) };
    });
    return { column, titleX: x, titleY: 20, subtitle: truncate(column.subtitle, colW, 11), boxes, arrows };
  });
  const colsBottom = top + 3 * ROW + HOP_H;
  const frameX = mode === "wide" ? 10 + 2 * (colW + gap) + 20 : 10;
  const frameW = mode === "wide" ? width - frameX - 10 : width - 20;
  const noteTexts = model.missing ? [] : [...(model.vmFaster ? [`* ${model.vmFaster}`] : []), model.mitigations];
  const noteLines = noteTexts.flatMap((t) => wrapText(t, frameW));
  const barsH = 3 * 44 + (noteLines.length ? 6 + noteLines.length * NOTE_LINE : 0);
  const frame: Rect =
    mode === "wide" ? { x: frameX, y: top, w: frameW, h: Math.max(colsBottom - top, barsH) } : { x: frameX, y: colsBottom + 40, w: frameW, h: barsH };
  const labelW = mode === "wide" ? 110 : 0;
  // Room after the longest bar for its value ("1.30 µs · 25× bare").
  const maxBar = frame.w - labelW - 140;
  const lengths = barLengths(
    model.bars.map((b) => b.ns),
    maxBar,
  );
  const items = model.bars.map((bar, i) => {
    const y = frame.y + 10 + i * 44;
    const barY = mode === "wide" ? y : y + 14;
    const rect: Rect = { x: frame.x + labelW, y: barY, w: lengths[i] ?? 0, h: 18 };
    return {
      bar,
      labelY: y + 13,
      rect,
      valueText:
        bar.ns === null
          ? "not measured"
          : `${formatNs(bar.ns)}${bar.kind === "process" ? " · baseline" : ratioText(bar.ratio)}${bar.kind === "vm" && model.vmFaster ? FASTER_MARK : ""}`,
    };
  });
  const notesTop = frame.y + 3 * 44 + 6;
  const notes = noteLines.map((text, i) => ({ text, y: notesTop + (i + 1) * NOTE_LINE - 3 }));
  return {
    width,
    height: Math.max(colsBottom, frame.y + frame.h) + 14,
    columns,
    bars: { frame, titleY: frame.y - 10, items, notes },
  };
}
