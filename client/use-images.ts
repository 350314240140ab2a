"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ImageListResponse, ImageWithInstances, ImportResult } from "@/lib/schemas/image";
import type { PushRequest, PushResult } from "@/lib/schemas/registry";
import { getJson, handleResponse, sendJson } from "./api";
import { IMAGES_REFRESH_MS, queryKeys } from "./query-keys";
import { uploadArchive, type UploadProgress } from "./upload";

export const imageUrl = (ref: string) => `/api/images/${ref.split("/").map(encodeURIComponent).join("/")}`;

export function useImages() {
  return useQuery({
    queryKey: queryKeys.images,
    queryFn: () => getJson<ImageListResponse>("/api/images").then((r): ImageWithInstances[] => r.images),
    refetchInterval: IMAGES_REFRESH_MS,
  });
}

export function useDeleteImage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (ref: string) => fetch(imageUrl(ref), { method: "DELETE" }).then((r) => handleResponse<void>(r)),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.images }),
  });
}

export function usePushImage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (req: PushRequest) => sendJson<PushResult>("/api/registry/push", "POST", req),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.registry }),
  });
}

/** An import with its upload progress (bytes sent so far), null before the first byte. */
export function useImportImage() {
  const qc = useQueryClient();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const mutation = useMutation({
    mutationFn: ({ file, name }: { file: File; name?: string }): Promise<ImportResult> => {
      setProgress({ loaded: 0, total: file.size });
      return uploadArchive(file, { name, onProgress: setProgress });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.images }),
  });
  return { ...mutation, progress };
}
