/**
 * Kaldi log-mel filterbank as `torchaudio.compliance.kaldi.fbank` computes it with the options PACK.md fixes
 * for the audio encoder (AST's feature extractor): 16 kHz, 25 ms Hann (symmetric, torch.hann_window
 * periodic=False) window, 10 ms hop, snip_edges, DC offset removed per frame, pre-emphasis 0.97, FFT padded to
 * a power of two, power spectrum, 128 triangular mel bins from 20 Hz to Nyquist on Kaldi's mel scale
 * (1127 ln(1 + f/700)), log clamped at float32 epsilon, no dither, no energy term.
 * Then `toAudioEncoderInput` pads with 0 / truncates to the pack's frame count and applies AST's normalisation.
 * Arithmetic is float64 (torch uses float32), which keeps us well inside the golden tolerance.
 */
import FFT from 'fft.js';

export interface FbankOptions {
  sampleRateHz: number;
  numMelBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
}

const PREEMPHASIS = 0.97;
const LOW_FREQ_HZ = 20;
const FLOAT32_EPS = 1.1920928955078125e-7;

const melScale = (hz: number) => 1127 * Math.log(1 + hz / 700);

/** Triangular mel weights [numBins][fftBins/2 + 1] as Kaldi's get_mel_banks builds them (last column zero). */
function melBanks(numBins: number, paddedWindow: number, sampleRateHz: number): Float64Array[] {
  const numFftBins = paddedWindow / 2;
  const binWidthHz = sampleRateHz / paddedWindow;
  const melLow = melScale(LOW_FREQ_HZ);
  const melHigh = melScale(sampleRateHz / 2);
  const delta = (melHigh - melLow) / (numBins + 1);
  const banks: Float64Array[] = [];
  for (let b = 0; b < numBins; b++) {
    const left = melLow + b * delta;
    const centre = left + delta;
    const right = centre + delta;
    const row = new Float64Array(numFftBins + 1);
    for (let i = 0; i < numFftBins; i++) {
      const mel = melScale(binWidthHz * i);
      const up = (mel - left) / (centre - left);
      const down = (right - mel) / (right - centre);
      row[i] = Math.max(0, Math.min(up, down));
    }
    banks.push(row);
  }
  return banks;
}

/** Raw log-mel fbank: frames x numMelBins, row-major. */
export function kaldiFbank(wave: Float32Array, options: FbankOptions): { data: Float32Array; frames: number } {
  const windowSize = Math.round((options.sampleRateHz * options.frameLengthMs) / 1000);
  const shift = Math.round((options.sampleRateHz * options.frameShiftMs) / 1000);
  let padded = 1;
  while (padded < windowSize) padded <<= 1;
  const frames = wave.length < windowSize ? 0 : 1 + Math.floor((wave.length - windowSize) / shift);
  const window = new Float64Array(windowSize);
  for (let i = 0; i < windowSize; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (windowSize - 1));
  const banks = melBanks(options.numMelBins, padded, options.sampleRateHz);
  const out = new Float32Array(frames * options.numMelBins);
  const frame = new Float64Array(windowSize);
  const fft = new FFT(padded); // the same FFT the beat analysis uses (fft.js, radix-4)
  const input = new Float64Array(padded);
  const spectrum = new Float64Array(padded * 2); // interleaved re, im
  const power = new Float64Array(padded / 2 + 1);
  for (let f = 0; f < frames; f++) {
    const offset = f * shift;
    let mean = 0;
    for (let i = 0; i < windowSize; i++) mean += wave[offset + i]!;
    mean /= windowSize;
    for (let i = 0; i < windowSize; i++) frame[i] = wave[offset + i]! - mean;
    for (let i = windowSize - 1; i >= 0; i--) {
      const previous = i > 0 ? frame[i - 1]! : frame[0]!;
      input[i] = (frame[i]! - PREEMPHASIS * previous) * window[i]!;
    }
    // input[windowSize..padded) stays 0: the zero padding.
    fft.realTransform(spectrum, input);
    for (let k = 0; k < power.length; k++) power[k] = spectrum[2 * k]! * spectrum[2 * k]! + spectrum[2 * k + 1]! * spectrum[2 * k + 1]!;
    for (let b = 0; b < options.numMelBins; b++) {
      const weights = banks[b]!;
      let energy = 0;
      for (let k = 0; k < power.length; k++) energy += power[k]! * weights[k]!;
      out[f * options.numMelBins + b] = Math.log(Math.max(energy, FLOAT32_EPS));
    }
  }
  return { data: out, frames };
}

/** Pad (with 0.0, at the end) or truncate to `targetFrames`, then `(x - mean) / (2 * std)` (AST). */
export function toAudioEncoderInput(raw: { data: Float32Array; frames: number }, numMelBins: number, targetFrames: number, normMean: number, normStd: number): Float32Array {
  const out = new Float32Array(targetFrames * numMelBins);
  const copyFrames = Math.min(targetFrames, raw.frames);
  out.set(raw.data.subarray(0, copyFrames * numMelBins));
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - normMean) / (2 * normStd);
  return out;
}

/** The segment's audio slice (PACK.md "Audio"): start rounded to a sample, zeros past the end of the song. */
export function segmentSamples(song16k: Float32Array, segmentStartSec: number, sampleRateHz: number, lengthSamples: number): Float32Array {
  const start = Math.round(segmentStartSec * sampleRateHz);
  const out = new Float32Array(lengthSamples);
  if (start < song16k.length) out.set(song16k.subarray(Math.max(0, start), Math.min(song16k.length, start + lengthSamples)));
  return out;
}
