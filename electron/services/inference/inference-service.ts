/**
 * The inference service: owns the open pack runtime (one at a time; sessions live in the worker thread), runs
 * one generation job at a time (two cores: parallel jobs would only slow each other), and turns a segment request
 * into a take on disk: reference -> conditioning (cached per image + prompt, i.e. ReferenceNet once per take
 * chain), song slice -> fbank -> music tokens, edited beats -> one-hot, seeded noise -> DDIM + CFG with previews
 * -> VAE decode -> frames + latents + QA + preview video.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, StudioError } from '../../shared/result';
import type { Take } from '../../shared/domain/project';
import type { SeamQa } from '../../shared/contract/generate';
import type { StudioConfig } from '../config';
import { exportVideo } from '../media/index';
import { probeMedia } from '../media/index';
import type { ExportAspect, ExportFit } from '../../shared/domain/export-frame';
import type { GenerationSettings } from '../../shared/domain/media';
import { probeProviders } from '../onnx/providers';
import { segmentBeatOneHot } from './beat-onehot';
import { segmentSamples } from './kaldi-fbank';
import { latentToRgb } from './latent-preview';
import { readImageRgb, readSongMono16k, rgbToTensor, tensorToRgb } from './media-io';
import { PackRuntime } from './pack-runtime';
import { resolvePackDir } from './pack-registry';
import { encodePng } from './png';
import { decodeFrames, prepareConditioning, sampleLatents, throwIfCancelled, type TakeConditioning } from './sampler';
import { seamQa } from './seam-qa';
import { gaussianNoise } from './seeded-noise';
import { FRAMES_DIR, LAST_FRAME_FILE, LATENTS_FILE, newTakeId, PREVIEW_VIDEO, readFloat32, readTake, resolveInProject, TAKE_JSON, TAKES_DIR, type TakeManifest } from './take-store';

/** After a cancel, a UNet step still running this long is cut off by terminating the worker thread. */
export const CANCEL_HARD_STOP_MS = 15_000;

export interface SegmentJobInput {
  projectRoot: string;
  packId: string;
  segmentId: string;
  startFrame: number;
  prompt: string;
  seed: number;
  steps: number;
  guidance: number;
  beatsSec: number[];
  referenceFile: string;
  songFile: string;
  previousTakePath: string | null;
  previewDecodeEvery: number;
  /** Make the take's preview MP4 (with its music). */
  previewVideo?: boolean;
}

export interface JobHooks {
  signal: AbortSignal;
  progress(fraction: number | null, message: string, etaSec?: number | null): void;
  preview?(p: { step: number; totalSteps: number; kind: 'latent' | 'decoded'; width: number; height: number; pngBase64: string }): void;
}

export interface SegmentJobResult {
  take: Take;
  takeDir: string;
  takeRel: string;
  framesDir: string;
  previewVideo: string | null;
  frames: number;
  fps: number;
  qa: SeamQa;
  timings: { totalSec: number; secondsPerStep: number; decodeSec: number };
  provider: { selected: 'cuda' | 'cpu'; reason: string };
}

export class InferenceService {
  private runtime: PackRuntime | null = null;
  private runtimeDir: string | null = null;
  private opening: Promise<PackRuntime> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly conditioning = new Map<string, TakeConditioning>();
  private readonly songs = new Map<string, Float32Array>();
  /** Measured seconds per UNet step, per pack dir (for estimates). */
  readonly measuredStepSec = new Map<string, number>();

  constructor(private readonly config: StudioConfig) {}

