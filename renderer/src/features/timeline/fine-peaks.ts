/**
 * Finer waveform peaks for zoomed-in views. `beats.analyse` ships only overview levels (a 10-minute song
 * arrives at ~11 peaks/s); this fetches one finer level for the whole song in windows (`beats.peaks`), so
 * zooming in shows the transients the beats sit on.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import type { SongAnalysis } from './timeline-store';

/** Enough detail for ~200 px/s of zoom; finer costs transfer without visible gain. */
const WANTED_PEAKS_PER_SEC = 150;
/** Upper bound on the fine level's size (pairs): ~4 MB of JSON for an hour-long song. */
const MAX_FINE_PEAKS = 1 << 19;
const WINDOW_SEC_MAX = 60;

export function finePeaksPlan(a: SongAnalysis): { samplesPerPeak: number; peaksPerSec: number } | null {
  const { sampleRate, availableSamplesPerPeak } = a.peakSource;
  const candidates = [...availableSamplesPerPeak].sort((x, y) => y - x);
  const spp = candidates.find((s) => sampleRate / s >= WANTED_PEAKS_PER_SEC && (a.durationSec * sampleRate) / s <= MAX_FINE_PEAKS);
  if (!spp || sampleRate / spp <= a.peaksPerSec * 1.5) return null;
  return { samplesPerPeak: spp, peaksPerSec: sampleRate / spp };
}

/** Max |amplitude| per peak at the planned level for the whole song, or null when not worth it / failed. */
export async function loadFinePeaks(studio: StudioBridge, a: SongAnalysis, isLive: () => boolean): Promise<Float32Array | null> {
  const plan = finePeaksPlan(a);
  if (!plan) return null;
  const total = Math.ceil(a.durationSec * plan.peaksPerSec);
  const out = new Float32Array(total);
  const stepSec = Math.min(WINDOW_SEC_MAX, 60_000 / plan.peaksPerSec);
  for (let startSec = 0; startSec < a.durationSec; startSec += stepSec) {
    if (!isLive()) return null;
    const reply = await studio.verbs.beats.peaks({ path: a.peakSource.path, samplesPerPeak: plan.samplesPerPeak, startSec, endSec: Math.min(a.durationSec, startSec + stepSec) });
    if (!reply.ok || reply.value.level.samplesPerPeak !== plan.samplesPerPeak) return null;
    const { startPeak, minMax } = reply.value.level;
    for (let i = 0; i < minMax.length / 2 && startPeak + i < total; i++) out[startPeak + i] = Math.max(Math.abs(minMax[2 * i]!), Math.abs(minMax[2 * i + 1]!));
  }
  return out;
}
