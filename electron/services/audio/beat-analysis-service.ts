/**
 * The music analysis service: file -> BeatAnalysis (tempo, beats, confidence, onsets, alternatives, peaks),
 * cached per file content; peaks windows for zoomed views; region re-detection around anchored beats.
 * Plain Node (no electron): used by the IPC handlers, the browser host and the CLI alike.
 */
import path from 'node:path';
import type { BeatAnalysis, BeatTracker, PeakLevel as PeakLevelDto } from '../../shared/domain/beat-analysis';
import { ErrorCodes, StudioError } from '../../shared/result';
import { AnalysisCache, peakLevelSizes } from './analysis-cache';
import { ANALYSIS_SAMPLE_RATE, ANALYSIS_VERSION, FRAME_RATE } from './analysis-params';
import { analyseAudioFile, resolveTracker, type BeatNetLoader } from './beat-pipeline';
import { sha256OfFile } from './file-hash';
import { AudioErrorCodes } from './pcm-decoder';
import { trackBeats } from './track-beats';
import type { PeakLevel } from './waveform-peaks';
import { probeMedia } from '../media/index';
import { checkRegularFile } from '../util/safe-open';
import { boundBeatsPerSecond } from './beat-plausibility';

/** Peak levels with at most this many pairs travel inside `beats.analyse`; finer ones via `beats.peaks`. */
export const OVERVIEW_MAX_PEAKS = 16_384;
/** Largest window `beats.peaks` returns (pairs): keeps one reply far below the 8 MB wire limit. */
export const PEAKS_WINDOW_MAX = 65_536;

export interface AnalyseOptions {
  signal?: AbortSignal;
  /** fraction 0..1, message. */
  onProgress?(fraction: number | null, message: string): void;
  refresh?: boolean;
  /** Absent = the default tracker (falls back to DP with a `trackerNote` when the network cannot run). */
  tracker?: BeatTracker;
}

const toDto = (level: PeakLevel, startPeak = 0, endPeak = level.minMax.length / 2): PeakLevelDto => {
  const minMax = Array.from(level.minMax.subarray(startPeak * 2, endPeak * 2));
  return { samplesPerPeak: level.samplesPerPeak, startPeak, minMax };
};

/** Progress at most every PROGRESS_MIN_INTERVAL_MS (start and end always pass): decode chunks are ~tiny. */
const PROGRESS_MIN_INTERVAL_MS = 200;
function throttleProgress(report?: AnalyseOptions['onProgress']): AnalyseOptions['onProgress'] {
  if (!report) return undefined;
  let lastMs = -Infinity;
  return (fraction, message) => {
    const now = Date.now();
    if (fraction !== 0 && fraction !== 1 && now - lastMs < PROGRESS_MIN_INTERVAL_MS) return;
    lastMs = now;
    report(fraction, message);
  };
}

export class BeatAnalysisService {
  private readonly cache: AnalysisCache;

  constructor(private readonly options: { ffmpegPath: string; cacheDir: string; ffprobePath?: string; loadBeatNet?: BeatNetLoader }) {
    this.cache = new AnalysisCache(options.cacheDir);
  }

  static cacheDirFor(dataDir: string): string {
    return path.join(dataDir, 'cache', 'beats');
  }

