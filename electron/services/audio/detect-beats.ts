/**
 * Beats of a whole audio file with the Studio's tracker (the same onset features and DP tracker as the beat
 * analysis), reduced to beat times and tempo: what the training dataset's beats.json, training samples and the
 * CLI need. The one `detectBeats` of the repository; other domains reach it through `./index.ts`.
 */
import { extractFeatures } from './extract-features';
import { trackBeats } from './track-beats';

export interface ClipBeats {
  beatTimesSec: number[];
  tempoBpm: number;
}

export async function detectBeats(file: string, options: { ffmpegPath: string; signal?: AbortSignal }): Promise<ClipBeats> {
  const features = await extractFeatures(file, { ffmpegPath: options.ffmpegPath, signal: options.signal });
  const rms = features.sampleCount > 0 ? Math.sqrt(features.sumSquares / features.sampleCount) : 0;
  const track = trackBeats({ onsetEnvelope: features.onsetEnvelope, frameRms: features.frameRms, rms });
  return { beatTimesSec: track.beatTimesSec.filter((t) => t >= 0), tempoBpm: track.tempoBpm };
}

/**
 * Downbeats are not tracked; every 4th beat from the first is the usual 4/4 guess (DATASET.md lists them,
 * the loader does not condition on them).
 */
export const downbeatsOf = (beatTimesSec: number[]): number[] => beatTimesSec.filter((_, i) => i % 4 === 0);
