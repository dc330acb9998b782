/**
 * Multi-resolution waveform peaks, built while decoding: level 0 holds min/max of every PEAKS_BASE_SAMPLES
 * samples, each next level merges PEAKS_LEVEL_FACTOR buckets of the previous one. Values are quantised to int8
 * (-127..127 = -1..1): plenty for drawing, and a 60-minute song's whole pyramid stays under 1.1 MB.
 */
import { PEAKS_BASE_SAMPLES, PEAKS_LEVEL_FACTOR, PEAKS_LEVELS } from './analysis-params';

export interface PeakLevel {
  samplesPerPeak: number;
  /** Interleaved [min0, max0, min1, max1, ...], int8 where 127 = full scale. */
  minMax: Int8Array;
}

const quantise = (v: number) => Math.max(-127, Math.min(127, Math.round(v * 127)));

class Int8List {
  private data = new Int8Array(8192);
  length = 0;
  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const next = new Int8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
  toArray(): Int8Array {
    return this.data.slice(0, this.length);
  }
}

export class PeakPyramidBuilder {
  private lo = Infinity;
  private hi = -Infinity;
  private inBucket = 0;
  private readonly base = new Int8List();

  push(samples: Float32Array): void {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s < this.lo) this.lo = s;
      if (s > this.hi) this.hi = s;
      if (++this.inBucket === PEAKS_BASE_SAMPLES) this.flush();
    }
  }

  finish(): PeakLevel[] {
    if (this.inBucket > 0) this.flush();
    const levels: PeakLevel[] = [{ samplesPerPeak: PEAKS_BASE_SAMPLES, minMax: this.base.toArray() }];
    for (let l = 1; l < PEAKS_LEVELS; l++) levels.push(mergeLevel(levels[l - 1]!, PEAKS_LEVEL_FACTOR));
    return levels;
  }

  private flush(): void {
    this.base.push2(quantise(this.lo), quantise(this.hi));
    this.lo = Infinity;
    this.hi = -Infinity;
    this.inBucket = 0;
  }
}

function mergeLevel(fine: PeakLevel, factor: number): PeakLevel {
  const fineCount = fine.minMax.length / 2;
  const count = Math.ceil(fineCount / factor);
  const minMax = new Int8Array(count * 2);
  for (let i = 0; i < count; i++) {
    let lo = 127;
    let hi = -127;
    for (let j = i * factor; j < Math.min(fineCount, (i + 1) * factor); j++) {
      lo = Math.min(lo, fine.minMax[2 * j]!);
      hi = Math.max(hi, fine.minMax[2 * j + 1]!);
    }
    minMax[2 * i] = lo;
    minMax[2 * i + 1] = hi;
  }
  return { samplesPerPeak: fine.samplesPerPeak * factor, minMax };
}
