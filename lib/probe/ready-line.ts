// The probe's first words: `READY uptime=<s> init_uptime=<s>` (guest/README.md).

export interface ReadyLine {
  uptimeSeconds?: number;
  initUptimeSeconds?: number;
}

export function parseReadyLine(line: string): ReadyLine | null {
  const m = /^READY(?:\s|$)(.*)$/.exec(line.trim());
  if (!m) return null;
  const fields = Object.fromEntries(
    m[1]
      .split(/\s+/)
      .map((kv) => kv.split("="))
      .filter((kv) => kv.length === 2),
  );
  const num = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) && v !== "" ? Number(v) : undefined);
  return { uptimeSeconds: num(fields.uptime), initUptimeSeconds: num(fields.init_uptime) };
}
