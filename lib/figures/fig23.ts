import { formatBytes } from "@/lib/core/format";
import type { Fig21Data, Fig23Data, FigureInstance, HostFacts, MeasuredBytes } from "@/lib/schemas/figures";
import type { InstanceKind } from "@/lib/core/types";
import { LINE_PX, truncate, VIEW_WIDTH, type LayoutMode, type Rect } from "./geometry";
import { groupByKernel, type KernelView } from "./kernels";

// Figure 2.3: apps A, B, C on bare metal, in two VMs (A+B share one) and in
// three containers, as instances Isolab really runs. Each box says what
// `probe info` saw from inside: its kernel, its processes, its memory and the
// app's own (an estimate from the bare process, so marked, when absent); the
// kernel bars are drawn from groupByKernel over those facts. Pure.

export interface ScenarioMember {
  name: string;
  kind: InstanceKind;
  apps: string[];
}

/** The instances "Launch the Figure 2.3 scenario" starts, in drawing order. */
export const FIG23_SCENARIO: readonly ScenarioMember[] = [
  { name: "fig23-proc-a", kind: "process", apps: ["A"] },
  { name: "fig23-proc-b", kind: "process", apps: ["B"] },
  { name: "fig23-proc-c", kind: "process", apps: ["C"] },
  { name: "fig23-vm-ab", kind: "vm", apps: ["A", "B"] },
  { name: "fig23-vm-c", kind: "vm", apps: ["C"] },
  { name: "fig23-ct-a", kind: "container", apps: ["A"] },
  { name: "fig23-ct-b", kind: "container", apps: ["B"] },
  { name: "fig23-ct-c", kind: "container", apps: ["C"] },
];

/** Names Linux gives its own kernel threads; `info` has no parent pid to tell them apart otherwise. */
const KERNEL_THREAD =
  /^(kthreadd|kworker|ksoftirqd|kswapd|kcompactd|khugepaged|kdamond|kblockd|kintegrityd|kstrp|kthrotld|kauditd|khungtaskd|kdevtmpfs|ksmd|kpsmoused|kvfree_rcu|rcu_|migration|cpuhp|idle_inject|irq\/|jbd2|ext4-|scsi_|watchdog|oom_reaper|writeback|mm_percpu_wq|netns|inet_frag_wq|blkcg_punt_bio|tpm_dev_wq|ata_sff|edac-poller|devfreq_wq|zswap|ipv6_addrconf|mld|cryptd|slub_flushwq|pool_workqueue|psimon|hwrng|napi\/|nvme|loop\d|xfs|btrfs|dm_|md\b|acpi_|card\d|vfio|hv_|ttm|kaluad|kmpath|pm_wq|events)/;

export function isKernelThreadName(comm: string): boolean {
  return KERNEL_THREAD.test(comm);
}

/**
 * A few names of what an instance sees: pid 1, then user processes newest
 * first, then kernel threads; distinct, at most n.
 */
export function pickProcessNames(processes: readonly { pid: number; comm: string }[], n = 4): string[] {
  const rank = (p: { pid: number; comm: string }) => (p.pid === 1 ? 0 : isKernelThreadName(p.comm) ? 2 : 1);
  const ordered = [...processes].sort((a, b) => rank(a) - rank(b) || b.pid - a.pid);
  const out: string[] = [];
  for (const p of ordered) {
    if (out.length >= n) break;
    if (!out.includes(p.comm)) out.push(p.comm);
  }
  return out;
}

export type Fig23PanelId = "bare" | "vms" | "containers";

export interface Fig23Box {
  name: string;
  kind: InstanceKind;
  apps: string[];
  instance: FigureInstance | null;
  /** Info lines under the app chips: instance, kernel, processes, memory. */
  lines: string[];
  detail: string;
  /** Key of its kernel group; null without facts from inside. */
  kernelKey: string | null;
}

export interface Fig23Kernel {
  key: string;
  label: string;
  members: string[];
  sharedWithHost: boolean;
}

export interface Fig23Panel {
  id: Fig23PanelId;
  title: string;
  boxes: Fig23Box[];
  kernels: Fig23Kernel[];
  /** Layers under the kernels, top to bottom. */
  layers: { label: string; detail: string }[];
}

