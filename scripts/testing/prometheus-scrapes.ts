// One target's scrapes as a real Prometheus recorded them, for tests that
// count scrapes rather than seconds: every scrape writes `up` (1 when it
// worked, 0 when not) and `scrape_duration_seconds`, both stamped with the
// time the scrape started, so their raw samples (a range selector asked as
// an instant query) give when each scrape started and ended.

export interface Scrape {
  startMs: number;
  endMs: number;
  ok: boolean;
}

type RawSeries = { metric: Record<string, string>; values: [number, string][] }[];

async function rawSamples(promUrl: string, selector: string, windowS: number): Promise<[number, string][]> {
  const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: `${selector}[${windowS}s]` })}`);
  const body = (await res.json()) as { status: string; data?: { resultType: string; result: RawSeries }; error?: string };
  if (body.status !== "success" || body.data?.resultType !== "matrix") throw new Error(`Prometheus refused ${selector}: ${body.error ?? res.status}`);
  if (body.data.result.length > 1) throw new Error(`${selector} matches ${body.data.result.length} series; expected one target`);
  return body.data.result[0]?.values ?? [];
}

/** The scrapes of the target labelled host=`host` within the last `windowS` seconds, oldest first. */
export async function scrapesOf(promUrl: string, host: string, windowS = 900): Promise<Scrape[]> {
  const selector = (metric: string) => `${metric}{host=${JSON.stringify(host)}}`;
  const [up, durations] = await Promise.all([rawSamples(promUrl, selector("up"), windowS), rawSamples(promUrl, selector("scrape_duration_seconds"), windowS)]);
  const duration = new Map(durations.map(([t, v]) => [t, Number(v)]));
  return up.map(([t, v]) => ({ startMs: t * 1000, endMs: (t + (duration.get(t) ?? 0)) * 1000, ok: v === "1" }));
}
