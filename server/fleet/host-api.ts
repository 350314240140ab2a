import "server-only";
import { boundedText, MAX_RESPONSE_BYTES } from "./prometheus-api";

// Another host's Isolab API, called with the token the admin stored for it:
// a deadline on every call and a bounded answer, the same as Prometheus's.

export const HOST_CALL_TIMEOUT_MS = 10_000;

export class HostCallError extends Error {}

export async function callHost(
  host: { name: string; url: string; token: string | null },
  method: "GET" | "POST",
  pathname: string,
  body?: unknown,
): Promise<unknown> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${host.url}${pathname}`, {
      method,
      headers: { ...(host.token ? { authorization: `Bearer ${host.token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HOST_CALL_TIMEOUT_MS),
      cache: "no-store",
      redirect: "manual",
    });
    text = await boundedText(res, MAX_RESPONSE_BYTES);
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError") throw new HostCallError(`${host.name} did not answer within ${HOST_CALL_TIMEOUT_MS / 1000} s`);
    const c = (err as { cause?: { code?: string } }).cause;
    throw new HostCallError(`${host.name} (${host.url}) does not answer: ${c?.code ?? (err as Error).message}`);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: said below
  }
  if (!res.ok) {
    const said = json && typeof json === "object" && "error" in json ? String((json as { error: unknown }).error) : text.slice(0, 200);
    const hint = res.status === 401 || res.status === 403 ? " (check the token stored for this host)" : "";
    throw new HostCallError(`${host.name} answered ${res.status}${hint}: ${said}`);
  }
  if (json === null) throw new HostCallError(`${host.name} answered something that is not JSON: ${text.slice(0, 200)}`);
  return json;
}
