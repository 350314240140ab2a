import { formatBytes } from "@/lib/core/format";
import type { Fig21Data, FigureInstance, GuestFacts, HostFacts, MeasuredBytes } from "@/lib/schemas/figures";
import { atLeast, fitsText, inset as shrink, VIEW_WIDTH, type LayoutMode, type Rect } from "./geometry";
import { capUsage, firstLimitWords, roomForMore, roomText, roomWithin, type Room } from "./room";
import { slice, squarify } from "./treemap";
import { templatedBytes, templatedHost, type MeasuredClone } from "./fig21-templated";
import { isClone } from "./templated-facts";

// Figure 2.1: bare-metal hosts the size of this one (its MemTotal), one
// running the live VMs, one the live containers and — when templated VMs
// run, or a density run measured them — one of templated VMs
// (fig21-templated.ts: the template's file once, each clone's own cost).
// Box areas are measured
// bytes: the host OS (used − every instance), each instance's host view and,
// inside a VM, its guest view split into guest OS and app (the app's own PSS
// from inside; the bare process's, labelled an estimate, when the guest gave
// none) plus what QEMU holds beyond what the guest counts as used. Pure.

export type Fig21Role = "host-os" | "vm" | "container" | "free" | "guest-os" | "app" | "vmm" | "guest" | "template" | "clone" | "pool";

/** The boxes drawn again, magnified, in a host's inset: what its instances hold. */
export const INSTANCE_ROLES: readonly Fig21Role[] = ["vm", "container", "template", "clone", "pool"];

export interface Fig21Box {
  id: string;
  role: Fig21Role;
  label: string;
  bytes: number;
  /** Raw numbers and their sources, for the hover/focus detail and the aria label. */
  detail: string;
  children?: Fig21Box[];
}

export interface Fig21Host {
  kind: "vm" | "container" | "vm-template";
  title: string;
  totalBytes: number;
  boxes: Fig21Box[];
  instanceBytes: number;
  freeBytes: number;
  room: Room;
  roomLabel: string;
  /** Where the per-instance figure behind "room for N more" came from. */
  roomBasis: string;
}

export interface Fig21Model {
  /** Why nothing can be drawn (no host memory), or null. */
  blocked: string | null;
  hostOsBytes: number;
  hosts: Fig21Host[];
  /** Facts that limit the picture, said under it. */
  notes: string[];
}

const NOUN = { vm: "VM", container: "container" } as const;

const valid = (m: MeasuredBytes | null | undefined): m is MeasuredBytes => !!m && Number.isFinite(m.value) && m.value >= 0;

/** The app's own PSS as the guest kernel counts it (probe info inside), when it reported one. */
export function appFromInside(g: GuestFacts): MeasuredBytes | null {
  return g.appPssBytes === undefined ? null : { value: g.appPssBytes, source: `the app's own PSS inside (smaps_rollup), ${g.source}`, at: g.at };
}

