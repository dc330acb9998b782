/**
 * The beat network's input (issue 22): the analysis service's own mel spectrogram (`OnsetStream`: sr 22050,
 * periodic Hann, FFT_SIZE, HOP_SAMPLES, MEL_BANDS Slaney mels), one implementation for training and the studio.
 * The training corpus goes through exactly this code (`scripts/beat-features.ts` writes these frames to disk for
 * `native-models`), so the network never sees features computed any other way.
 *
 * Normalisation is fixed and per frame: x = (max(10·log10(melPower), FLOOR_DB) - OFFSET_DB) / SCALE_DB. Nothing
 * depends on other frames (the onset envelope's "relative to the loudest frame so far" would make a frame's
 * value depend on the song's history, which a network cannot be trained for). Loudness invariance is learned
 * from the corpus's random gains instead.
 */
import { ANALYSIS_SAMPLE_RATE, FFT_SIZE, HOP_SAMPLES, MEL_BANDS } from '../analysis-params';
import { OnsetStream, type OnsetFeatures } from '../onset-stream';

export const BEAT_NET_FEATURES = {
  sampleRate: ANALYSIS_SAMPLE_RATE,
  fftSize: FFT_SIZE,
  hopSamples: HOP_SAMPLES,
  melBands: MEL_BANDS,
  fps: ANALYSIS_SAMPLE_RATE / HOP_SAMPLES,
  /** Mel power below this (dB) reads as this: codec noise and dither look the same as digital silence. */
  floorDb: -60,
  offsetDb: -20,
  scaleDb: 20,
  version: 1,
} as const;

const DB_PER_LN = 10 / Math.LN10;
const MIN_POWER = 10 ** (BEAT_NET_FEATURES.floorDb / 10);

/** One frame of mel power -> network input, written to out[offset .. offset + melBands). */
export function normaliseMelFrame(melPower: ArrayLike<number>, out: Float32Array, offset: number): void {
  const { offsetDb, scaleDb } = BEAT_NET_FEATURES;
  for (let m = 0; m < melPower.length; m++) {
    const p = melPower[m]!;
    out[offset + m] = (DB_PER_LN * Math.log(p > MIN_POWER ? p : MIN_POWER) - offsetDb) / scaleDb;
  }
}

/**
 * Receives mel frames from an `OnsetStream` (pass `sink.onMelFrame` to its constructor) and hands them on in
 * blocks of `blockFrames` frames ([frames, melBands] row-major float32), so a caller can run the network while
 * decoding continues and never holds the whole song's spectrogram.
 */
export class MelFrameBlocks {
  private block: Float32Array;
  private filled = 0;
  frames = 0;

  constructor(
    private readonly blockFrames: number,
    private readonly onBlock: (block: Float32Array, firstFrame: number) => void,
  ) {
    this.block = new Float32Array(blockFrames * MEL_BANDS);
  }

  readonly onMelFrame = (melPower: Float64Array): void => {
    normaliseMelFrame(melPower, this.block, this.filled * MEL_BANDS);
    this.filled++;
    this.frames++;
    if (this.filled === this.blockFrames) this.flush();
  };

  /** Hands on what is left (a shorter last block). */
  flush(): void {
    if (this.filled === 0) return;
    const out = this.filled === this.blockFrames ? this.block : this.block.slice(0, this.filled * MEL_BANDS);
    this.onBlock(out, this.frames - this.filled);
    this.block = new Float32Array(this.blockFrames * MEL_BANDS);
    this.filled = 0;
  }
}

export interface BeatNetFeatures {
  /** [frames, melBands] row-major; frame t is centred at t * hopSamples / sampleRate seconds. */
  mel: Float32Array;
  frames: number;
  onsets: OnsetFeatures;
}

/**
 * Whole-signal features for short audio (tests, the batch script for the corpus). The frame count equals the
 * onset envelope's (floor(samples / hop) + 1), so activations and the envelope index the same frames.
 */
export function beatNetFeatures(pcm: Float32Array, chunkSamples = 65_536): BeatNetFeatures {
  const blocks: Float32Array[] = [];
  const sink = new MelFrameBlocks(4096, (b) => blocks.push(b.slice()));
  const stream = new OnsetStream(sink.onMelFrame);
  for (let i = 0; i < pcm.length; i += chunkSamples) stream.push(pcm.subarray(i, Math.min(pcm.length, i + chunkSamples)));
  const onsets = stream.finish();
  sink.flush();
  const frames = onsets.onsetEnvelope.length;
  const mel = new Float32Array(frames * MEL_BANDS).fill((BEAT_NET_FEATURES.floorDb - BEAT_NET_FEATURES.offsetDb) / BEAT_NET_FEATURES.scaleDb);
  let at = 0;
  for (const b of blocks) {
    const n = Math.min(b.length, mel.length - at);
    if (n <= 0) break;
    mel.set(b.subarray(0, n), at);
    at += n;
  }
  return { mel, frames, onsets };
}
