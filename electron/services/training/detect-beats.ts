/**
 * Beats of a clip's music with the audio service's tracker (the same onset features and DP tracker as the
 * Studio's beat analysis), reduced to what DATASET.md's beats.json holds.
 */
import { extractFeatures } from '../audio/extract-features';
import { trackBeats } from '../audio/track-beats';

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