function vmChildren(i: FigureInstance, hostBytes: number, standIn: MeasuredBytes | null, hostTotal: number): { children: Fig21Box[]; note: string } {
  const g = i.guest;
  if (!g || g.memTotalBytes === hostTotal) {
    const why = i.guestError ? `guest view unavailable: ${i.guestError}` : "guest view not read yet";
    return { children: [{ id: `${i.id}:guest`, role: "guest", label: "guest (not split)", bytes: hostBytes, detail: why }], note: why };
  }
  const used = g.memUsedBytes;
  // The app's own PSS from inside this VM; the same probe outside it only when the guest could not say.
  const own = appFromInside(g);
  const estimate = !own && standIn !== null;
  const app = own ?? standIn;
  const appBytes = app ? Math.min(app.value, used) : 0;
  const f = used > hostBytes && used > 0 ? hostBytes / used : 1;
  const vmm = Math.max(0, hostBytes - used);
  const guestOsLabel = app ? "guest OS" : "guest OS + app";
  const children: Fig21Box[] = [
    {
      id: `${i.id}:guest-os`,
      role: "guest-os",
      label: guestOsLabel,
      bytes: (used - appBytes) * f,
      detail: `${guestOsLabel}: ${formatBytes(used - appBytes)} = guest used ${formatBytes(used)} (MemTotal − MemAvailable inside, of ${formatBytes(g.memTotalBytes)})${app ? ` − app ${formatBytes(appBytes)}` : ""}; ${g.source} at ${g.at}`,
    },
  ];
  if (app)
    children.push({
      id: `${i.id}:app`,
      role: "app",
      label: estimate ? "app (estimate)" : "app",
      bytes: appBytes * f,
      detail: estimate
        ? `app: ≈ ${formatBytes(appBytes)}, an estimate: the same probe outside this VM (${app.source} at ${app.at}); this guest did not report its own`
        : `app: ${formatBytes(appBytes)} (${app.source} at ${app.at})`,
    });
  children.push({
    id: `${i.id}:vmm`,
    role: "vmm",
    label: "QEMU + untouched-by-guest",
    bytes: vmm,
    detail: `QEMU and guest pages the guest counts as available: ${formatBytes(vmm)} = host view ${formatBytes(hostBytes)} − guest used ${formatBytes(used)}`,
  });
  return { children, note: f < 1 ? `${i.name}: the guest counts more as used than the host pays (shared pages); its parts are scaled to the host view` : "" };
}

function instanceBox(i: FigureInstance & { hostMemory: MeasuredBytes }, app: MeasuredBytes | null, hostTotal: number): { box: Fig21Box; note: string } {
  const bytes = i.hostMemory.value;
  const base = `${i.name}: host view ${formatBytes(bytes)} (${i.hostMemory.source} at ${i.hostMemory.at})`;
  if (i.kind === "container") {
    return { box: { id: i.id, role: "container", label: i.name, bytes, detail: `${base}; granted ${i.memoryMiB} MiB limit` }, note: "" };
  }
  const { children, note } = vmChildren(i, bytes, app, hostTotal);
  const guest =
    i.guest && i.guest.memTotalBytes !== hostTotal ? `; guest sees ${formatBytes(i.guest.memUsedBytes)} used of ${formatBytes(i.guest.memTotalBytes)}` : "";
  return {
    box: {
      id: i.id,
      role: "vm",
      label: i.name,
      bytes,
      detail: `${base}${guest}; ${i.memoryMiB} MiB guest RAM granted${i.accel ? `, ${i.accel.toUpperCase()}` : ""}`,
      children,
    },
    note,
  };
}

export interface Fig21Input {
  host: Pick<HostFacts, "memTotal" | "memAvailable">;
  instances: FigureInstance[];
  fig21: Fig21Data;
}