export interface Fig23Model {
  panels: Fig23Panel[];
  running: boolean;
  /** What to do when nothing runs yet. */
  missing: string | null;
}

const PANEL: Record<InstanceKind, { id: Fig23PanelId; title: string }> = {
  process: { id: "bare", title: "Bare metal: one kernel, no isolation" },
  vm: { id: "vms", title: "Two VMs: A+B share one, C alone" },
  container: { id: "containers", title: "Three containers: one shared kernel" },
};

/** The app's size: its own PSS from inside, else the stand-in (the probe as a bare process) marked as an estimate. */
export function appMemory(i: FigureInstance, standIn: MeasuredBytes | null | undefined): { short: string; detail: string } | null {
  const own = i.guest?.appPssBytes;
  if (own !== undefined) {
    const rss = i.guest?.appRssBytes;
    return {
      short: `app ${formatBytes(own)}`,
      detail: `app (the probe answering): PSS ${formatBytes(own)}${rss !== undefined ? `, RSS ${formatBytes(rss)}` : ""}, its own reading from inside`,
    };
  }
  if (!standIn) return null;
  return {
    short: `app ≈${formatBytes(standIn.value)} (est.)`,
    detail: `app ≈ ${formatBytes(standIn.value)}, an estimate: ${standIn.source}; this instance did not report its own`,
  };
}

function memoryLine(i: FigureInstance, hostTotal: number, standIn: MeasuredBytes | null | undefined): string {
  const host = i.hostMemory ? formatBytes(i.hostMemory.value) : "not sampled yet";
  const app = i.kind === "process" ? null : appMemory(i, standIn);
  if (i.kind === "vm") {
    const used = i.guest && i.guest.memTotalBytes !== hostTotal ? formatBytes(i.guest.memUsedBytes) : "?";
    return `memory: guest ${used}${app ? ` · ${app.short}` : ""} · host ${host}`;
  }
  return `memory: ${host} (${i.kind === "container" ? "cgroup" : "PSS"})${app ? ` · ${app.short}` : ""}`;
}

export interface Fig23Input {
  host: Pick<HostFacts, "kernelRelease" | "kernelVersion" | "bootedAtMs" | "bootedAtErrorMs" | "memTotal" | "accelerator">;
  instances: FigureInstance[];
  fig23: Fig23Data;
  /** The stand-in for an app that gave no reading of its own (Figure 2.1's app alone). */
  fig21?: Pick<Fig21Data, "app">;
}

