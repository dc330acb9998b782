/**
 * Dropped files reach the studio in chunks (the browser host cannot see local paths; the Electron preload
 * neither exposes them): each chunk is base64 in one `training.datasetUpload` call, in order.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import { UPLOAD_CHUNK_BYTES } from '@shared/contract/training';
import type { Result } from '@shared/result';

const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
};

export async function uploadFile(studio: StudioBridge, datasetDir: string, file: File, onProgress: (fraction: number) => void): Promise<Result<string>> {
  const uploadId = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  if (file.size === 0) return { ok: false, error: { code: 'MEDIA_EMPTY', message: `${file.name} is empty (0 bytes).` } };
  for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(offset, offset + UPLOAD_CHUNK_BYTES).arrayBuffer());
    const r = await studio.verbs.training.datasetUpload({ dir: datasetDir, uploadId, fileName: file.name, offset, totalBytes: file.size, dataBase64: toBase64(chunk) });
    if (!r.ok) return r;
    onProgress(r.value.receivedBytes / file.size);
    if (r.value.path) return { ok: true, value: r.value.path };
  }
  return { ok: false, error: { code: 'UPLOAD_INCOMPLETE', message: `${file.name} was not received completely.` } };
}
