/**
 * One audio file -> features + beats with the chosen tracker, in one streamed decode: the single path behind
 * `beats.analyse`, `detectBeats` (training data, CLI) and the benchmark, so every caller gets the same beats.
 *   dp:  onset envelope -> `track-beats.ts` (tempogram + dynamic programming; no bars).
 *   net: the same pass also hands its mel frames to the beat network (`beat-net/`), whose beat and downbeat
 *        activations `track-beats-net.ts` decodes with the bar-pointer DBN (bars, meter).
 * When the network cannot run (model missing or broken): asked for explicitly -> a clear error; by default ->
 * the DP tracker, with a note saying so (returned, shown by the CLI and the studio: never silent).
 */
import type { BeatTracker } from '../../shared/domain/beat-analysis';
import { StudioError } from '../../shared/result';
import { extractFeatures, type FileFeatures } from './extract-features';
import { trackBeats, type BeatTrack } from './track-beats';
import { trackBeatsNet, type NetActivations } from './track-beats-net';

/**
 * The tracker used when a caller does not choose. `net` once the network beats the DP tracker on the hard clips
 * (`npm run bench -- beats` prints both side by side).
 */
export const DEFAULT_BEAT_TRACKER: BeatTracker = 'dp';

export const BEATS_NET_UNAVAILABLE = 'BEATS_NET_UNAVAILABLE';

/** A loaded beat network (`beat-net-loader.ts` wraps `beat-net/inference.ts`). */
export interface BeatNetSource {
  /** Identifies the model (e.g. its file hash): analyses are cached per model. */
  readonly id: string;
  /** One song: takes every STFT frame's mel power as the decoder produces it (`extractFeatures`' single pass), then
   * returns the activations for `frames` frames (the onset envelope's count) at the analysis frame rate. */
  start(): BeatNetSong;
  /** Ends the network's worker thread. */
  stop?(): Promise<void>;
}
export interface BeatNetSong {
  onMelFrame(melPower: Float64Array): void;
  finish(frames: number, signal?: AbortSignal): Promise<NetActivations>;
}
/** Loads the network, or throws StudioError(BEATS_NET_UNAVAILABLE) saying why it cannot. */
export type BeatNetLoader = () => Promise<BeatNetSource>;

export interface PipelineOptions {
  ffmpegPath: string;
  signal?: AbortSignal;
  onProgress?(decodedSec: number, durationSec: number | null): void;
  /** Absent = DEFAULT_BEAT_TRACKER, with a DP fallback when the network cannot run. */
  tracker?: BeatTracker;
  loadBeatNet?: BeatNetLoader;
}

export interface PipelineResult {
  features: FileFeatures;
  track: BeatTrack;
  /** The tracker that found the beats. */
  tracker: BeatTracker;
  /** Model id when the network ran. */
  modelId?: string;
  /** Why the tracker differs from the one asked for (the default's fallback). */
  note?: string;
}

const unavailable = (why: string) => new StudioError(BEATS_NET_UNAVAILABLE, `The beat network cannot run: ${why}`);

export const rmsOf = (f: { sumSquares: number; sampleCount: number }) => (f.sampleCount > 0 ? Math.sqrt(f.sumSquares / f.sampleCount) : 0);

export interface ResolvedTracker {
  runner: BeatNetSource | null;
  /** Why the default fell back to DP (absent when the asked-for tracker runs). */
  note?: string;
  /** The caller named the net tracker: a network failure is then an error, not a fallback. */
  explicit: boolean;
}

/** Loads the network when the net tracker is wanted; a failure throws when asked for by name, else falls back with a note. */
export async function resolveTracker(asked: BeatTracker | undefined, loadBeatNet: BeatNetLoader | undefined, defaultTracker: BeatTracker = DEFAULT_BEAT_TRACKER): Promise<ResolvedTracker> {
  if ((asked ?? defaultTracker) !== 'net') return { runner: null, explicit: asked === 'net' };
  try {
    if (!loadBeatNet) throw unavailable('no model is configured.');
    return { runner: await loadBeatNet(), explicit: asked === 'net' };
  } catch (error) {
    return { runner: null, note: fallbackNote(error, asked === 'net'), explicit: asked === 'net' };
  }
}

function fallbackNote(error: unknown, explicit: boolean): string {
  const studioError = error instanceof StudioError ? error : unavailable(`the model failed (${(error as Error).message}).`);
  // Asked for by name: the caller must hear that it did not run. By default: fall back, and say so.
  if (explicit) throw studioError;
  return `${studioError.message} Used the DP beat tracker instead (no bars).`;
}

export async function analyseAudioFile(file: string, options: PipelineOptions & { resolved?: ResolvedTracker }): Promise<PipelineResult> {
  const resolved = options.resolved ?? (await resolveTracker(options.tracker, options.loadBeatNet));
  const { runner } = resolved;
  let note = resolved.note;
  // The network reads the same pass's mel frames (no second decode of the audio).
  let song: BeatNetSong | null = null;
  try {
    song = runner ? runner.start() : null;
  } catch (error) {
    note = fallbackNote(error, resolved.explicit);
  }
  const features = await extractFeatures(file, { ffmpegPath: options.ffmpegPath, signal: options.signal, onProgress: options.onProgress, onMelFrame: song?.onMelFrame.bind(song) });
  const rms = rmsOf(features);
  const dp = () => trackBeats({ onsetEnvelope: features.onsetEnvelope, frameRms: features.frameRms, rms });
  if (!runner || !song) return { features, track: dp(), tracker: 'dp', note };

  let activations: NetActivations;
  try {
    activations = await song.finish(features.onsetEnvelope.length, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    note = fallbackNote(error, resolved.explicit);
    return { features, track: dp(), tracker: 'dp', note };
  }
  const track = trackBeatsNet({ activations, onsetEnvelope: features.onsetEnvelope, frameRms: features.frameRms, rms });
  return { features, track, tracker: 'net', modelId: runner.id };
}
