import type { ImportResult } from "@/lib/schemas/image";
import { ApiError } from "./api";

// An archive upload with progress: fetch() cannot report upload progress, so
// XMLHttpRequest sends the file itself as the body (no multipart), and each
// progress event reports the bytes sent.

export interface UploadProgress {
  loaded: number;
  total: number;
}

export function uploadArchive(file: File, opts: { name?: string; onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {}): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const query = new URLSearchParams({ filename: file.name, ...(opts.name ? { name: opts.name } : {}) });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/images?${query}`);
    xhr.setRequestHeader("content-type", "application/x-tar");
    xhr.upload.onprogress = (e) => opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      let body: { error?: string; details?: unknown } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: a proxy's error page
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ImportResult);
      else reject(new ApiError(body?.error ?? `${xhr.status} ${xhr.statusText}`, xhr.status, body?.details));
    };
    xhr.onerror = () => reject(new ApiError("The upload failed: the server could not be reached.", 0, null));
    xhr.onabort = () => reject(new ApiError("The upload was cancelled.", 0, null));
    opts.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
