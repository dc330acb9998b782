/**
 * One streamed pass over a file: ffmpeg decodes, and each block of samples feeds the onset extractor and the
 * peak pyramid, then is dropped. Nothing proportional to the song's sample count is kept.
 */
import { ANALYSIS_SAMPLE_RATE } from './analysis-params';
import { OnsetStream, type OnsetFeatures } from './onset-stream';
import { PcmDecodeJob } from './pcm-decoder';
import { PeakPyramidBuilder, type PeakLevel } from './waveform-peaks';

export interface FileFeatures extends OnsetFeatures {
  peaks: PeakLevel[];
  durationSec: number;
}

export interface ExtractOptions {
  ffmpegPath: string;
  signal?: AbortSignal;
  onProgress?(decodedSec: number, durationSec: number | null): void;
  /** Receives every STFT frame's mel power (the beat network's input), in the same single pass. */
  onMelFrame?: (melPower: Float64Array) => void;
}

export async function extractFeatures(file: string, options: ExtractOptions): Promise<FileFeatures> {
  const onsets = new OnsetStream(options.onMelFrame);
  const peaks = new PeakPyramidBuilder();
  const job = new PcmDecodeJob(file, {
    ffmpegPath: options.ffmpegPath,
    sampleRate: ANALYSIS_SAMPLE_RATE,
    signal: options.signal,
    onSamples: (samples) => {
      onsets.push(samples);
      peaks.push(samples);
    },
    onProgress: options.onProgress,
  });
  await job.run();
  const features = onsets.finish();
  return { ...features, peaks: peaks.finish(), durationSec: features.sampleCount / ANALYSIS_SAMPLE_RATE };
}
