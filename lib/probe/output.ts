// The probe prints its result as one JSON object on the last line of its
// output (guest/README.md); progress lines before it carry "progress": true.

export function parseLastJson(output: string): unknown {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith("{")) continue;
    try {
      return JSON.parse(lines[i]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Every JSON progress line, in order; other lines are skipped. */
export function parseProgressLines(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (v && v.progress === true) out.push(v);
    } catch {
      // A torn line (e.g. an OOM kill mid-write) is not progress.
    }
  }
  return out;
}