  async analyse(file: string, options: AnalyseOptions = {}): Promise<BeatAnalysis> {
    const { signal } = options;
    const onProgress = throttleProgress(options.onProgress);
    const abs = path.resolve(file);
    onProgress?.(0, 'Reading file');
    const sha = await this.hash(abs, signal);
    const resolved = await resolveTracker(options.tracker, this.options.loadBeatNet);
    // Each tracker's (and model's) result is cached apart; the peaks and onsets are shared.
    const variant = resolved.runner ? `net-${resolved.runner.id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32)}` : '';
    const withNote = (a: BeatAnalysis): BeatAnalysis => (resolved.note ? { ...a, trackerNote: resolved.note } : a);
    if (!options.refresh) {
      const cached = await this.cache.readAnalysis(sha, variant);
      if (cached) {
        onProgress?.(1, 'Loaded from cache');
        return withNote(cached);
      }
    }
    await this.checkWhole(abs, signal);
    onProgress?.(0.02, 'Decoding audio');
    const run = await analyseAudioFile(abs, {
      ffmpegPath: this.options.ffmpegPath,
      signal,
      resolved,
      onProgress: (decodedSec, durationSec) => onProgress?.(durationSec ? 0.02 + 0.93 * Math.min(1, decodedSec / durationSec) : null, `Decoded ${decodedSec.toFixed(0)} s`),
    });
    const { features } = run;
    // No tracker may return more beats than the audio can hold at its tempo (beat-plausibility).
    const track = boundBeatsPerSecond(run.track, features.durationSec);
    if (signal?.aborted) throw new StudioError(ErrorCodes.cancelled, 'Cancelled.');
    if (features.sampleCount === 0) throw new StudioError(AudioErrorCodes.noAudioStream, `${abs} contains no audio samples.`);
    onProgress?.(0.96, 'Tracking beats');
    const overview = features.peaks.filter((l) => l.minMax.length / 2 <= OVERVIEW_MAX_PEAKS);
    const analysis: BeatAnalysis = {
      sha256: sha,
      durationSec: Math.round(features.durationSec * 1000) / 1000,
      tempoBpm: track.tempoBpm,
      beatTimesSec: track.beatTimesSec,
      beatConfidence: track.beatConfidence,
      confidence: track.confidence,
      onsetTimesSec: track.onsetTimesSec,
      alternatives: { half: track.halfBeatTimesSec, double: track.doubleBeatTimesSec },
      tempoCurveBpm: track.tempoCurveBpm,
      tempoCurveStepSec: track.tempoCurveStepSec,
      silent: track.silent,
      tracker: run.tracker,
      bars: track.beatsPerBar && track.beatInBar && track.barOfBeat ? { beatsPerBar: track.beatsPerBar, beatInBar: track.beatInBar, barOfBeat: track.barOfBeat } : null,
      peaks: {
        sampleRate: ANALYSIS_SAMPLE_RATE,
        sampleCount: features.sampleCount,
        availableSamplesPerPeak: features.peaks.map((l) => l.samplesPerPeak),
        levels: (overview.length ? overview : features.peaks.slice(-1)).map((l) => toDto(l)),
      },
      version: ANALYSIS_VERSION,
    };
    try {
      await this.cache.write(sha, analysis, features.peaks, features, variant);
    } catch {
      // A read-only or full disk only costs speed next time; the analysis itself is fine.
    }
    onProgress?.(1, 'Done');
    return withNote(analysis);
  }

  async peaks(file: string, request: { samplesPerPeak: number; startSec: number; endSec: number }, options: AnalyseOptions = {}): Promise<{ sampleRate: number; level: PeakLevelDto }> {
    const analysis = await this.analyse(file, options);
    const available = analysis.peaks.availableSamplesPerPeak;
    // The coarsest level that is at least as fine as asked (or the finest we have).
    const spp = [...available].reverse().find((s) => s <= request.samplesPerPeak) ?? available[0]!;
    const level = await this.cache.readPeakLevel(analysis.sha256, analysis.peaks.sampleCount, spp);
    if (!level) throw new StudioError('AUDIO_CACHE_UNAVAILABLE', 'Waveform peaks are not cached (is the data folder writable?); analyse the song again.');
    const total = peakLevelSizes(analysis.peaks.sampleCount).find((s) => s.samplesPerPeak === spp)!.pairs;
    const start = Math.min(total, Math.floor((request.startSec * ANALYSIS_SAMPLE_RATE) / spp));
    const end = Math.min(total, start + PEAKS_WINDOW_MAX, Math.ceil((request.endSec * ANALYSIS_SAMPLE_RATE) / spp));
    return { sampleRate: ANALYSIS_SAMPLE_RATE, level: toDto(level, start, end) };
  }