export function fig21Model({ host, instances, fig21 }: Fig21Input): Fig21Model {
  const total = host.memTotal.value;
  const available = host.memAvailable.value;
  const empty: Fig21Model = { blocked: null, hostOsBytes: 0, hosts: [], notes: [] };
  if (!(Number.isFinite(total) && total > 0) || !Number.isFinite(available)) {
    return { ...empty, blocked: "The host's memory has not been measured yet (the sampler reads /proc/meminfo each second)." };
  }
  const running = instances.filter((i) => i.state === "running");
  // Clones are counted by their own cost beside their template's file, never by their PSS (fig21-templated.ts).
  const sampled = running.filter((i): i is FigureInstance & { hostMemory: MeasuredBytes } => valid(i.hostMemory) && !isClone(i));
  const clones = running.filter((i): i is MeasuredClone => isClone(i) && !!i.clone);
  const notes: string[] = [];
  const unsampled = running.filter((i) => !valid(i.hostMemory) && i.kind !== "process" && !isClone(i));
  if (unsampled.length) notes.push(`not sampled yet, left out: ${unsampled.map((i) => i.name).join(", ")}`);
  const unread = running.filter((i) => isClone(i) && !i.clone);
  if (unread.length)
    notes.push(`templated VMs whose own cost could not be read (their RAM file or Pss_Shmem), left out: ${unread.map((i) => i.name).join(", ")}`);
  const templated = templatedBytes(clones, fig21.templated);
  const allInstances = sampled.reduce((a, i) => a + i.hostMemory.value, 0) + templated;
  const hostOsBytes = Math.max(0, Math.min(total, total - available - allInstances));
  const hostOs: Fig21Box = {
    id: "host-os",
    role: "host-os",
    label: "host OS + other processes",
    bytes: hostOsBytes,
    detail: `host OS and everything else: ${formatBytes(hostOsBytes)} = MemTotal ${formatBytes(total)} − MemAvailable ${formatBytes(available)} − instances ${formatBytes(allInstances)}${templated > 0 ? ` (templated VMs' ${formatBytes(templated)} among them: template files once, clones' own)` : ""} (${host.memAvailable.source} at ${host.memAvailable.at})`,
  };

  // Isolab's caps count every live instance, of every kind: each host's room is what the others leave of them.
  const caps = capUsage(instances);
  const hosts = (["vm", "container"] as const).map((kind): Fig21Host => {
    const mine = sampled.filter((i) => i.kind === kind);
    const boxes = mine.map((i) => instanceBox(i, fig21.app, total));
    for (const b of boxes) if (b.note) notes.push(b.note);
    const instanceBytes = mine.reduce((a, i) => a + i.hostMemory.value, 0);
    const freeBytes = Math.max(0, total - hostOsBytes - instanceBytes);
    const per = fig21.marginal[kind];
    const limit = fig21.marginal.firstLimit?.[kind] ?? null;
    const room = roomWithin(roomForMore(freeBytes, per?.value), limit, { mine: mine.length, caps });
    const limitWords = fig21.marginal.firstLimit ? firstLimitWords(room, limit) : "";
    const basis = !per
      ? fig21.densityAvailable
        ? "run the density experiment or launch instances to measure a footprint"
        : "launch instances (or the Figure 2.3 scenario) to measure a footprint"
      : `${limitWords ? `${limitWords}; ` : ""}${formatBytes(per.value)} per ${NOUN[kind]}: ${per.source}`;
    const roomLabel = roomText(room, NOUN[kind]);
    const free: Fig21Box = {
      id: `free-${kind}`,
      role: "free",
      label: "free",
      bytes: freeBytes,
      detail: `free: ${formatBytes(freeBytes)} = MemTotal − host OS − ${mine.length} ${NOUN[kind]}${mine.length === 1 ? "" : "s"}; ${roomLabel}${per ? ` at ${formatBytes(per.value)} each` : ""}`,
    };
    return {
      kind,
      title: kind === "vm" ? `Host running VMs (${mine.length})` : `Host running containers (${mine.length})`,
      totalBytes: total,
      boxes: [hostOs, ...boxes.map((b) => b.box), free],
      instanceBytes,
      freeBytes,
      room,
      roomLabel,
      roomBasis: basis,
    };
  });
  const third = templatedHost({ total, hostOs, clones, templated: fig21.templated, vmFirstLimit: fig21.marginal.firstLimit?.vm, caps });
  if (third) {
    hosts.push(third.host);
    notes.push(...third.notes);
  } else if (fig21.densityAvailable) {
    notes.push("no templated VMs: launch VMs with start mode template, or run the density experiment with vm-template, to draw a host of them");
  }
  return { blocked: null, hostOsBytes, hosts, notes };
}

// ── layout ──────────────────────────────────────────────────────────────

export interface Fig21Cell {
  box: Fig21Box;
  /** Where the bytes put it (to scale). */
  rect: Rect;
  /** What is drawn: the same, or enlarged to MIN_CELL_PX when too small to see. */
  drawn: Rect;
  enlarged: boolean;
  lines: string[];
  children: Fig21Cell[];
}

export interface Fig21HostLayout {
  host: Fig21Host;
  frame: Rect;
  titleY: number;
  area: Rect;
  cells: Fig21Cell[];
  inset: { frame: Rect; titleY: number; region: Rect; cells: Fig21Cell[] };
  roomY: number;
}

export interface Fig21Layout {
  width: number;
  height: number;
  hosts: Fig21HostLayout[];
  /** How many times larger the insets draw a byte than the host drawings; null with no instances. */
  magnification: number | null;
}