export function fig23Model({ host, instances, fig23, fig21 }: Fig23Input): Fig23Model {
  const standIn = fig21?.app ?? null;
  const byId = new Map(instances.map((i) => [i.id, i]));
  const members = (fig23.members.length ? fig23.members : FIG23_SCENARIO.map((m) => ({ ...m, instanceId: null }))).map((m) => ({
    ...m,
    instance: m.instanceId ? (byId.get(m.instanceId) ?? null) : null,
  }));
  const views: KernelView[] = [
    {
      id: "host",
      kernelRelease: host.kernelRelease,
      kernelVersion: host.kernelVersion,
      memTotalBytes: host.memTotal.value,
      bootedAtMs: host.bootedAtMs,
      bootedAtErrorMs: host.bootedAtErrorMs,
    },
  ];
  for (const m of members) {
    const g = m.instance?.state === "running" ? m.instance.guest : null;
    if (g)
      views.push({
        id: m.name,
        kernelRelease: g.kernelRelease,
        kernelVersion: g.kernelVersion,
        memTotalBytes: g.memTotalBytes,
        bootedAtMs: g.bootedAtMs,
        bootedAtErrorMs: g.bootedAtErrorMs,
      });
  }
  const groups = groupByKernel(views);
  const groupOf = new Map(groups.flatMap((g) => g.members.map((id) => [id, g] as const)));
  const hostGroup = groupOf.get("host")!;

  const box = (m: (typeof members)[number]): Fig23Box => {
    const i = m.instance;
    const head = `${m.name} (${m.kind === "process" ? "bare process" : m.kind})`;
    if (!i)
      return {
        name: m.name,
        kind: m.kind,
        apps: m.apps,
        instance: null,
        lines: [head, "not running"],
        detail: `${m.name}: not running. Launch the Figure 2.3 scenario.`,
        kernelKey: null,
      };
    if (i.state !== "running") {
      return { name: m.name, kind: m.kind, apps: m.apps, instance: i, lines: [head, i.state], detail: `${m.name}: ${i.state}`, kernelKey: null };
    }
    const g = i.guest;
    if (!g) {
      const why = i.guestError ?? "probe info not read yet";
      return {
        name: m.name,
        kind: m.kind,
        apps: m.apps,
        instance: i,
        lines: [head, why, memoryLine(i, host.memTotal.value, standIn)],
        detail: `${m.name}: ${why}`,
        kernelKey: null,
      };
    }
    const procs = `sees ${g.processCount} processes: ${g.processNames.join(", ")}`;
    const app = m.kind === "process" ? null : appMemory(i, standIn);
    return {
      name: m.name,
      kind: m.kind,
      apps: m.apps,
      instance: i,
      lines: [head, `kernel ${g.kernelRelease}`, procs, memoryLine(i, host.memTotal.value, standIn)],
      detail: `${m.name}: kernel ${g.kernelRelease} (${g.kernelVersion}), booted ${new Date(g.bootedAtMs).toISOString()} ±${Math.round(g.bootedAtErrorMs)} ms; sees ${g.processCount} processes (${g.processNames.join(", ")}); MemTotal ${formatBytes(g.memTotalBytes)}, used ${formatBytes(g.memUsedBytes)}; ${app ? `${app.detail}; ` : ""}host view ${i.hostMemory ? `${formatBytes(i.hostMemory.value)} (${i.hostMemory.source})` : "not sampled"}; ${g.source} at ${g.at}`,
      kernelKey: groupOf.get(m.name)?.key ?? null,
    };
  };

  const accel = host.accelerator?.accel;
  const panels = (["process", "vm", "container"] as const).map((kind): Fig23Panel => {
    const boxes = members.filter((m) => m.kind === kind).map(box);
    const kernels: Fig23Kernel[] = [];
    for (const b of boxes) {
      if (!b.kernelKey) continue;
      const k = kernels.find((x) => x.key === b.kernelKey);
      if (k) k.members.push(b.name);
      else {
        const g = groupOf.get(b.name)!;
        const shared = g === hostGroup;
        kernels.push({
          key: g.key,
          label: shared ? `host kernel ${g.kernelRelease}` : `own kernel ${g.kernelRelease}`,
          members: [b.name],
          sharedWithHost: shared,
        });
      }
    }
    for (const k of kernels) if (k.sharedWithHost && k.members.length > 1) k.label += ` — shared by ${k.members.length}`;
    const layers =
      kind === "vm"
        ? [
            {
              label: `hypervisor: QEMU${accel ? ` (${accel === "tcg" ? "TCG — emulated" : "KVM"})` : ""} on host kernel ${host.kernelRelease}`,
              detail: `Each VM is a QEMU process on the host kernel ${host.kernelRelease}${host.accelerator ? `; ${host.accelerator.reason}` : ""}`,
            },
            { label: "hardware", detail: "The host's CPUs and memory, shared by every VM." },
          ]
        : [{ label: "hardware", detail: "The host's CPUs and memory." }];
    return { id: PANEL[kind].id, title: PANEL[kind].title, boxes, kernels, layers };
  });
  const anyRunning = members.some((m) => m.instance?.state === "running");
  return {
    panels,
    running: fig23.running,
    missing: anyRunning ? null : "Nothing of the scenario runs yet: launch it to see what each app sees from inside.",
  };
}

// ── layout ──────────────────────────────────────────────────────────────

export interface Fig23BoxLayout {
  box: Fig23Box;
  rect: Rect;
  chips: { app: string; rect: Rect }[];
  lines: { text: string; y: number }[];
}
export interface Fig23KernelLayout {
  kernel: Fig23Kernel;
  rect: Rect;
  text: string;
}
export interface Fig23PanelLayout {
  panel: Fig23Panel;
  frame: Rect;
  titleY: number;
  boxes: Fig23BoxLayout[];
  kernels: Fig23KernelLayout[];
  /** VM outlines: a box and the kernel only it runs on. */
  machines: { name: string; rect: Rect }[];
  layers: { label: string; detail: string; rect: Rect; text: string }[];
}
export interface Fig23Layout {
  width: number;
  height: number;
  panels: Fig23PanelLayout[];
}