  async redetect(
    file: string,
    request: { startSec: number; endSec: number; anchoredSec: number[]; tempoBpm?: number },
    options: AnalyseOptions = {},
  ): Promise<{ beatTimesSec: number[]; beatConfidence: number[]; tempoBpm: number }> {
    const analysis = await this.analyse(file, options);
    let signals = await this.cache.readSignals(analysis.sha256);
    if (!signals) {
      await this.analyse(file, { ...options, refresh: true });
      signals = await this.cache.readSignals(analysis.sha256);
      if (!signals) throw new StudioError('AUDIO_CACHE_UNAVAILABLE', 'Onset data is not cached (is the data folder writable?).');
    }
    if (request.startSec >= analysis.durationSec) return { beatTimesSec: [], beatConfidence: [], tempoBpm: 0 };
    // Track a little beyond the region so its edges have context, then keep the region's beats only.
    const contextSec = 2;
    const first = Math.max(0, Math.floor((request.startSec - contextSec) * FRAME_RATE));
    const last = Math.min(signals.onsetEnvelope.length, Math.ceil((Math.min(request.endSec, analysis.durationSec) + contextSec) * FRAME_RATE));
    const env = signals.onsetEnvelope.slice(first, last);
    const frameRms = signals.frameRms.slice(first, last);
    let sq = 0;
    for (let i = 0; i < frameRms.length; i++) sq += frameRms[i]! ** 2;
    const shiftSec = first / FRAME_RATE;
    const inRegion = (t: number) => t >= request.startSec && t <= request.endSec;
    const track = trackBeats(
      { onsetEnvelope: env, frameRms, rms: Math.sqrt(sq / Math.max(1, frameRms.length)) },
      { tempoBpm: request.tempoBpm, anchoredSec: request.anchoredSec.filter(inRegion).map((t) => t - shiftSec) },
    );
    const beats = track.beatTimesSec.map((t, i) => ({ t: Math.round((t + shiftSec) * 1000) / 1000, c: track.beatConfidence[i]! })).filter((b) => inRegion(b.t));
    // Anchors keep their exact time (the rounding above is only for detected beats).
    for (const a of request.anchoredSec.filter(inRegion)) {
      const near = beats.findIndex((b) => Math.abs(b.t - a) < 0.002);
      if (near >= 0) beats[near] = { t: a, c: 1 };
      else beats.push({ t: a, c: 1 });
    }
    beats.sort((x, y) => x.t - y.t);
    return { beatTimesSec: beats.map((b) => b.t), beatConfidence: beats.map((b) => b.c), tempoBpm: track.tempoBpm };
  }

  /**
   * The same verdict `probe` and `import` give (one home): a file cut short or whose header claims more audio
   * than it holds is refused as MEDIA_TRUNCATED instead of yielding beats for whatever decodes. Other refusals
   * keep the audio codes callers know.
   */
  private async checkWhole(file: string, signal?: AbortSignal): Promise<void> {
    const ffprobePath = this.options.ffprobePath ?? path.join(path.dirname(this.options.ffmpegPath), path.basename(this.options.ffmpegPath).replace(/ffmpeg/i, 'ffprobe'));
    try {
      await probeMedia(file, { ffmpegPath: this.options.ffmpegPath, ffprobePath, require: 'audio', signal });
    } catch (error) {
      if (!(error instanceof StudioError) || signal?.aborted) throw error;
      if (error.code === 'MEDIA_TRUNCATED' || error.code === 'MEDIA_FFMPEG_MISSING' || error.code === ErrorCodes.cancelled) throw error;
      if (error.code === 'MEDIA_NO_AUDIO_STREAM') throw new StudioError(AudioErrorCodes.noAudioStream, error.message);
      throw new StudioError(AudioErrorCodes.unreadable, error.message);
    }
  }

  private async hash(file: string, signal?: AbortSignal): Promise<string> {
    try {
      // Only regular files, checked before opening: reading a FIFO or a device would block or never end.
      await checkRegularFile(file, { label: file, refuseEmpty: true, codes: { notFound: AudioErrorCodes.notFound, notAFile: AudioErrorCodes.notAFile, empty: AudioErrorCodes.unreadable, unreadable: AudioErrorCodes.unreadable } });
      return await sha256OfFile(file, signal);
    } catch (error) {
      if (error instanceof StudioError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StudioError(AudioErrorCodes.notFound, `${file} does not exist.`);
      if (code === 'EISDIR') throw new StudioError(AudioErrorCodes.notAFile, `${file} is a folder, not an audio file.`);
      throw new StudioError(AudioErrorCodes.unreadable, `Cannot read ${file}: ${(error as Error).message}`);
    }
  }
}
