/**
 * Dropped or picked files -> the open project. The renderer cannot see local paths, so a file is sent in
 * chunks (`media.upload`) into the project's upload staging, then imported with a job id (progress, cancel),
 * then the staged copy is discarded. The result becomes one undoable project edit. Files picked on the host
 * (the browser host's file picker) are staged by the service instead of uploaded, then go the same way.
 * A video never replaces the song silently (issue 23): a studio export offers to recall its settings, any
 * other video asks first; an image is probed before the crop dialog so a non-image gets a clear error.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import { MEDIA_UPLOAD_CHUNK_BYTES } from '@shared/contract/media';
import type { Result } from '@shared/result';
import { newJobId } from '../../bridge/index';
import { notify, notifyError } from '../../state/notifications';
import type { ProjectStore } from '../../state/project-store';
import { importStore, type ImportKind } from './import-store';
import { recallStore } from './recall-settings';
import { classifyFile, VIDEO_EXT } from './classify-file';
import { cropStore } from './crop-store';
import { confirmStore } from './confirm-store';
import { withImportedSong } from './song-edit';
import { SONG_IMPORT_EDIT } from '../../state/project-store';

/** Prepared reference image side until the project knows its pack's resolution. */
export const DEFAULT_REFERENCE_SIDE_PX = 512;
/** Share of the progress bar given to the upload phase (the import itself decodes and resamples). */
const UPLOAD_SHARE = 0.5;

const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
};

const cancelled = { ok: false as const, error: { code: 'CANCELLED', message: 'Import cancelled.' } };

async function uploadFile(studio: StudioBridge, projectDir: string, uploadId: string, file: File, signal: AbortSignal): Promise<Result<string>> {
  if (file.size === 0) return { ok: false, error: { code: 'MEDIA_EMPTY', message: `${file.name} is empty (0 bytes).` } };
  for (let offset = 0; offset < file.size; offset += MEDIA_UPLOAD_CHUNK_BYTES) {
    if (signal.aborted) return cancelled;
    const chunk = new Uint8Array(await file.slice(offset, offset + MEDIA_UPLOAD_CHUNK_BYTES).arrayBuffer());
    const r = await studio.verbs.media.upload({ projectDir, uploadId, fileName: file.name, offset, totalBytes: file.size, dataBase64: toBase64(chunk) });
    if (!r.ok) return r;
    importStore.update({ fraction: (UPLOAD_SHARE * r.value.receivedBytes) / file.size, message: `Copying ${file.name}` });
    if (r.value.path) return { ok: true, value: r.value.path };
  }
  return { ok: false, error: { code: 'UPLOAD_INCOMPLETE', message: `${file.name} was not received completely.` } };
}

/** A dropped file (uploaded in chunks) or a file picked on the host (staged by the service). */
type Source = { name: string; type: string; file: File } | { name: string; type: string; hostPath: string };

/** Imports files one after the other (an image and a song dropped together both land). */
export async function importFiles(studio: StudioBridge, store: ProjectStore, files: File[]): Promise<void> {
  await importSources(studio, store, files.map((file) => ({ name: file.name, type: file.type, file })));
}

/** Imports files picked on the host (absolute paths from the file picker). */
export async function importPaths(studio: StudioBridge, store: ProjectStore, paths: string[]): Promise<void> {
  await importSources(studio, store, paths.map((hostPath) => ({ name: hostPath.split(/[\\/]/).pop() ?? hostPath, type: '', hostPath })));
}

async function importSources(studio: StudioBridge, store: ProjectStore, sources: Source[]): Promise<void> {
  for (const source of sources) {
    const kind = classifyFile(source);
    if (!kind) {
      notify('warning', `${source.name} is neither an image nor a song; drop a PNG/JPEG/WebP image or an audio file.`);
      continue;
    }
    // A file that fails is reported and the next one still goes in; Cancel (or no project) stops them all.
    const outcome = await importOne(studio, store, source, kind);
    if (outcome === 'stop') break;
  }
}

async function stage(studio: StudioBridge, projectDir: string, uploadId: string, source: Source, signal: AbortSignal): Promise<Result<string>> {
  if ('file' in source) return uploadFile(studio, projectDir, uploadId, source.file, signal);
  const r = await studio.verbs.media.stageFile({ projectDir, uploadId, path: source.hostPath });
  return r.ok ? { ok: true, value: r.value.path } : r;
}

