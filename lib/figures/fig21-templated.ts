import { formatBytes } from "@/lib/core/format";
import type { CloneFacts, FigureInstance, Fig21Templated, MeasuredBytes } from "@/lib/schemas/figures";
import type { Fig21Box, Fig21Host } from "./fig21";
import { firstLimitWords, liveFootprint, roomForMore, roomText, roomWithin, type CapUsage, type RoomLimit } from "./room";
import { isClone } from "./templated-facts";

// Figure 2.1's third host: templated VMs (server/vm/vm-templates.ts). A
// template's guest RAM is a file on tmpfs that every clone maps
// copy-on-write, so the honest sum is the file once (what tmpfs holds for
// it) plus each clone's own cost (its PSS less its share of that file,
// Pss_Shmem) — never the clones' PSS on top of the file, which would count
// the shared pages twice. Without live clones or files, a density run's
// vm-template measurements size it. Pure.

export type MeasuredClone = FigureInstance & { clone: CloneFacts };

export const TEMPLATED_NOUN = "templated VM";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fileName = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** Whether Figure 2.1 draws a host of templated VMs: clones run, a template file exists, the pool waits, or a density run measured them. */
export function drawsTemplatedHost(instances: readonly FigureInstance[], t: Fig21Templated): boolean {
  return instances.some((i) => i.state === "running" && isClone(i)) || t.files.length > 0 || t.pool !== null || t.density !== null;
}

/** What the templated VMs hold of the host now: the live template files once, each clone's own cost, the pool's. */
export function templatedBytes(clones: readonly MeasuredClone[], t: Fig21Templated): number {
  return t.files.reduce((a, f) => a + f.resident.value, 0) + clones.reduce((a, c) => a + c.clone.private.value, 0) + (t.pool?.private.value ?? 0);
}

function templateBoxes(t: Fig21Templated): { boxes: Fig21Box[]; note: string } {
  if (t.files.length)
    return {
      note: "",
      boxes: t.files.map((f) => ({
        id: `template:${f.deleted ? "deleted:" : ""}${f.path}`,
        role: "template" as const,
        label: f.deleted ? "template RAM file (unlinked)" : "template RAM file",
        bytes: f.resident.value,
        detail: `template RAM file ${fileName(f.path)}: ${formatBytes(f.resident.value)} (${f.resident.source} at ${f.resident.at}); counted once — ${plural(f.clones, "running clone maps", "running clones map")} it copy-on-write, and each clone's box is only what it holds beyond it`,
      })),
    };
  const d = t.density;
  if (d?.templateFile)
    return {
      note: "",
      boxes: [
        {
          id: "template:density",
          role: "template",
          label: "template RAM file (density run)",
          bytes: d.templateFile.value,
          detail: `template RAM file: ${formatBytes(d.templateFile.value)} (${d.templateFile.source} at ${d.templateFile.at}); not on the tmpfs now — a host of templated VMs pays it once, before the first clone`,
        },
      ],
    };
  return {
    boxes: [],
    note: d
      ? `the template's RAM file was not measured (density run ${d.experimentId} is from before it was recorded): the templated host's room leaves it out`
      : "",
  };
}

function cloneBox(c: MeasuredClone): Fig21Box {
  const pss = `; its PSS, ${formatBytes(c.clone.pssBytes)}, also holds ${formatBytes(c.clone.shareOfTemplateBytes)} of the template file, which is drawn once on its own`;
  return {
    id: c.id,
    role: "clone",
    label: c.name,
    bytes: c.clone.private.value,
    detail: `${c.name} (${c.startMode} start): ${formatBytes(c.clone.private.value)} of its own = ${c.clone.private.source} at ${c.clone.private.at}; maps ${fileName(c.clone.ramFile)}${pss}`,
  };
}

/** The per-clone cost "room for N more" divides by: a density run's marginal, else the live clones' median own cost. */
function perClone(clones: readonly MeasuredClone[], t: Fig21Templated): MeasuredBytes | null {
  if (t.density) return t.density.perClone;
  const f = liveFootprint(clones.map((c) => c.clone.private.value));
  if (!f) return null;
  return {
    value: f.bytes,
    source: `median own cost (PSS − Pss_Shmem) of ${plural(f.n, "live clone")}, no density run with vm-template`,
    at: clones.map((c) => c.clone.private.at).sort()[0],
  };
}

export interface TemplatedHostInput {
  total: number;
  hostOs: Fig21Box;
  clones: readonly MeasuredClone[];
  templated: Fig21Templated;
  /** The cold VMs' first limit beyond memory (a density run's): clones count against the same caps when no run measured theirs. */
  vmFirstLimit?: RoomLimit | null;
  /** What Isolab's caps count now: every live instance, clones and the other kinds alike. */
  caps: CapUsage;
}

/** The host of templated VMs, or null when none runs, no template file exists and no density run measured them. */
export function templatedHost({
  total,
  hostOs,
  clones,
  templated: t,
  vmFirstLimit = null,
  caps,
}: TemplatedHostInput): { host: Fig21Host; notes: string[] } | null {
  if (!clones.length && !t.files.length && !t.pool && !t.density) return null;
  const notes: string[] = [];
  const templates = templateBoxes(t);
  if (templates.note) notes.push(templates.note);
  const boxes: Fig21Box[] = [...templates.boxes, ...clones.map(cloneBox)];
  if (t.pool)
    boxes.push({
      id: "pool",
      role: "pool",
      label: `warm pool (${t.pool.waiting} waiting)`,
      bytes: t.pool.private.value,
      detail: `warm pool: ${plural(t.pool.waiting, "clone")} waiting to be taken, ${formatBytes(t.pool.private.value)} of their own (${t.pool.private.source} at ${t.pool.private.at})`,
    });
  const instanceBytes = boxes.reduce((a, b) => a + b.bytes, 0);
  const freeBytes = Math.max(0, total - hostOs.bytes - instanceBytes);
  const per = perClone(clones, t);
  const own = t.density?.firstLimit ?? null;
  const limit = own ?? vmFirstLimit;
  const room = roomWithin(roomForMore(freeBytes, per?.value), limit, { mine: clones.length, caps });
  const limitWords = t.density || limit ? `${firstLimitWords(room, limit)}${!own && limit ? " (the VMs' run: clones count against the same caps)" : ""}` : "";
  const roomLabel = roomText(room, TEMPLATED_NOUN);
  const roomBasis = per
    ? `${limitWords ? `${limitWords}; ` : ""}${formatBytes(per.value)} per ${TEMPLATED_NOUN}: ${per.source}`
    : "launch VMs with start mode template, or run the density experiment with vm-template, to measure a clone's cost";
  const free: Fig21Box = {
    id: "free-vm-template",
    role: "free",
    label: "free",
    bytes: freeBytes,
    detail: `free: ${formatBytes(freeBytes)} = MemTotal − host OS − the template file${templates.boxes.length === 1 ? "" : "s"} once − what ${plural(clones.length, "clone holds", "clones hold")} of its own${t.pool ? " − the pool" : ""}; ${roomLabel}${per ? ` at ${formatBytes(per.value)} each` : ""}`,
  };
  return {
    notes,
    host: {
      kind: "vm-template",
      title: `Host running templated VMs (${clones.length})`,
      totalBytes: total,
      boxes: [hostOs, ...boxes, free],
      instanceBytes,
      freeBytes,
      room,
      roomLabel,
      roomBasis,
    },
  };
}
