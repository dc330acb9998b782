/**
 * Beats of a whole audio file with the Studio's tracker (`beat-pipeline.ts`, the same path as the beat
 * analysis; `tracker` picks dp or net), reduced to beat times, tempo and downbeats: what the training dataset's beats.json, training samples and the
 * CLI need. The one `detectBeats` of the repository; other domains reach it through `./index.ts`.
 */
import type { BeatTracker } from '../../shared/domain/beat-analysis';
import { analyseAudioFile, type BeatNetLoader } from './beat-pipeline';

export interface ClipBeats {
  beatTimesSec: number[];
  tempoBpm: number;
  /** The tracker that found them, and the downbeats when it finds bars (the net tracker). */
  tracker: BeatTracker;
  downbeatTimesSec?: number[];
  /** Set when the default tracker could not run and DP stood in (say it to the user). */
  note?: string;
}

export async function detectBeats(file: string, options: { ffmpegPath: string; signal?: AbortSignal; tracker?: BeatTracker; loadBeatNet?: BeatNetLoader }): Promise<ClipBeats> {
  const { track, tracker, note } = await analyseAudioFile(file, options);
  const keep = track.beatTimesSec.map((t) => t >= 0);
  const beatTimesSec = track.beatTimesSec.filter((_, i) => keep[i]);
  const downbeatTimesSec = track.beatInBar ? track.beatTimesSec.filter((t, i) => keep[i] && track.beatInBar![i] === 1) : undefined;
  return { beatTimesSec, tempoBpm: track.tempoBpm, tracker, ...(downbeatTimesSec ? { downbeatTimesSec } : {}), ...(note ? { note } : {}) };
}

/**
 * Downbeats are not tracked; every 4th beat from the first is the usual 4/4 guess (DATASET.md lists them,
 * the loader does not condition on them).
 */
export const downbeatsOf = (beatTimesSec: number[]): number[] => beatTimesSec.filter((_, i) => i % 4 === 0);
