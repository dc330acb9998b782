/**
 * Training datasets built from the user's clips: create, add clips (prepare each), edit captions and beats,
 * re-crop, remove, and receive dropped files. Operations on one dataset folder run one at a time (a per-folder
 * queue), so two quick caption edits never interleave their writes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../../shared/result';
import type { CropBox } from '../../../shared/domain/media';
import { BUILTIN_GEOMETRY, MAX_DATASET_CLIPS, TrainingErrorCodes, type DatasetClip, type DatasetSources, type DatasetSummary, type ModelGeometry } from '../../../shared/domain/training';
import type { MediaTools } from '../../media/index';
import { readPackInfo } from '../pack-info';
import { readSources, removeClipWindows, rewriteWindowText, summarise, UPLOADS_DIR, writeSources } from './dataset-files';
import { prepareClip } from './prepare-clip';

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?(fraction: number | null, message: string): void;
}

export interface ClipAddOutcome {
  source: string;
  clip: DatasetClip | null;
  error: { code: string; message: string } | null;
}

export class DatasetService {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly tools: MediaTools) {}

  private exclusive<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const key = path.resolve(dir);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.queues.set(key, next.catch(() => {}));
    return next;
  }

  async create(dir: string, target: { geometry?: ModelGeometry; basePack?: string; config?: 'tiny' | 'sd15' }): Promise<DatasetSummary> {
    const abs = path.resolve(dir);
    const geometry = target.geometry ?? (target.basePack ? (await readPackInfo(target.basePack)).geometry : BUILTIN_GEOMETRY[target.config ?? 'tiny']);
    return this.exclusive(abs, async () => {
      const existing = await fs.readdir(abs).catch(() => null);
      if (existing && existing.length > 0) {
        if (existing.includes('sources.json')) throw new StudioError(TrainingErrorCodes.datasetExists, `${abs} already holds a dataset; open it instead.`);
        throw new StudioError(TrainingErrorCodes.datasetExists, `${abs} is not empty; choose a new folder for the dataset.`);
      }
      await fs.mkdir(abs, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
        // EEXIST here means a file (not a folder) has that name; ENOTDIR/EACCES: the parent is unusable.
        throw new StudioError(TrainingErrorCodes.datasetExists, `${abs} cannot be a dataset folder (${error.code ?? error.message}); choose a new folder.`);
      });
      const sources: DatasetSources = { format: 'musedance-dataset-sources', version: 1, geometry, clips: [] };
      await writeSources(abs, sources);
      return summarise(abs, sources);
    });
  }

  async open(dir: string): Promise<DatasetSummary> {
    const abs = path.resolve(dir);
    return summarise(abs, await readSources(abs));
  }

  /** Prepares each clip in turn; a clip that fails validation is kept in the table as rejected, with why. */
  async addClips(dir: string, paths: string[], options: { crop?: CropBox; caption?: string } & JobHooks): Promise<{ dataset: DatasetSummary; results: ClipAddOutcome[] }> {
    const abs = path.resolve(dir);
    return this.exclusive(abs, async () => {
      const sources = await readSources(abs);
      if (sources.clips.length + paths.length > MAX_DATASET_CLIPS) {
        throw new StudioError(TrainingErrorCodes.datasetInvalid, `A dataset holds at most ${MAX_DATASET_CLIPS} clips.`);
      }
      const results: ClipAddOutcome[] = [];
      for (const [i, source] of paths.entries()) {
        options.signal?.throwIfAborted();
        const clip = await prepareClip(abs, sources, source, {
          tools: this.tools,
          crop: options.crop ?? null,
          caption: options.caption ?? '',
          signal: options.signal,
          onProgress: (f, m) => options.onProgress?.((i + f) / paths.length, m),
        });
        sources.clips.push(clip);
        await writeSources(abs, sources);
        results.push({ source, clip, error: clip.problem });
      }
      return { dataset: summarise(abs, sources), results };
    });
  }

  async updateClip(dir: string, clipId: string, edit: { caption?: string; beatTimesSec?: number[]; crop?: CropBox | null }, hooks: JobHooks = {}): Promise<{ clip: DatasetClip; dataset: DatasetSummary }> {
    const abs = path.resolve(dir);
    return this.exclusive(abs, async () => {
      const sources = await readSources(abs);
      const index = sources.clips.findIndex((c) => c.id === clipId);
      if (index < 0) throw new StudioError(TrainingErrorCodes.clipNotFound, `No clip ${clipId} in this dataset.`);
      let clip = sources.clips[index]!;
      if (edit.crop !== undefined && clip.status === 'ready') {
        const old = clip;
        const redone = await prepareClip(abs, sources, clip.sourcePath, {
          tools: this.tools,
          crop: edit.crop,
          caption: edit.caption ?? clip.caption,
          replacing: { ...clip, caption: edit.caption ?? clip.caption },
          signal: hooks.signal,
          onProgress: hooks.onProgress,
        });
        if (redone.status === 'rejected') throw new StudioError(redone.problem!.code, redone.problem!.message);
        for (const stale of old.windows.filter((w) => !redone.windows.includes(w))) await removeClipWindows(abs, { ...old, windows: [stale] });
        clip = redone;
      }
      if (edit.caption !== undefined) clip = { ...clip, caption: edit.caption };
      if (edit.beatTimesSec !== undefined) {
        const beats = [...edit.beatTimesSec].sort((a, b) => a - b).filter((t, i, all) => i === 0 || t - all[i - 1]! > 1e-6);
        clip = { ...clip, beatTimesSec: beats, beatsEdited: true };
      }
      sources.clips[index] = clip;
      if (clip.status === 'ready') await rewriteWindowText(abs, clip, sources.geometry);
      await writeSources(abs, sources);
      return { clip, dataset: summarise(abs, sources) };
    });
  }

  async bulkCaption(dir: string, clipIds: string[], mode: 'set' | 'append' | 'replace', text: string, find?: string): Promise<DatasetSummary> {
    const abs = path.resolve(dir);
    if (mode === 'replace' && !find) throw new StudioError('BAD_REQUEST', 'Find and replace needs the text to find.');
    return this.exclusive(abs, async () => {
      const sources = await readSources(abs);
      const wanted = new Set(clipIds);
      const missing = clipIds.filter((id) => !sources.clips.some((c) => c.id === id));
      if (missing.length) throw new StudioError(TrainingErrorCodes.clipNotFound, `No clip ${missing[0]} in this dataset.`);
      sources.clips = sources.clips.map((c) => {
        if (!wanted.has(c.id)) return c;
        const next = mode === 'set' ? text : mode === 'append' ? `${c.caption}${c.caption && text ? ' ' : ''}${text}` : c.caption.split(find!).join(text);
        return { ...c, caption: next.slice(0, 500) };
      });
      for (const c of sources.clips) if (wanted.has(c.id) && c.status === 'ready') await rewriteWindowText(abs, c, sources.geometry);
      await writeSources(abs, sources);
      return summarise(abs, sources);
    });
  }

  async removeClip(dir: string, clipId: string): Promise<DatasetSummary> {
    const abs = path.resolve(dir);
    return this.exclusive(abs, async () => {
      const sources = await readSources(abs);
      const clip = sources.clips.find((c) => c.id === clipId);
      if (!clip) throw new StudioError(TrainingErrorCodes.clipNotFound, `No clip ${clipId} in this dataset.`);
      await removeClipWindows(abs, clip);
      sources.clips = sources.clips.filter((c) => c.id !== clipId);
      await writeSources(abs, sources);
      return summarise(abs, sources);
    });
  }

  /**
   * Appends one chunk of a dropped file to `<dataset>/sources/<uploadId>/<name>.part`; the last chunk renames
   * it to its final name and returns its path. Chunks must arrive in order (offset = bytes received so far).
   */
  async upload(dir: string, req: { uploadId: string; fileName: string; offset: number; totalBytes: number; dataBase64: string }): Promise<{ receivedBytes: number; path: string | null }> {
    const abs = path.resolve(dir);
    await readSources(abs); // only into a dataset folder
    const safeName = path.basename(req.fileName).replace(/[^\p{L}\p{N}._ -]+/gu, '_').slice(0, 120) || 'clip';
    // One folder per upload keeps the user's file name (shown in the clip table) without clashes.
    const folder = path.join(abs, UPLOADS_DIR, req.uploadId);
    await fs.mkdir(folder, { recursive: true });
    const final = path.join(folder, safeName);
    const part = final + '.part';
    const have = await fs.stat(part).then((s) => s.size, () => 0);
    if (req.offset !== have) throw new StudioError('BAD_REQUEST', `Upload ${req.uploadId}: expected offset ${have}, got ${req.offset}.`);
    const bytes = Buffer.from(req.dataBase64, 'base64');
    if (req.offset + bytes.length > req.totalBytes) throw new StudioError('BAD_REQUEST', `Upload ${req.uploadId}: more data than announced.`);
    await fs.appendFile(part, bytes);
    const received = req.offset + bytes.length;
    if (received < req.totalBytes) return { receivedBytes: received, path: null };
    await fs.rename(part, final);
    return { receivedBytes: received, path: final };
  }
}