type Outcome = 'done' | 'failed' | 'stop';

async function importOne(studio: StudioBridge, store: ProjectStore, file: Source, kind: ImportKind): Promise<Outcome> {
  const projectDir = store.getState().dir;
  if (!projectDir) {
    notify('warning', 'Open or create a project first, then drop the image and the song.');
    return 'stop';
  }
  const signal = importStore.begin({ fileName: file.name, kind, phase: 'upload', fraction: 0, message: `Copying ${file.name}` });
  const uploadId = newJobId('upload');
  const jobId = newJobId(`import-${kind}`);
  const stopProgress = studio.on('job.progress', (p) => {
    if (p.jobId !== jobId) return;
    importStore.update({ phase: 'import', fraction: p.fraction === null ? null : UPLOAD_SHARE + (1 - UPLOAD_SHARE) * p.fraction, message: p.message });
  });
  const onAbort = () => {
    cropStore.dismiss();
    confirmStore.dismiss();
    void studio.verbs.jobs.cancel({ jobId });
  };
  signal.addEventListener('abort', onAbort);
  try {
    const staged = await stage(studio, projectDir, uploadId, file, signal);
    if (!staged.ok) return report(staged.error);
    if (signal.aborted) return report(cancelled.error);
    if (kind === 'song' && (file.type.startsWith('video/') || VIDEO_EXT.test(file.name))) {
      // An export of the studio carries its generation settings: offer to recall them; the song stays.
      const recalled = await studio.verbs.media.readSettings({ path: staged.value });
      if (recalled.ok) {
        recallStore.show({ fileName: file.name, settings: recalled.value.settings });
        return 'done';
      }
      if (recalled.error.code !== 'MEDIA_NO_SETTINGS') return report(recalled.error);
      // Any other video: its music replaces the song only when the user says so.
      const current = store.getState().project?.song;
      if (current) {
        importStore.update({ message: 'Waiting for your answer' });
        const yes = await confirmStore.ask({
          title: `Use the music of ${file.name} as the song?`,
          message: `${file.name} is a video. Its soundtrack would replace the song ${current.originalName}, and the beats would be detected again for it (Undo brings the old song and its beats back).`,
          confirmLabel: 'Replace the song',
        });
        if (!yes || signal.aborted) return report(cancelled.error);
      }
    }
    if (kind === 'image') {
      // A file named .png that is not a picture gets a clear message instead of a broken crop dialog.
      const probe = await studio.verbs.media.probe({ path: staged.value, require: 'image' });
      if (!probe.ok) return report({ code: probe.error.code, message: `Cannot use ${file.name} as the reference image: ${probe.error.message}` });
    }
    importStore.update({ phase: 'import', fraction: UPLOAD_SHARE, message: kind === 'image' ? 'Preparing the image' : 'Making working copies' });
    if (kind === 'image') {
      importStore.update({ message: 'Waiting for the crop box' });
      const stagedRel = `cache/uploads/${uploadId}/${staged.value.split(/[\\/]/).pop()}`;
      const crop = await cropStore.ask({ src: studio.mediaUrl('project', stagedRel), fileName: file.name, aspect: 1 });
      if (!crop || signal.aborted) return report(cancelled.error);
      importStore.update({ message: 'Preparing the image' });
      const r = await studio.verbs.media.importImage({ projectDir, path: staged.value, crop, width: DEFAULT_REFERENCE_SIDE_PX, height: DEFAULT_REFERENCE_SIDE_PX }, { jobId });
      if (!r.ok) return report(r.error);
      store.apply('Import reference image', (p) => ({ ...p, referenceImage: { ...r.value.prepared, originalName: r.value.original.originalName } }));
    } else {
      const r = await studio.verbs.media.importSong({ projectDir, path: staged.value }, { jobId });
      if (!r.ok) return report(r.error);
      store.apply('Import song', (p) => withImportedSong(p, r.value.song), { coalesceKey: SONG_IMPORT_EDIT });
    }
    notify('success', `${file.name} imported.`);
    return 'done';
  } finally {
    signal.removeEventListener('abort', onAbort);
    stopProgress();
    importStore.end();
    void studio.verbs.media.discardUpload({ projectDir, uploadId });
  }
}

function report(error: { code: string; message: string }): Outcome {
  if (error.code === 'CANCELLED') {
    notify('info', 'Import cancelled.');
    return 'stop';
  }
  notifyError(error);
  return 'failed';
}