const BOX_H = 24 + 4 * LINE_PX + 14;
const BAR_H = 22;
const GAP = 14;

export function layoutFig23(model: Fig23Model, mode: LayoutMode): Fig23Layout {
  const width = VIEW_WIDTH[mode];
  const x0 = 10;
  const innerW = width - 20;
  let y = 10;
  const panels = model.panels.map((panel): Fig23PanelLayout => {
    const top = y;
    const titleY = y + 16;
    y += 26;
    // Wide: one row, widths by number of apps (the A+B VM is twice as wide). Narrow: one per row.
    const rows: Fig23Box[][] = mode === "wide" ? [panel.boxes] : panel.boxes.map((b) => [b]);
    const boxes: Fig23BoxLayout[] = [];
    const kernels: Fig23KernelLayout[] = [];
    const machines: { name: string; rect: Rect }[] = [];
    const placed = new Set<string>();
    const pad = 8;
    for (const row of rows) {
      const units = row.reduce((a, b) => a + b.apps.length, 0) || 1;
      const avail = innerW - GAP * (row.length - 1) - 2 * pad;
      let x = x0 + pad;
      const rowTop = y;
      for (const b of row) {
        const w = (avail * b.apps.length) / units;
        const rect = { x, y, w, h: BOX_H };
        const chipW = Math.min(90, (w - 12 - 6 * (b.apps.length - 1)) / b.apps.length);
        const chips = b.apps.map((app, k) => ({ app, rect: { x: x + 6 + k * (chipW + 6), y: y + 6, w: chipW, h: 20 } }));
        const lines = b.lines.map((text, k) => ({ text: truncate(text, w - 14, 11), y: y + 26 + (k + 1) * LINE_PX }));
        boxes.push({ box: b, rect, chips, lines });
        x += w + GAP;
      }
      y += BOX_H;
      // A kernel bar goes under the row holding its last member, spanning its members.
      const due = panel.kernels.filter((k) => !placed.has(k.key) && k.members.every((n) => boxes.some((bl) => bl.box.name === n)));
      const spans = due.map((k) => {
        const rs = boxes.filter((bl) => k.members.includes(bl.box.name)).map((bl) => bl.rect);
        const left = Math.min(...rs.map((r) => r.x));
        return { k, left, right: Math.max(...rs.map((r) => r.x + r.w)) };
      });
      const disjoint = spans.every((a, i) => spans.every((b, j) => i === j || a.right <= b.left || b.right <= a.left));
      spans.forEach((s, i) => {
        const level = disjoint ? 0 : i;
        const rect = { x: s.left, y: y + 4 + level * (BAR_H + 4), w: s.right - s.left, h: BAR_H };
        kernels.push({ kernel: s.k, rect, text: truncate(s.k.label, rect.w - 12, 11) });
        placed.add(s.k.key);
        if (s.k.members.length === 1 && !s.k.sharedWithHost) {
          const owner = boxes.find((bl) => bl.box.name === s.k.members[0])!;
          if (owner.box.kind === "vm")
            machines.push({ name: owner.box.name, rect: { x: owner.rect.x - 4, y: rowTop - 4, w: owner.rect.w + 8, h: rect.y + rect.h - rowTop + 8 } });
        }
      });
      const levels = spans.length === 0 ? 0 : disjoint ? 1 : spans.length;
      y += levels * (BAR_H + 4) + (levels ? 4 : 0) + GAP;
    }
    const layers = panel.layers.map((l) => {
      const rect = { x: x0 + pad, y, w: innerW - 2 * pad, h: BAR_H };
      y += BAR_H + 4;
      return { ...l, rect, text: truncate(l.label, rect.w - 12, 11) };
    });
    y += 10;
    const frame = { x: x0, y: top, w: innerW, h: y - top };
    y += 10;
    return { panel, frame, titleY, boxes, kernels, machines, layers };
  });
  return { width, height: y, panels };
}
