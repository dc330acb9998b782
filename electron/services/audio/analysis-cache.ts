/**
 * On-disk cache of analyses, keyed by file content hash and analysis version:
 *   <dir>/<sha256>.v<N>.json     the BeatAnalysis (with overview peaks)
 *   <dir>/<sha256>.v<N>.peaks    every peak level, int8 min/max pairs, finest first
 *   <dir>/<sha256>.v<N>.onsets   onset envelope + frame RMS (float32), for `beats.redetect` without decoding
 * Files are written to a temporary name and renamed, so a crash never leaves a half-written entry; an entry
 * that fails to parse is treated as missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BeatAnalysis } from '../../shared/domain/beat-analysis';
import { ANALYSIS_VERSION, PEAKS_BASE_SAMPLES, PEAKS_LEVEL_FACTOR, PEAKS_LEVELS } from './analysis-params';
import type { PeakLevel } from './waveform-peaks';

export interface CachedSignals {
  onsetEnvelope: Float32Array;
  frameRms: Float32Array;
}

export class AnalysisCache {
  constructor(readonly dir: string) {}

  private base(sha: string): string {
    return path.join(this.dir, `${sha}.v${ANALYSIS_VERSION}`);
  }

  /** `variant` names the tracker's result ('' = the DP tracker's, the original file name; e.g. `net-<model id>`). */
  async readAnalysis(sha: string, variant = ''): Promise<BeatAnalysis | null> {
    try {
      const parsed = BeatAnalysis.safeParse(JSON.parse(await fs.promises.readFile(this.base(sha) + (variant ? `.${variant}` : '') + '.json', 'utf8')));
      return parsed.success && parsed.data.version === ANALYSIS_VERSION ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async write(sha: string, analysis: BeatAnalysis, peaks: PeakLevel[], signals: CachedSignals, variant = ''): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const base = this.base(sha);
    const peakBytes = Buffer.concat(peaks.map((l) => Buffer.from(l.minMax.buffer, l.minMax.byteOffset, l.minMax.byteLength)));
    const n = signals.onsetEnvelope.length;
    const sig = new Float32Array(1 + 2 * n);
    sig[0] = n;
    sig.set(signals.onsetEnvelope, 1);
    sig.set(signals.frameRms.subarray(0, n), 1 + n);
    // Data files first, the JSON last: a reader that finds the JSON finds the rest.
    await atomicWrite(base + '.peaks', peakBytes);
    await atomicWrite(base + '.onsets', Buffer.from(sig.buffer));
    await atomicWrite(base + (variant ? `.${variant}` : '') + '.json', JSON.stringify(analysis));
  }

  /** Level of the pyramid with `samplesPerPeak`, or null when the entry is missing or damaged. */
  async readPeakLevel(sha: string, sampleCount: number, samplesPerPeak: number): Promise<PeakLevel | null> {
    const sizes = peakLevelSizes(sampleCount);
    const index = sizes.findIndex((s) => s.samplesPerPeak === samplesPerPeak);
    if (index < 0) return null;
    const offset = sizes.slice(0, index).reduce((a, s) => a + s.pairs * 2, 0);
    try {
      const handle = await fs.promises.open(this.base(sha) + '.peaks', 'r');
      try {
        const minMax = new Int8Array(sizes[index]!.pairs * 2);
        const { bytesRead } = await handle.read(minMax, 0, minMax.length, offset);
        return bytesRead === minMax.length ? { samplesPerPeak, minMax } : null;
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
  }

  async readSignals(sha: string): Promise<CachedSignals | null> {
    try {
      const buf = await fs.promises.readFile(this.base(sha) + '.onsets');
      const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength - (buf.byteLength % 4)));
      const n = all[0] ?? -1;
      if (!Number.isInteger(n) || n < 0 || all.length !== 1 + 2 * n) return null;
      return { onsetEnvelope: all.slice(1, 1 + n), frameRms: all.slice(1 + n) };
    } catch {
      return null;
    }
  }
}

/** Pairs per level for a song of `sampleCount` samples (must match `PeakPyramidBuilder`). */
export function peakLevelSizes(sampleCount: number): Array<{ samplesPerPeak: number; pairs: number }> {
  const sizes: Array<{ samplesPerPeak: number; pairs: number }> = [];
  let pairs = Math.ceil(sampleCount / PEAKS_BASE_SAMPLES);
  let spp = PEAKS_BASE_SAMPLES;
  for (let l = 0; l < PEAKS_LEVELS; l++) {
    sizes.push({ samplesPerPeak: spp, pairs });
    pairs = Math.ceil(pairs / PEAKS_LEVEL_FACTOR);
    spp *= PEAKS_LEVEL_FACTOR;
  }
  return sizes;
}

async function atomicWrite(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}