  /** The open runtime for `dir`, opening it (and closing another) when needed. */
  async runtimeFor(dir: string, signal?: AbortSignal): Promise<PackRuntime> {
    const real = await fs.promises.realpath(dir).catch(() => dir);
    if (this.runtime && this.runtimeDir === real) return this.runtime;
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.runtime && this.runtimeDir === real) return this.runtime;
    await this.close();
    this.opening = PackRuntime.open(real, { signal });
    try {
      this.runtime = await this.opening;
      this.runtimeDir = real;
      return this.runtime;
    } finally {
      this.opening = null;
    }
  }

  async close(): Promise<void> {
    const r = this.runtime;
    this.runtime = null;
    this.runtimeDir = null;
    this.conditioning.clear();
    await r?.close();
  }

  /** Runs jobs one after another, in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async song16k(file: string, signal: AbortSignal): Promise<Float32Array> {
    const stat = await fs.promises.stat(file);
    const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
    const hit = this.songs.get(key);
    if (hit) return hit;
    const samples = await readSongMono16k(this.config.ffmpegPath, file, signal);
    this.songs.clear(); // keep one song decoded; a project has one
    this.songs.set(key, samples);
    return samples;
  }

  generateSegment(input: SegmentJobInput, hooks: JobHooks): Promise<SegmentJobResult> {
    return this.serial(() => this.runSegment(input, hooks));
  }

  private async runSegment(input: SegmentJobInput, hooks: JobHooks): Promise<SegmentJobResult> {
    const { signal } = hooks;
    const started = performance.now();
    throwIfCancelled(signal);
    hooks.progress(0, 'Loading model pack');
    const packDir = resolvePackDir(this.config, input.packId);
    const runtime = await this.runtimeFor(packDir, signal);
    const m = runtime.manifest;
    const { K, M, latentFrame, H, W, C, h, w } = runtime.shapes;
    const fps = m.config.fps;

    // Motion frames from the previous take (extend); checked before any compute.
    let motion: Float32Array | null = null;
    let previousLast: Uint8Array | null = null;
    if (input.previousTakePath) {
      const prev = await readTake(input.projectRoot, input.previousTakePath);
      if (prev.manifest.packId !== input.packId) throw new StudioError('INFERENCE_BAD_INPUT', `The previous segment was made with pack ${prev.manifest.packId}; extend it with the same pack.`);
      const prevLatents = await readFloat32(path.join(prev.dir, LATENTS_FILE), prev.manifest.frames * latentFrame, 'The previous take\'s latents');
      motion = prevLatents.slice((prev.manifest.frames - M) * latentFrame);
      const last = await fs.promises.readFile(path.join(prev.dir, LAST_FRAME_FILE)).catch(() => null);
      if (last && last.length === H * W * 3) previousLast = new Uint8Array(last);
    }

    hooks.progress(0.01, 'Reading reference image and song');
    const referenceRgb = await readImageRgb(this.config.ffmpegPath, input.referenceFile, W, H, signal);
    const song = await this.song16k(input.songFile, signal);
    const segmentStartSec = input.startFrame / fps;

    // ReferenceNet + text once per (pack, image, prompt): shared by every segment and take that uses them.
    const condKey = createHash('sha256').update(packDir).update('\0').update(referenceRgb).update('\0').update(input.prompt).digest('hex');
    let cond = this.conditioning.get(condKey);
    if (!cond) {
      hooks.progress(0.02, 'Encoding reference image and prompt (ReferenceNet)');
      cond = await prepareConditioning(runtime, rgbToTensor(referenceRgb, W, H), input.prompt, signal);
      if (this.conditioning.size > 8) this.conditioning.clear();
      this.conditioning.set(condKey, cond);
    }
    throwIfCancelled(signal);
    hooks.progress(0.04, 'Encoding music');
    const music = await runtime.musicTokens(runtime.fbankInput(segmentSamples(song, segmentStartSec, m.audio.sampleRateHz, m.audio.segmentSamples)));
    const beat = segmentBeatOneHot(input.beatsSec, segmentStartSec, fps, K);
    const noise = gaussianNoise(input.seed, K * latentFrame);

    const denoiseShare = 0.8;
    const loopStarted = performance.now();
    // For the cancel report: denoising steps finished when the abort arrived, and when the loop stopped.
    let stepsDone = 0;
    let stepsDoneAtAbort: number | null = null;
    const onAbort = () => (stepsDoneAtAbort = stepsDone);
    signal.addEventListener('abort', onAbort, { once: true });
    const latents = await this.withHardStop(runtime, signal, () =>
      sampleLatents(runtime, {
        cond: cond!,
        music,
        beat,
        motion,
        noise,
        steps: input.steps,
        guidance: input.guidance,
        signal,
        onStep: async (s) => {
          stepsDone = s.step;
          const elapsed = (performance.now() - loopStarted) / 1000;
          const perStep = elapsed / s.step;
          const eta = perStep * (s.totalSteps - s.step) + perStep * 0.1 * K;
          hooks.progress(0.05 + denoiseShare * (s.step / s.totalSteps), `Denoising step ${s.step}/${s.totalSteps}`, eta);
          if (!hooks.preview) return;
          const mid = Math.floor(K / 2) * latentFrame;
          const decode = input.previewDecodeEvery > 0 && (s.step % input.previewDecodeEvery === 0 || s.step === s.totalSteps);
          if (decode) {
            const img = await runtime.decodeLatent(s.predOriginal.slice(mid, mid + latentFrame));
            hooks.preview({ step: s.step, totalSteps: s.totalSteps, kind: 'decoded', width: W, height: H, pngBase64: encodePng(tensorToRgb(img, W, H), W, H).toString('base64') });
          } else {
            hooks.preview({ step: s.step, totalSteps: s.totalSteps, kind: 'latent', width: w, height: h, pngBase64: encodePng(latentToRgb(s.predOriginal, C, h, w, m.config.scalingFactor, mid), w, h).toString('base64') });
          }
        },
      }),
    ).catch((error: unknown) => {
      if (signal.aborted && stepsDoneAtAbort !== null)
        throw new StudioError(ErrorCodes.cancelled, `Cancelled at denoising step ${stepsDoneAtAbort}/${input.steps}; stopped after step ${stepsDone}.`);
      throw error;
    }).finally(() => signal.removeEventListener('abort', onAbort));
    const stepsSec = (performance.now() - loopStarted) / 1000;
    this.measuredStepSec.set(packDir, stepsSec / input.steps);

    hooks.progress(0.86, 'Decoding frames');
    const decodeStarted = performance.now();
    const images = await decodeFrames(runtime, latents, signal, (k) => hooks.progress(0.86 + 0.08 * ((k + 1) / K), `Decoding frame ${k + 1}/${K}`));
    const decodeSec = (performance.now() - decodeStarted) / 1000;
    const rgbFrames = images.map((img) => tensorToRgb(img, W, H));

    const beatsInSegment = input.beatsSec.map((t) => t - segmentStartSec).filter((t) => t >= 0 && t < K / fps);
    const qa = seamQa({ width: W, height: H, frames: rgbFrames }, previousLast, referenceRgb, beatsInSegment, fps);

    // Write the take atomically: partial folder, then rename.
    throwIfCancelled(signal);
    const takeId = newTakeId();
    const takesRoot = path.join(input.projectRoot, TAKES_DIR);
    await fs.promises.mkdir(takesRoot, { recursive: true });
    const partial = path.join(takesRoot, `.${takeId}.partial`);
    const finalDir = path.join(takesRoot, takeId);
    const takeRel = `${TAKES_DIR}/${takeId}`;
    try {
      await fs.promises.mkdir(path.join(partial, FRAMES_DIR), { recursive: true });
      for (const [k, rgb] of rgbFrames.entries()) await fs.promises.writeFile(path.join(partial, FRAMES_DIR, `${String(k + 1).padStart(6, '0')}.png`), encodePng(rgb, W, H, 3));
      await fs.promises.writeFile(path.join(partial, LATENTS_FILE), Buffer.from(latents.buffer, latents.byteOffset, latents.byteLength));
      await fs.promises.writeFile(path.join(partial, LAST_FRAME_FILE), rgbFrames[rgbFrames.length - 1]!);
      let previewVideo: string | null = null;
      if (input.previewVideo !== false) {
        hooks.progress(0.95, 'Encoding preview video');
        await exportVideo(
          { ffmpegPath: this.config.ffmpegPath, ffprobePath: this.config.ffprobePath },
          { framesDir: path.join(partial, FRAMES_DIR), fps, audio: { path: input.songFile, startSec: segmentStartSec }, format: 'mp4', out: path.join(partial, PREVIEW_VIDEO), signal },
        );
        previewVideo = `${takeRel}/${PREVIEW_VIDEO}`;
      }
      const manifest: TakeManifest = {
        version: 1,
        takeId,
        segmentId: input.segmentId,
        packId: input.packId,
        prompt: input.prompt,
        seed: input.seed,
        steps: input.steps,
        guidance: input.guidance,
        startFrame: input.startFrame,
        frames: K,
        fps,
        width: W,
        height: H,
        latentShape: [K, C, h, w],
        previousTakePath: input.previousTakePath,
        qa,
        createdAt: new Date().toISOString(),
      };
      await fs.promises.writeFile(path.join(partial, TAKE_JSON), JSON.stringify(manifest, null, 1));
      throwIfCancelled(signal);
      await fs.promises.rename(partial, finalDir);
      hooks.progress(1, 'Take ready');
      const take: Take = { id: takeId, path: takeRel, createdAt: manifest.createdAt, seed: input.seed, steps: input.steps, guidance: input.guidance, packId: input.packId, stale: false };
      const provider = { selected: runtime.provider, reason: runtime.providerReason };
      return {
        take,
        takeDir: finalDir,
        takeRel,
        framesDir: `${takeRel}/${FRAMES_DIR}`,
        previewVideo,
        frames: K,
        fps,
        qa,
        timings: { totalSec: (performance.now() - started) / 1000, secondsPerStep: stepsSec / input.steps, decodeSec },
        provider,
      };
    } catch (error) {
      await fs.promises.rm(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /** Cooperative cancel stops before the next run; a run that outlives CANCEL_HARD_STOP_MS kills the worker. */
  private async withHardStop<T>(runtime: PackRuntime, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => {
      timer = setTimeout(() => {
        void runtime.kill();
        void this.close();
      }, CANCEL_HARD_STOP_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn();
    } catch (error) {
      if (signal.aborted) throw new StudioError(ErrorCodes.cancelled, 'Cancelled.');
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    }
  }

  async estimate(packId: string, steps: number, segments: number, measure: boolean, signal: AbortSignal) {
    const dir = resolvePackDir(this.config, packId);
    const real = await fs.promises.realpath(dir);
    const selection = await probeProviders();
    let perStep = this.measuredStepSec.get(real) ?? null;
    const runtime = measure || perStep === null ? await this.runtimeFor(dir, signal) : this.runtime!;
    const m = runtime.manifest;
    if (perStep === null && measure) perStep = await this.serial(() => this.measureStep(runtime, signal));
    const measured = perStep !== null;
    const unetBytes = m.files[m.graphs.unet.file]!.bytes;
    // Unmeasured: ~ 0.1 s per MB of UNet weights per CFG step on a 2-core CPU (tiny pack ≈ 0.5 s).
    const secondsPerStep = perStep ?? (unetBytes / 1024 ** 2) * 0.1;
    const { K, latentFrame, H, W } = runtime.shapes;
    const decodeSec = K * secondsPerStep * 0.05;
    const secondsPerSegment = secondsPerStep * steps + decodeSec;
    const graphBytes = Object.values(m.graphs).reduce((sum, g) => sum + (m.files[g.file]?.bytes ?? 0), 0);
    const tensorBytes = 4 * (2 * K * latentFrame * 6 + K * 3 * H * W);
    return {
      packId,
      secondsPerStep,
      measured,
      secondsPerSegment,
      totalSec: secondsPerSegment * segments,
      memoryBytes: graphBytes * 2 + tensorBytes,
      provider: { selected: runtime.provider, reason: runtime.providerReason || selection.selectedReason },
    };
  }

  /** Times one UNet step on zero inputs (the graph's cost does not depend on values). */
  private async measureStep(runtime: PackRuntime, signal: AbortSignal): Promise<number> {
    throwIfCancelled(signal);
    const c = runtime.manifest.config;
    const { K, M, latentFrame } = runtime.shapes;
    const refFeats = Object.fromEntries(runtime.manifest.graphs.reference_net.outputs.map((o) => [o.name, new Float32Array(o.shape.reduce((a, b) => a * b, 1))]));
    const inputs = { latents2: new Float32Array(2 * K * latentFrame), timestep: 500, text2: new Float32Array(2 * 77 * c.textDim), music2: new Float32Array(2 * c.musicTokens * c.audioDim), beat2: new Float32Array(2 * K), motion2: new Float32Array(2 * M * latentFrame), refFeats };
    await runtime.unet(inputs); // warm-up
    const t0 = performance.now();
    await runtime.unet(inputs);
    return (performance.now() - t0) / 1000;
  }

  async takeInfo(projectRoot: string, takeRel: string) {
    const { manifest } = await readTake(projectRoot, takeRel);
    return { takePath: takeRel, qa: manifest.qa, frames: manifest.frames, packId: manifest.packId, prompt: manifest.prompt, startFrame: manifest.startFrame, previousTakePath: manifest.previousTakePath };
  }

  /**
   * The preview monitor's video: the kept takes in order as one silent MP4 with a keyframe on every frame (the
   * monitor seeks to the playhead's frame exactly), cached in `cache/monitor/` by the take list (takes never change).
   */
  async assembleMonitor(projectRoot: string, takePaths: string[], fps: number, hooks: JobHooks): Promise<{ path: string; frames: number; cached: boolean }> {
    const key = createHash('sha256').update(JSON.stringify([fps, takePaths])).digest('hex').slice(0, 24);
    const rel = `cache/monitor/${key}.mp4`;
    const out = path.join(projectRoot, rel);
    let frames = 0;
    for (const takePath of takePaths) frames += (await readTake(projectRoot, takePath)).manifest.frames;
    if (fs.existsSync(out)) return { path: rel, frames, cached: true };
    await fs.promises.mkdir(path.dirname(out), { recursive: true });
    await this.exportTakes({ projectRoot, takePaths, songFile: null, startFrame: 0, fps, out, format: 'mp4', overwrite: true, trimToSong: false, keyframeEvery: 1 }, hooks);
    return { path: rel, frames, cached: false };
  }

  /** Concatenates the takes' frames (in order) into one numbered sequence and exports it with the music. */
  async exportTakes(
    input: {
      projectRoot: string;
      takePaths: string[];
      songFile: string | null;
      startFrame: number;
      fps: number;
      out: string;
      format: 'mp4' | 'webm' | 'gif';
      overwrite: boolean;
      upscale?: 1 | 2 | 3 | 4;
      aspect?: ExportAspect;
      fit?: ExportFit;
      interpolateFps?: 24 | 30 | null;
      /** Stop the video where the song ends (default). */
      trimToSong?: boolean;
      settings?: GenerationSettings;
      /** Monitor video: all-keyframe, silent. */
      keyframeEvery?: number;
    },
    hooks: JobHooks,
  ) {
    // The studio exports into the project's exports/ folder; create it (only) there.
    const outDir = path.dirname(path.resolve(input.out));
    if (outDir === path.join(input.projectRoot, 'exports')) await fs.promises.mkdir(outDir, { recursive: true });
    await fs.promises.mkdir(path.join(input.projectRoot, TAKES_DIR), { recursive: true });
    const staging = await fs.promises.mkdtemp(path.join(input.projectRoot, TAKES_DIR, '.export-'));
    try {
      let n = 0;
      for (const rel of input.takePaths) {
        throwIfCancelled(hooks.signal);
        const { dir, manifest } = await readTake(input.projectRoot, rel);
        for (let k = 1; k <= manifest.frames; k++) {
          const name = `${String(k).padStart(6, '0')}.png`;
          await fs.promises.copyFile(path.join(dir, FRAMES_DIR, name), path.join(staging, `${String(++n).padStart(6, '0')}.png`));
        }
      }
      const tools = { ffmpegPath: this.config.ffmpegPath, ffprobePath: this.config.ffprobePath };
      const startSec = input.startFrame / input.fps;
      let maxDurationSec: number | undefined;
      if (input.songFile && (input.trimToSong ?? true)) {
        const song = await probeMedia(input.songFile, { ...tools, require: 'audio', signal: hooks.signal });
        if (song.durationSec !== null && song.durationSec !== undefined) maxDurationSec = Math.max(1 / input.fps, song.durationSec - startSec);
      }
      const result = await exportVideo(tools, {
        framesDir: staging,
        fps: input.fps,
        ...(input.songFile ? { audio: { path: input.songFile, startSec } } : {}),
        format: input.format,
        out: input.out,
        overwrite: input.overwrite,
        upscale: input.upscale,
        aspect: input.aspect,
        fit: input.fit,
        ...(input.interpolateFps ? { interpolateFps: input.interpolateFps } : {}),
        ...(maxDurationSec !== undefined ? { maxDurationSec } : {}),
        ...(input.settings ? { settings: input.settings } : {}),
        ...(input.keyframeEvery ? { keyframeEvery: input.keyframeEvery } : {}),
        signal: hooks.signal,
        onProgress: (f, msg) => hooks.progress(f, msg),
      });
      return { out: result.out, frames: result.frames, durationSec: result.durationSec, sizeBytes: result.sizeBytes, width: result.width, height: result.height, hasAudio: result.hasAudio, settingsStored: result.settingsStored };
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
    }
  }
}

export { resolveInProject };