export const MIN_CELL_PX = 3;
const PAD = 10;
const TITLE = 22;

function labelLines(box: Fig21Box, r: Rect, extra?: string): string[] {
  const full = [box.label, formatBytes(box.bytes), ...(extra ? [extra] : [])];
  for (let n = full.length; n > 0; n--) if (fitsText(r, full.slice(0, n))) return full.slice(0, n);
  return [];
}

function cellsFor(boxes: Fig21Box[], region: Rect, bounds: Rect, extraFor: (b: Fig21Box) => string | undefined): Fig21Cell[] {
  return squarify(
    boxes.map((b) => ({ id: b.id, value: b.bytes })),
    region,
  ).map((c, k) => {
    const box = boxes[k];
    const { rect: drawn, enlarged } = box.bytes > 0 ? atLeast(c, MIN_CELL_PX, bounds) : { rect: c, enlarged: false };
    // Parts sit 2 units inside their VM, so the VM's own edge stays there to point at.
    const inner = shrink(drawn, 2);
    const children =
      box.children && !enlarged && inner.w > 2 && inner.h > 2
        ? slice(
            box.children.map((ch) => ({ id: ch.id, value: ch.bytes })),
            inner,
          ).map((cc, j) => ({
            box: box.children![j],
            rect: cc,
            drawn: cc,
            enlarged: false,
            lines: labelLines(box.children![j], cc),
            children: [],
          }))
        : [];
    return { box, rect: c, drawn, enlarged, lines: labelLines(box, drawn, extraFor(box)), children };
  });
}

export function layoutFig21(model: Fig21Model, mode: LayoutMode): Fig21Layout {
  const width = VIEW_WIDTH[mode];
  const cols = mode === "wide" ? 2 : 1;
  const hostW = (width - PAD * (cols + 1)) / cols;
  const mainH = mode === "wide" ? 300 : 220;
  const insetH = mode === "wide" ? 140 : 110;
  const hostH = TITLE + mainH + 8 + TITLE + insetH + 40;

  const instanceSums = model.hosts.map((h) => h.instanceBytes);
  const maxSum = Math.max(0, ...instanceSums);
  const insetArea = (hostW - 2) * insetH;
  const pxPerByte = maxSum > 0 ? insetArea / maxSum : 0;
  const mainPxPerByte = model.hosts[0] ? (hostW * mainH) / model.hosts[0].totalBytes : 0;

  const hosts = model.hosts.map((host, i): Fig21HostLayout => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const frame: Rect = { x: PAD + col * (hostW + PAD), y: PAD + row * (hostH + PAD), w: hostW, h: hostH };
    const area: Rect = { x: frame.x, y: frame.y + TITLE, w: hostW, h: mainH };
    const cells = cellsFor(host.boxes, area, area, (b) => (b.role === "free" ? host.roomLabel : undefined));
    const insetFrame: Rect = { x: frame.x, y: area.y + mainH + 8 + TITLE, w: hostW, h: insetH };
    // The inset keeps the frame's aspect ratio, so a tiny sum is a small square, not a sliver.
    const a = host.instanceBytes * pxPerByte;
    const rw = Math.min(insetFrame.w, Math.sqrt((a * insetFrame.w) / insetFrame.h));
    const region: Rect = { x: insetFrame.x, y: insetFrame.y, w: rw, h: rw > 0 ? Math.min(insetFrame.h, a / rw) : 0 };
    const instanceBoxes = host.boxes.filter((b) => INSTANCE_ROLES.includes(b.role));
    return {
      host,
      frame,
      titleY: frame.y + 15,
      area,
      cells,
      inset: { frame: insetFrame, titleY: insetFrame.y - 7, region, cells: cellsFor(instanceBoxes, region, insetFrame, () => undefined) },
      roomY: insetFrame.y + insetH + 16,
    };
  });
  const rows = Math.ceil(model.hosts.length / cols);
  return {
    width,
    height: PAD + rows * (hostH + PAD),
    hosts,
    magnification: pxPerByte > 0 && mainPxPerByte > 0 ? pxPerByte / mainPxPerByte : null,
  };
}
