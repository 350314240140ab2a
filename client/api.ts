// The browser's side of the API: one place that turns a non-2xx answer into
// an Error carrying the server's own message (which names the fix).

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details: unknown,
  ) {
    super(message);
  }
}

export async function handleResponse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body && typeof body.error === "string" && body.error) || `${res.status} ${res.statusText}`;
    throw new ApiError(message, res.status, body?.details);
  }
  return body as T;
}

export function getJson<T>(url: string): Promise<T> {
  return fetch(url, { cache: "no-store" }).then((r) => handleResponse<T>(r));
}

export function sendJson<T>(url: string, method: "POST" | "DELETE", body?: unknown): Promise<T> {
  return fetch(url, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => handleResponse<T>(r));
}
