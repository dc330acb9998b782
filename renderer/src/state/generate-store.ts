/**
 * Generation state of the renderer: packs + provider, the settings of the next run, the job queue (one job runs
 * at a time; each is a `generate.segment` call with a jobId so progress, previews and cancel work), the live
 * preview, the seam QA of each take, and the last export. Project edits (new takes, kept take, stale marks) go
 * through the project store, so they are undoable like any other edit.
 */
import { useSyncExternalStore } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import type { SeamQa } from '@shared/contract/generate';
import type { PackSummary } from '@shared/domain/model-pack';
import type { Project, Segment } from '@shared/domain/project';
import { newJobId } from '../bridge/index';
import { Observable } from './emitter';
import { notify, notifyError } from './notifications';
import type { ProjectStore } from './project-store';
import { defaultSeed, SEGMENT_COLOURS } from '../shared/segment-ops';
import { keptTake } from '../shared/seam-badges';
import { assembleTakes } from '../shared/assembled-takes';
import type { ExportChoices, GenerationSettings } from '@shared/domain/media';

export { keptTake };

export type Preset = 'draft' | 'standard' | 'high';
export const PRESET_STEPS: Record<Preset, number> = { draft: 8, standard: 20, high: 40 };

export interface GenerateSettings {
  packId: string | null;
  steps: number;
  guidance: number;
  /** Added to each segment's own seed, so one number re-rolls the whole song reproducibly. */
  seedOffset: number;
  preset: Preset | 'custom';
  prompt: string;
}

export type JobKind = 'generate' | 'extend' | 'reroll';
export interface QueueItem {
  id: string;
  segmentIndex: number;
  kind: JobKind;
}

export interface RunningJob extends QueueItem {
  jobId: string;
  fraction: number | null;
  message: string;
  etaSec: number | null;
  startedAt: number;
}

export interface GenerateState {
  packs: PackSummary[];
  provider: { selected: string; reason: string } | null;
  settings: GenerateSettings;
  queue: QueueItem[];
  running: RunningJob | null;
  preview: { src: string; step: number; totalSteps: number; kind: 'latent' | 'decoded' } | null;
  qa: Record<string, SeamQa>;
  previewVideos: Record<string, string>;
  estimate: { secondsPerSegment: number; measured: boolean; memoryBytes: number } | null;
  lastExport: { path: string; frames: number; durationSec: number; width: number; height: number } | null;
  exporting: boolean;
  exportJobId: string | null;
  exportProgress: { fraction: number | null; message: string } | null;
  /** Take paths picked for A/B compare, per segment id. */
  compare: Record<string, [string | null, string | null]>;
}

const initial: GenerateState = {
  packs: [],
  provider: null,
  settings: { packId: null, steps: PRESET_STEPS.standard, guidance: 3.5, seedOffset: 0, preset: 'standard', prompt: 'a person dancing to the music' },
  queue: [],
  running: null,
  preview: null,
  qa: {},
  previewVideos: {},
  estimate: null,
  lastExport: null,
  exporting: false,
  exportJobId: null,
  exportProgress: null,
  compare: {},
};

let queueSeq = 0;

export class GenerateStore extends Observable<GenerateState> {
  private studio: StudioBridge | null = null;
  private project: ProjectStore | null = null;
  private draining = false;
  private unsubscribe: Array<() => void> = [];

  constructor() {
    super(initial);
  }

  patch(p: Partial<GenerateState>): void {
    this.set({ ...this.state, ...p });
  }

  setSettings(p: Partial<GenerateSettings>): void {
    this.set({ ...this.state, settings: { ...this.state.settings, ...p } });
  }

