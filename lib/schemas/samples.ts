import { z } from "zod";
import { DEFAULT_WINDOW_S, SAMPLE_WINDOWS_S, type SampleWindowS } from "@/lib/metrics/samples";

// Query strings of the sample routes, shared with the UI's window selector.

export const SampleWindowSchema = z
  .enum(SAMPLE_WINDOWS_S.map(String) as [string, ...string[]], { message: `window must be one of ${SAMPLE_WINDOWS_S.join(", ")} (seconds)` })
  .default(String(DEFAULT_WINDOW_S))
  .transform((w) => Number(w) as SampleWindowS);

export const SampleQuerySchema = z.object({
  window: SampleWindowSchema,
  format: z.enum(["json", "csv"], { message: "format must be json or csv" }).default("json"),
});
export type SampleQuery = z.output<typeof SampleQuerySchema>;

/** Reads ?window=&format= from a URL; missing values take their defaults. */
export function parseSampleQuery(url: string): SampleQuery {
  const q = new URL(url).searchParams;
  return SampleQuerySchema.parse({ window: q.get("window") ?? undefined, format: q.get("format") ?? undefined });
}
