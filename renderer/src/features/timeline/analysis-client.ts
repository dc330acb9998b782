/**
 * Gets the song's analysis (waveform peaks, beats, onsets, tempo) from the music analysis service
 * (`beats.analyse`, cached per file content by the service) and turns its peak levels into what wavesurfer
 * draws. The renderer never decodes the song itself.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import type { BeatAnalysis, PeakLevel } from '@shared/domain/beat-analysis';
import { ok, type Result } from '@shared/result';
import type { SongAnalysis } from './timeline-store';

/** Max |amplitude| per peak of the finest level the reply carries. */
export function peaksForWaveform(levels: readonly PeakLevel[], sampleRate: number): { peaks: Float32Array; peaksPerSec: number } {
  const finest = [...levels].sort((a, b) => a.samplesPerPeak - b.samplesPerPeak)[0];
  if (!finest) return { peaks: new Float32Array(1), peaksPerSec: 1 };
  const mm = finest.minMax;
  const peaks = new Float32Array(Math.max(1, mm.length / 2));
  for (let i = 0; i < mm.length / 2; i++) peaks[i] = Math.max(Math.abs(mm[2 * i]!), Math.abs(mm[2 * i + 1]!));
  return { peaks, peaksPerSec: sampleRate / finest.samplesPerPeak };
}

/** Beats in time order with each downbeat's bar number (from the tracker's bars, when it found them). */
export function beatsWithBars(reply: Pick<BeatAnalysis, 'beatTimesSec' | 'bars'>): { beatsSec: number[]; downbeatBars: (number | null)[] } {
  const bars = reply.bars && reply.bars.beatInBar.length === reply.beatTimesSec.length && reply.bars.barOfBeat.length === reply.beatTimesSec.length ? reply.bars : null;
  const beats = reply.beatTimesSec.map((t, i) => ({ t, bar: bars && bars.beatInBar[i] === 1 && bars.barOfBeat[i]! >= 1 ? bars.barOfBeat[i]! : null }));
  beats.sort((a, b) => a.t - b.t);
  return { beatsSec: beats.map((b) => b.t), downbeatBars: beats.map((b) => b.bar) };
}

export function toSongAnalysis(reply: BeatAnalysis, path: string): SongAnalysis {
  const { peaks, peaksPerSec } = peaksForWaveform(reply.peaks.levels, reply.peaks.sampleRate);
  return {
    durationSec: reply.durationSec,
    peaks,
    peaksPerSec,
    onsetsSec: [...reply.onsetTimesSec].sort((a, b) => a - b),
    ...beatsWithBars(reply),
    ...(reply.trackerNote ? { trackerNote: reply.trackerNote } : {}),
    tempoBpm: reply.tempoBpm,
    confidence: reply.confidence,
    peakSource: { path, sampleRate: reply.peaks.sampleRate, availableSamplesPerPeak: reply.peaks.availableSamplesPerPeak },
  };
}

export async function analyseSong(studio: StudioBridge, absolutePath: string, jobId: string, refresh = false): Promise<Result<SongAnalysis>> {
  const reply = await studio.verbs.beats.analyse({ path: absolutePath, ...(refresh ? { refresh } : {}) }, { jobId });
  if (!reply.ok) return reply;
  if (!(reply.value.durationSec > 0)) return { ok: false, error: { code: 'BEATS_EMPTY_SONG', message: 'The song has no audio to show (zero length).' } };
  return ok(toSongAnalysis(reply.value, absolutePath));
}