  connect(studio: StudioBridge, project: ProjectStore): () => void {
    if (this.studio === studio) return () => undefined;
    this.studio = studio;
    this.project = project;
    this.unsubscribe.push(
      studio.on('job.progress', (p) => {
        const r = this.state.running;
        if (!r || p.jobId !== r.jobId) return;
        this.set({ ...this.state, running: { ...r, fraction: p.fraction, message: p.message, etaSec: p.etaSec } });
      }),
      studio.on('generate.preview', (p) => {
        const r = this.state.running;
        if (!r || p.jobId !== r.jobId) return;
        this.set({ ...this.state, preview: { src: `data:image/png;base64,${p.pngBase64}`, step: p.step, totalSteps: p.totalSteps, kind: p.kind } });
      }),
    );
    void this.refreshPacks();
    // Takes of a project opened before this connected (the segment rows asked while no bridge was connected:
    // child effects run first), so their QA badges show after a reopen too (issue 23 #12).
    for (const seg of project.getState().project?.segments ?? []) for (const t of seg.takes) void this.loadTakeInfo(t.path);
    return () => {
      for (const u of this.unsubscribe.splice(0)) u();
      this.studio = null;
    };
  }

  async refreshPacks(): Promise<void> {
    if (!this.studio) return;
    const r = await this.studio.verbs.pack.list({ validate: false });
    if (!r.ok) return notifyError(r.error);
    const usable = r.value.packs.filter((p) => !p.problem);
    const current = this.state.settings.packId;
    const packId = current && usable.some((p) => p.id === current) ? current : (usable.find((p) => p.id === 'musedance-tiny') ?? usable[0])?.id ?? null;
    const pack = usable.find((p) => p.id === packId);
    this.set({ ...this.state, packs: r.value.packs, provider: r.value.provider, settings: { ...this.state.settings, packId, guidance: pack?.defaultGuidance ?? this.state.settings.guidance } });
    void this.refreshEstimate();
  }

  async refreshEstimate(measure = false): Promise<void> {
    const { packId, steps } = this.state.settings;
    if (!this.studio || !packId) return;
    const r = await this.studio.verbs.generate.estimate({ packId, steps, segments: 1, measure });
    if (r.ok) this.set({ ...this.state, estimate: { secondsPerSegment: r.value.secondsPerSegment, measured: r.value.measured, memoryBytes: r.value.memoryBytes } });
  }

  pack(): PackSummary | undefined {
    return this.state.packs.find((p) => p.id === this.state.settings.packId && !p.problem);
  }

  enqueue(items: Array<Omit<QueueItem, 'id'>>): void {
    const queued = items.map((i) => ({ ...i, id: `q${++queueSeq}` }));
    this.set({ ...this.state, queue: [...this.state.queue, ...queued] });
    void this.drain();
  }

  /** Cancels the running job (it stops within one denoising step) and drops the queue. */
  async cancelAll(): Promise<void> {
    const running = this.state.running;
    this.set({ ...this.state, queue: [] });
    if (running && this.studio) await this.studio.verbs.jobs.cancel({ jobId: running.jobId });
  }

