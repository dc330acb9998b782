/**
 * Streaming onset-strength extractor: PCM chunks in, one onset value (log-mel spectral flux, as librosa's
 * `onset_strength`) and one RMS value per hop out. Holds only one FFT window of audio, so memory does not grow
 * with the length of the song (a 60-minute file keeps ~155k frames of two floats each).
 */
import FFT from 'fft.js';
import { applyMel, melFilterbank, type MelFilterbank } from './mel-filterbank';
import { ANALYSIS_SAMPLE_RATE, FFT_SIZE, HOP_SAMPLES, MEL_BANDS } from './analysis-params';

/** Dynamic range kept by the log-mel spectrogram (librosa's `top_db`), relative to the loudest frame so far. */
const TOP_DB = 80;
/** Absolute floor of mel power in dB: keeps dither and codec noise in near-silence from producing flux. */
const ABS_FLOOR_DB = -40;
/** Flux at spectrum frame c describes an onset ~2 hops later (the onset enters the right edge of the centred
 * window first); librosa shifts by n_fft / (2 hop) frames for the same reason. */
/** 10 * log10(x) = DB_PER_LN * ln(x). */
const DB_PER_LN = 10 / Math.LN10;
const ENVELOPE_DELAY_FRAMES = FFT_SIZE / (2 * HOP_SAMPLES);

/** Growable Float32 list (the envelope of a song of unknown length). */
export class FloatList {
  private data = new Float32Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

export interface OnsetFeatures {
  /** Onset strength per frame; frame t is at t * HOP_SAMPLES / sampleRate seconds. */
  onsetEnvelope: Float32Array;
  /** RMS (linear, full scale = 1) of the audio around each frame. */
  frameRms: Float32Array;
  sampleCount: number;
  sumSquares: number;
}

export class OnsetStream {
  private readonly fft = new FFT(FFT_SIZE);
  private readonly window = new Float64Array(FFT_SIZE);
  private readonly fb: MelFilterbank = melFilterbank(ANALYSIS_SAMPLE_RATE, FFT_SIZE, MEL_BANDS);
  private readonly frameIn = new Float64Array(FFT_SIZE);
  private readonly spectrum: Float64Array = new Float64Array(FFT_SIZE * 2);
  private readonly power = new Float64Array(FFT_SIZE / 2 + 1);
  private readonly mel = new Float64Array(MEL_BANDS);
  private prevDb: Float64Array<ArrayBuffer> | null = null;
  private curDb: Float64Array<ArrayBuffer> = new Float64Array(MEL_BANDS);
  /** Audio not yet consumed by a frame; starts with half a window of zeros so frame 0 is centred on t = 0. */
  private buffer = new Float32Array(FFT_SIZE * 4);
  private buffered = FFT_SIZE / 2;
  private maxDb = -Infinity;
  private readonly env = new FloatList();
  private readonly rms = new FloatList();
  private samples = 0;
  private sumSq = 0;

  /**
   * @param onMelFrame called with each STFT frame's mel power spectrum (before dB), frame c centred at
   * c * HOP_SAMPLES; the array is reused, valid only during the call. The beat network's input comes from here
   * (`beat-net/features.ts`), so the onset envelope and the network read one spectrogram computed once.
   */
  constructor(private readonly onMelFrame?: (melPower: Float64Array) => void) {
    for (let i = 0; i < FFT_SIZE; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FFT_SIZE); // periodic Hann
    for (let i = 0; i < ENVELOPE_DELAY_FRAMES; i++) this.env.push(0);
  }

  push(chunk: Float32Array): void {
    for (let i = 0; i < chunk.length; i++) this.sumSq += chunk[i]! * chunk[i]!;
    this.samples += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.buffer.length - this.buffered);
      this.buffer.set(chunk.subarray(offset, offset + take), this.buffered);
      this.buffered += take;
      offset += take;
      this.drainFrames();
    }
  }

  /** Pads the tail with half a window of zeros (like a centred STFT) and returns the features. */
  finish(): OnsetFeatures {
    const tail = Math.min(FFT_SIZE / 2, this.buffer.length - this.buffered);
    this.buffer.fill(0, this.buffered, this.buffered + tail);
    this.buffered += tail;
    this.drainFrames();
    const frames = Math.floor(this.samples / HOP_SAMPLES) + 1;
    const env = this.env.toArray();
    const onsetEnvelope = new Float32Array(frames);
    onsetEnvelope.set(env.subarray(0, Math.min(frames, env.length)));
    const rmsAll = this.rms.toArray();
    const frameRms = new Float32Array(frames);
    frameRms.set(rmsAll.subarray(0, Math.min(frames, rmsAll.length)));
    return { onsetEnvelope, frameRms, sampleCount: this.samples, sumSquares: this.sumSq };
  }

  private drainFrames(): void {
    let start = 0;
    while (this.buffered - start >= FFT_SIZE) {
      this.frame(this.buffer, start);
      start += HOP_SAMPLES;
    }
    if (start > 0) {
      this.buffer.copyWithin(0, start, this.buffered);
      this.buffered -= start;
    }
  }

  private frame(buf: Float32Array, start: number): void {
    const x = this.frameIn;
    let sq = 0;
    for (let i = 0; i < FFT_SIZE; i++) {
      const s = buf[start + i]!;
      sq += s * s;
      x[i] = s * this.window[i]!;
    }
    this.rms.push(Math.sqrt(sq / FFT_SIZE));
    this.fft.realTransform(this.spectrum, x);
    const sp = this.spectrum;
    const p = this.power;
    for (let k = 0; k <= FFT_SIZE / 2; k++) p[k] = sp[2 * k]! * sp[2 * k]! + sp[2 * k + 1]! * sp[2 * k + 1]!;
    applyMel(this.fb, p, this.mel);
    this.onMelFrame?.(this.mel);
    const db = this.curDb;
    let frameMax = -Infinity;
    for (let m = 0; m < MEL_BANDS; m++) {
      const melPower = this.mel[m]!;
      const v = DB_PER_LN * Math.log(melPower > 1e-10 ? melPower : 1e-10);
      db[m] = v;
      if (v > frameMax) frameMax = v;
    }
    if (frameMax > this.maxDb) this.maxDb = frameMax;
    const floor = Math.max(this.maxDb - TOP_DB, ABS_FLOOR_DB);
    for (let m = 0; m < MEL_BANDS; m++) if (db[m]! < floor) db[m] = floor;
    const prev = this.prevDb;
    if (prev) {
      // Spectral flux against a 3-band maximum of the previous frame (SuperFlux): vibrato and slow glides move
      // energy between neighbouring bands without producing flux, while real onsets still do.
      let flux = 0;
      for (let m = 0; m < MEL_BANDS; m++) {
        let ref = prev[m]!;
        if (m > 0 && prev[m - 1]! > ref) ref = prev[m - 1]!;
        if (m + 1 < MEL_BANDS && prev[m + 1]! > ref) ref = prev[m + 1]!;
        const d = db[m]! - ref;
        if (d > 0) flux += d;
      }
      this.env.push(flux / MEL_BANDS);
      this.curDb = prev;
    } else {
      this.env.push(0);
      this.curDb = new Float64Array(MEL_BANDS);
    }
    this.prevDb = db;
  }
}
