/**
 * What the music analysis returns (`beats.analyse`), renderer-safe. Times are seconds from the start of the
 * song; arrays are bounded so a hostile or corrupt cache file cannot exhaust memory.
 */
import { z } from 'zod';

/** Beats of a 24-hour file at ~70 BPM (a project keeps at most MAX_BEATS of them as markers). */
export const MAX_ANALYSIS_BEATS = 100_000;
/** Onsets for snapping: ~12 per second over a 24-hour file. */
export const MAX_ONSETS = 1_000_000;
export const MAX_PEAKS_PER_LEVEL = 1 << 20;

const Seconds = z.number().finite().min(0).max(24 * 3600);

/**
 * Waveform min/max pairs at one resolution: `minMax[2k]`, `minMax[2k+1]` (k = 0..) are the minimum and maximum
 * of samples [(startPeak + k) * samplesPerPeak, (startPeak + k + 1) * samplesPerPeak) at `sampleRate`, as int8
 * integers: 127 = full scale (divide by 127 for -1..1).
 */
export const PeakLevel = z.object({
  samplesPerPeak: z.number().int().positive(),
  /** Index of the first pair in `minMax` (non-zero for a window fetched with `beats.peaks`). */
  startPeak: z.number().int().min(0),
  minMax: z.array(z.number().int().min(-127).max(127)).max(2 * MAX_PEAKS_PER_LEVEL),
});
export type PeakLevel = z.infer<typeof PeakLevel>;

export const WaveformPeaks = z.object({
  sampleRate: z.number().int().positive(),
  sampleCount: z.number().int().min(0),
  /** Every level the service holds, finest first (`beats.peaks` serves any window of them). */
  availableSamplesPerPeak: z.array(z.number().int().positive()).max(16),
  /** Coarse levels small enough to ship whole (overview); fetch finer windows with `beats.peaks`. */
  levels: z.array(PeakLevel).max(16),
});
export type WaveformPeaks = z.infer<typeof WaveformPeaks>;

/**
 * Which beat tracker produced an analysis: `net` = the beat/downbeat network decoded by the bar-pointer DBN (finds
 * bars), `dp` = the onset-envelope dynamic-programming tracker (no bars; the fallback).
 */
export const BeatTracker = z.enum(['dp', 'net']);
export type BeatTracker = z.infer<typeof BeatTracker>;
export const MAX_BEATS_PER_BAR = 12;

/** Bars of an analysis: per beat (same length as `beatTimesSec`) its position in its bar and its bar number. */
export const BeatBars = z.object({
  beatsPerBar: z.number().int().min(1).max(MAX_BEATS_PER_BAR),
  /** 1-based position of each beat in its bar: 1 = downbeat. */
  beatInBar: z.array(z.number().int().min(1).max(MAX_BEATS_PER_BAR)).max(MAX_ANALYSIS_BEATS),
  /** Bar of each beat, counted from 1 at the first downbeat; 0 = pick-up beats before it. */
  barOfBeat: z.array(z.number().int().min(0).max(MAX_ANALYSIS_BEATS)).max(MAX_ANALYSIS_BEATS),
});
export type BeatBars = z.infer<typeof BeatBars>;

export const BeatAnalysis = z.object({
  /** sha256 of the file's bytes: the cache key, and how a project refers to the analysed song. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationSec: Seconds,
  /** Tempo (BPM) from the typical beat spacing (mean of the middle half of intervals); 0 when no beats were found. */
  tempoBpm: z.number().min(0).max(1000),
  beatTimesSec: z.array(Seconds).max(MAX_ANALYSIS_BEATS),
  /** 0..1 per beat, same length as `beatTimesSec`. */
  beatConfidence: z.array(z.number().min(0).max(1)).max(MAX_ANALYSIS_BEATS),
  /** 0..1 for the whole song; below ~0.3 the beats deserve a look before generating. */
  confidence: z.number().min(0).max(1),
  onsetTimesSec: z.array(Seconds).max(MAX_ONSETS),
  alternatives: z.object({
    half: z.array(Seconds).max(MAX_ANALYSIS_BEATS),
    double: z.array(Seconds).max(2 * MAX_ANALYSIS_BEATS),
  }),
  /** Local tempo (BPM) every `tempoCurveStepSec` seconds: shows tempo changes on the timeline. */
  tempoCurveBpm: z.array(z.number().min(0).max(1000)).max(24 * 3600),
  tempoCurveStepSec: z.number().positive(),
  /** The whole file is below the silence gate: no beats, confidence 0. */
  silent: z.boolean(),
  peaks: WaveformPeaks,
  /** The tracker that found the beats (absent in analyses from before trackers were selectable: `dp`). */
  tracker: BeatTracker.optional(),
  /** Set when the default tracker could not run and another one found the beats: why (shown to the user). */
  trackerNote: z.string().max(1000).optional(),
  /** Bars and downbeats; null when the tracker does not find them (absent in older analyses). */
  bars: BeatBars.nullable().optional(),
  /** Analysis version: results from older versions are recomputed. */
  version: z.number().int(),
});
export type BeatAnalysis = z.infer<typeof BeatAnalysis>;