  removeQueued(id: string): void {
    this.set({ ...this.state, queue: this.state.queue.filter((q) => q.id !== id) });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.state.queue.length) {
        const [item, ...rest] = this.state.queue;
        this.set({ ...this.state, queue: rest });
        const ok = await this.runOne(item!);
        if (!ok) {
          this.set({ ...this.state, queue: [] });
          break;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private ensureSegments(count: number): Segment[] | null {
    const store = this.project!;
    const project = store.getState().project;
    const pack = this.pack();
    if (!project || !pack) return null;
    if (project.segments.length >= count) return project.segments;
    const K = project.framesPerSegment;
    store.apply('Add segments', (p) => {
      const segments = [...p.segments];
      for (let i = segments.length; i < count; i++) {
        segments.push({ id: `seg-${Date.now().toString(36)}-${i}`, startFrame: i * K, frames: K, prompt: this.state.settings.prompt, seed: defaultSeed(i), colour: SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]!, takes: [], keptTakeId: null });
      }
      return { ...p, segments };
    });
    return store.getState().project!.segments;
  }

  private async runOne(item: QueueItem): Promise<boolean> {
    const studio = this.studio!;
    const store = this.project!;
    const { dir, project } = store.getState();
    const pack = this.pack();
    if (!dir || !project || !pack) {
      notify('warning', 'Open a project and pick a model pack first.');
      return false;
    }
    if (!project.referenceImage || !project.song) {
      notify('warning', 'Import a reference image and a song before generating.');
      return false;
    }
    if (pack.framesPerSegment !== project.framesPerSegment || pack.fps !== project.fps) {
      notify('warning', `The pack makes ${pack.framesPerSegment} frames at ${pack.fps} fps per segment; this project uses ${project.framesPerSegment} at ${project.fps}.`);
      return false;
    }
    const segments = this.ensureSegments(item.segmentIndex + 1);
    const segment = segments?.[item.segmentIndex];
    if (!segment) return false;
    const previous = item.segmentIndex > 0 ? segments![item.segmentIndex - 1]! : null;
    const previousTake = previous ? keptTake(previous) : null;
    if (previous && !previousTake) {
      notify('warning', `Segment ${item.segmentIndex} has no take yet; generate it before segment ${item.segmentIndex + 1}.`);
      return false;
    }
    const s = this.state.settings;
    const jobId = newJobId('generate');
    this.set({ ...this.state, running: { ...item, jobId, fraction: 0, message: 'Starting', etaSec: null, startedAt: Date.now() }, preview: null });
    const seed = ((segment.seed + s.seedOffset + (item.kind === 'reroll' ? segment.takes.length * 7919 : 0)) >>> 0) % 2 ** 32;
    const r = await studio.verbs.generate.segment(
      {
        projectDir: dir,
        packId: pack.id,
        segmentId: segment.id,
        startFrame: segment.startFrame,
        prompt: segment.prompt || s.prompt,
        seed,
        steps: s.steps,
        guidance: s.guidance,
        beatsSec: project.beats.map((b) => b.timeSec),
        referencePath: project.referenceImage.path,
        songPath: project.song.path,
        previousTakePath: previousTake?.path ?? null,
        previewDecodeEvery: 4,
        previewVideo: true,
      },
      { jobId },
    );
    this.set({ ...this.state, running: null });
    if (!r.ok) {
      if (r.error.code === 'CANCELLED') notify('info', `Segment ${item.segmentIndex + 1}: ${r.error.message} Nothing was changed.`);
      else notifyError(r.error);
      return false;
    }
    const { take, qa, previewVideo } = r.value;
    this.set({ ...this.state, qa: { ...this.state.qa, [take.path]: qa }, previewVideos: previewVideo ? { ...this.state.previewVideos, [take.path]: previewVideo } : this.state.previewVideos });
    const label = `${item.kind === 'reroll' ? 'Re-roll' : item.kind === 'extend' ? 'Extend to' : 'Generate'} segment ${item.segmentIndex + 1}`;
    store.apply(label, (p) => applyNewTake(p, segment.id, take, item.kind === 'reroll'));
    return true;
  }

  /**
   * Exports the assembled kept takes (issue 23's export dialog): the whole song or the selected segments, at
   * the chosen size/aspect, trimmed to the song's end, with the generation settings and these choices embedded.
   */
  async exportKept(options: { choices: ExportChoices; out: string; selection?: ReadonlySet<string>; overwrite?: boolean }): Promise<boolean> {
    const studio = this.studio!;
    const { dir, project } = this.project!.getState();
    if (!dir || !project) return false;
    const { choices } = options;
    const assembled = assembleTakes(project.segments, choices.range === 'selection' ? options.selection : undefined);
    if (!assembled.takePaths.length) return notify('warning', choices.range === 'selection' ? 'The selected segments have no takes yet.' : 'Generate at least the first segment before exporting.'), false;
    const jobId = newJobId('export');
    this.set({ ...this.state, exporting: true, exportJobId: jobId, exportProgress: { fraction: 0, message: 'Starting' } });
    const stop = studio.on('job.progress', (p) => {
      if (p.jobId === jobId) this.set({ ...this.state, exportProgress: { fraction: p.fraction, message: p.message } });
    });
    try {
      const settings = await generationSettings(project, assembled.takePaths, choices);
      const r = await studio.verbs.generate.export(
        {
          projectDir: dir,
          takePaths: assembled.takePaths,
          songPath: project.song?.path ?? null,
          startFrame: assembled.startFrame,
          fps: project.fps,
          out: options.out,
          format: choices.format,
          overwrite: options.overwrite ?? false,
          upscale: choices.upscale,
          aspect: choices.aspect,
          fit: choices.fit,
          interpolateFps: choices.interpolateFps,
          trimToSong: choices.trimToSong,
          settings,
        },
        { jobId },
      );
      this.set({ ...this.state, lastExport: r.ok ? { path: r.value.out, frames: r.value.frames, durationSec: r.value.durationSec, width: r.value.width, height: r.value.height } : this.state.lastExport });
      if (!r.ok) return r.error.code === 'CANCELLED' ? notify('info', 'Export cancelled; nothing was written.') : notifyError(r.error), false;
      notify('success', `Exported ${r.value.frames} frames (${r.value.width}x${r.value.height}) with music to ${r.value.out}`);
      return true;
    } finally {
      stop();
      this.set({ ...this.state, exporting: false, exportJobId: null, exportProgress: null });
    }
  }

  async cancelExport(): Promise<void> {
    if (this.studio && this.state.exportJobId) await this.studio.verbs.jobs.cancel({ jobId: this.state.exportJobId });
  }

  /** QA and preview video of takes made in an earlier session (read from the take folder). */
  async loadTakeInfo(takePath: string): Promise<void> {
    const dir = this.project?.getState().dir;
    if (!this.studio || !dir || this.state.qa[takePath]) return;
    const r = await this.studio.verbs.generate.takeInfo({ projectDir: dir, takePath });
    if (r.ok && r.value.qa) this.set({ ...this.state, qa: { ...this.state.qa, [takePath]: r.value.qa }, previewVideos: { ...this.state.previewVideos, [takePath]: `${takePath}/take.mp4` } });
  }
}


/** Adds the take and keeps it; a re-roll makes the following segment's takes stale (their motion came from the old one). */
export function applyNewTake(p: Project, segmentId: string, take: Segment['takes'][number], reroll: boolean): Project {
  const ordered = [...p.segments].sort((a, b) => a.startFrame - b.startFrame);
  const index = ordered.findIndex((s) => s.id === segmentId);
  const nextId = reroll ? ordered[index + 1]?.id : undefined;
  return {
    ...p,
    segments: p.segments.map((s) => {
      if (s.id === segmentId) return { ...s, takes: [...s.takes, take].slice(-100), keptTakeId: take.id };
      if (s.id === nextId) return { ...s, takes: s.takes.map((t) => ({ ...t, stale: true })) };
      return s;
    }),
  };
}

export const generateStore = new GenerateStore();
export const useGenerateState = <T,>(select: (s: GenerateState) => T): T => useSyncExternalStore(generateStore.subscribe, () => select(generateStore.getState()));

/** Lower-case hex sha256 of a string (Web Crypto: the page runs on 127.0.0.1 or in Electron, both secure contexts). */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What made the exported frames, stored in the file so importing it can recall prompts, seeds and these choices. */
export async function generationSettings(project: Project, takePaths: readonly string[], choices: ExportChoices): Promise<GenerationSettings> {
  const byPath = new Map(project.segments.flatMap((seg) => seg.takes.map((t) => [t.path, { seg, take: t }] as const)));
  const used = takePaths.map((p) => byPath.get(p)!).filter(Boolean);
  return {
    packId: used[0]?.take.packId ?? 'unknown',
    beatsHash: await sha256Hex(JSON.stringify(project.beats.map((b) => b.timeSec))),
    fps: project.fps,
    segments: used.map(({ seg, take }) => ({ startFrame: seg.startFrame, frames: seg.frames, prompt: seg.prompt, seed: take.seed, steps: take.steps, guidance: take.guidance })),
    ...(project.song ? { songSha256: project.song.sha256 } : {}),
    ...(project.referenceImage ? { referenceImageSha256: project.referenceImage.sha256 } : {}),
    createdAt: new Date().toISOString(),
    export: choices,
  };
}
