"use client";

// Figures leave the page as files: the SVG with every style the page's CSS
// (and its theme variables) resolved to inline values, so the file looks
// the same anywhere; and a PNG drawn from that SVG on a canvas.

/** Presentation properties worth carrying into a standalone file. */
const PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "dominant-baseline",
  "visibility",
] as const;

export function serializeSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...Array.from(svg.querySelectorAll("*"))];
  const copies = [clone, ...Array.from(clone.querySelectorAll("*"))];
  const computed = new Map<Element, CSSStyleDeclaration>(originals.map((el) => [el, getComputedStyle(el)]));
  originals.forEach((orig, i) => {
    const copy = copies[i];
    copy.removeAttribute("class");
    copy.removeAttribute("tabindex");
    const tag = orig.tagName.toLowerCase();
    if (tag === "title" || tag === "desc") return;
    const cs = computed.get(orig)!;
    const parent = orig === svg ? undefined : computed.get(orig.parentElement!);
    // Only what differs from the parent: inheritance carries the rest, and the file stays small.
    const style = PROPS.map((p) => [p, cs.getPropertyValue(p)] as const)
      .filter(([p, v]) => !parent || parent.getPropertyValue(p) !== v)
      .map(([p, v]) => `${p}:${v}`)
      .join(";");
    if (style) copy.setAttribute("style", style);
  });
  const vb = svg.viewBox.baseVal;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  if (vb && vb.width > 0) {
    clone.setAttribute("width", String(vb.width));
    clone.setAttribute("height", String(vb.height));
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadSvg(svg: SVGSVGElement, filename: string): void {
  save(new Blob([serializeSvg(svg)], { type: "image/svg+xml" }), filename);
}

/** Renders the standalone SVG at `scale` × its viewBox size and saves it as PNG. */
export async function downloadPng(svg: SVGSVGElement, filename: string, scale = 2): Promise<void> {
  const text = serializeSvg(svg);
  const vb = svg.viewBox.baseVal;
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(vb.width * scale);
    canvas.height = Math.ceil(vb.height * scale);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser cannot draw on a canvas");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!blob) throw new Error("the canvas produced no PNG");
    save(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
