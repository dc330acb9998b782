/**
 * Music analysis: beats, tempo, onsets and waveform peaks of a song (issue 4).
 * - `beats.analyse`: the whole analysis (cached per file content; progress + cancel with a jobId).
 * - `beats.peaks`: a window of a finer waveform level for zoomed-in timeline views.
 * - `beats.redetect`: re-run the tracker on a region, keeping the user's anchored beats.
 * Beat -> frame mapping for the model lives in `../domain/beat-frames.ts` (pure, shared by UI and inference).
 */
import { z } from 'zod';
import { channel, HostPath } from './channel';
import { BeatAnalysis, BeatTracker, PeakLevel } from '../domain/beat-analysis';

/** An audio (or video) file path on this machine; the service checks that it is a readable regular file. */
export const AudioPath = HostPath;
const Seconds = z.number().finite().min(0).max(24 * 3600);

export const beatsChannels = {
  'beats.analyse': channel({
    summary: 'Analyse a song: tempo, beats with confidence, onsets, half/double alternatives, waveform peaks',
    request: z
      .object({
        path: AudioPath,
        /** Ignore the cache and analyse again. */
        refresh: z.boolean().optional(),
        /** `net` (beat network + bars) or `dp` (onset tracker); absent = the studio's default, which falls back to
         * `dp` with a `trackerNote` when the network cannot run. Named `net` that cannot run is an error. */
        tracker: BeatTracker.optional(),
      })
      .strict(),
    reply: BeatAnalysis,
    job: true,
  }),
  'beats.peaks': channel({
    summary: 'Waveform peaks of a time window at a given resolution (for zoomed timeline views)',
    request: z
      .object({
        path: AudioPath,
        /** One of `peaks.availableSamplesPerPeak`; the coarsest level at or below this is served. */
        samplesPerPeak: z.number().int().positive().max(1 << 24),
        startSec: Seconds,
        endSec: Seconds,
      })
      .strict()
      .refine((r) => r.endSec > r.startSec, 'endSec must be after startSec'),
    reply: z.object({ sampleRate: z.number().int(), level: PeakLevel }),
    job: true,
  }),
  'beats.redetect': channel({
    summary: 'Re-detect beats between two times, keeping anchored beats and optionally forcing a tempo',
    request: z
      .object({
        path: AudioPath,
        startSec: Seconds,
        endSec: Seconds,
        /** Beats the user anchored: kept exactly, and the new beats are fitted around them. */
        anchoredSec: z.array(Seconds).max(10_000).default([]),
        /** Force this tempo in the region (e.g. to fix a half/double-tempo detection). */
        tempoBpm: z.number().min(20).max(400).optional(),
      })
      .strict()
      .refine((r) => r.endSec > r.startSec, 'endSec must be after startSec'),
    reply: z.object({
      beatTimesSec: z.array(Seconds).max(20_000),
      beatConfidence: z.array(z.number().min(0).max(1)).max(20_000),
      tempoBpm: z.number().min(0).max(1000),
    }),
    job: true,
  }),
} as const;
