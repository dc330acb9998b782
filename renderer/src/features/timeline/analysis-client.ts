/**
 * Gets the song's analysis (waveform peaks, beats, onsets, tempo) from the music analysis service
 * (`beats.analyse`, cached per file hash by the service) and turns its peak pyramid into what wavesurfer
 * draws. The renderer never decodes the song itself.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import type { Result } from '@shared/result';
import { err, ok } from '@shared/result';
import type { SongAnalysis } from './timeline-store';

/** Peaks per second handed to wavesurfer: sharp up to ~200 px/s of zoom, small enough for a 60-minute song. */
export const TARGET_PEAKS_PER_SEC = 200;

interface PeakLevelWire {
  samplesPerPeak: number;
  /** Interleaved min/max, int8 (127 = full scale), as numbers or base64. */
  minMax: number[] | string;
}

/** The part of the service's reply the timeline uses. */
export interface BeatsAnalyseReply {
  durationSec?: number;
  duration?: number;
  sampleRate?: number;
  tempoBpm?: number;
  tempo?: number;
  confidence?: number;
  beats?: Array<number | { timeSec: number }>;
  beatTimesSec?: number[];
  onsets?: number[];
  onsetTimesSec?: number[];
  peaks?: { sampleRate: number; levels: PeakLevelWire[] } | PeakLevelWire[];
}

type AnalyseVerb = (request: Record<string, unknown>, options?: { jobId?: string }) => Promise<Result<BeatsAnalyseReply>>;

export function analyseVerb(studio: StudioBridge): AnalyseVerb | null {
  const beats = (studio.verbs as unknown as Record<string, Record<string, unknown> | undefined>).beats;
  return typeof beats?.analyse === 'function' ? (beats.analyse as AnalyseVerb) : null;
}

const decodeMinMax = (v: number[] | string): Int8Array => {
  if (typeof v !== 'string') return Int8Array.from(v);
  const bin = atob(v);
  const out = new Int8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = (bin.charCodeAt(i) << 24) >> 24;
  return out;
};

/** Max |amplitude| per peak from the pyramid level closest to TARGET_PEAKS_PER_SEC (but not coarser). */
export function peaksForWaveform(levels: PeakLevelWire[], sampleRate: number): { peaks: Float32Array; peaksPerSec: number } {
  const sorted = [...levels].sort((a, b) => a.samplesPerPeak - b.samplesPerPeak);
  const level = [...sorted].reverse().find((l) => sampleRate / l.samplesPerPeak >= TARGET_PEAKS_PER_SEC) ?? sorted[0];
  if (!level) return { peaks: new Float32Array(0), peaksPerSec: TARGET_PEAKS_PER_SEC };
  const mm = decodeMinMax(level.minMax);
  const peaks = new Float32Array(mm.length / 2);
  for (let i = 0; i < peaks.length; i++) peaks[i] = Math.max(Math.abs(mm[2 * i]!), Math.abs(mm[2 * i + 1]!)) / 127;
  return { peaks, peaksPerSec: sampleRate / level.samplesPerPeak };
}

export function toSongAnalysis(reply: BeatsAnalyseReply): Result<SongAnalysis> {
  const durationSec = reply.durationSec ?? reply.duration ?? 0;
  if (!(durationSec > 0)) return err('BEATS_EMPTY_SONG', 'The song has no audio to show (zero length).');
  const levels = Array.isArray(reply.peaks) ? reply.peaks : reply.peaks?.levels ?? [];
  const sampleRate = (Array.isArray(reply.peaks) ? undefined : reply.peaks?.sampleRate) ?? reply.sampleRate ?? 16000;
  const { peaks, peaksPerSec } = peaksForWaveform(levels, sampleRate);
  const beatsSec = reply.beatTimesSec ?? (reply.beats ?? []).map((b) => (typeof b === 'number' ? b : b.timeSec));
  return ok({
    durationSec,
    peaks,
    peaksPerSec,
    onsetsSec: [...(reply.onsetTimesSec ?? reply.onsets ?? [])].sort((a, b) => a - b),
    beatsSec: [...beatsSec].sort((a, b) => a - b),
    tempoBpm: reply.tempoBpm ?? reply.tempo ?? 0,
    confidence: reply.confidence ?? 0,
  });
}

export async function analyseSong(studio: StudioBridge, absolutePath: string, jobId: string): Promise<Result<SongAnalysis>> {
  const verb = analyseVerb(studio);
  if (!verb) return err('BEATS_UNAVAILABLE', 'The music analysis service is not part of this build yet.');
  const reply = await verb({ path: absolutePath }, { jobId });
  return reply.ok ? toSongAnalysis(reply.value) : reply;
}
