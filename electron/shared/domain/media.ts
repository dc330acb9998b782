/**
 * Media types shared by the media service, its IPC contract, the CLI and the renderer: what `probe` reports,
 * the stable error codes of rejected files, export formats and the generation settings an export carries in
 * its metadata. Pure zod: renderer-safe.
 */
import { z } from 'zod';
import { MAX_PROMPT_CHARS } from './project';
import { ExportAspect, ExportFit, ExportUpscale } from './export-frame';

/** Stable codes of media failures; the message that goes with each is one sentence for the user. */
export const MediaErrorCodes = {
  notFound: 'MEDIA_NOT_FOUND',
  empty: 'MEDIA_EMPTY',
  notMedia: 'MEDIA_NOT_MEDIA',
  noAudioStream: 'MEDIA_NO_AUDIO_STREAM',
  noVideoStream: 'MEDIA_NO_VIDEO_STREAM',
  notImage: 'MEDIA_NOT_IMAGE',
  truncated: 'MEDIA_TRUNCATED',
  corrupt: 'MEDIA_CORRUPT',
  unsupportedCodec: 'MEDIA_UNSUPPORTED_CODEC',
  imageTooLarge: 'MEDIA_IMAGE_TOO_LARGE',
  tooLong: 'MEDIA_TOO_LONG',
  ffmpegMissing: 'MEDIA_FFMPEG_MISSING',
  ffmpegFailed: 'MEDIA_FFMPEG_FAILED',
  ffmpegStalled: 'MEDIA_FFMPEG_STALLED',
  framesMissing: 'MEDIA_FRAMES_MISSING',
  framesNotSequential: 'MEDIA_FRAMES_NOT_SEQUENTIAL',
  badCrop: 'MEDIA_BAD_CROP',
  badOutput: 'MEDIA_BAD_OUTPUT',
  noSettings: 'MEDIA_NO_SETTINGS',
  notWav: 'MEDIA_NOT_WAV',
} as const;
export type MediaErrorCode = (typeof MediaErrorCodes)[keyof typeof MediaErrorCodes];

export const MediaKind = z.enum(['image', 'audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

export const MediaStream = z.object({
  index: z.number().int(),
  type: z.enum(['audio', 'video', 'subtitle', 'data', 'attachment', 'unknown']),
  /** ffmpeg codec name; null when ffmpeg does not know the codec. */
  codec: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  channelLayout: z.string().nullable(),
  /** Average frame rate of a video stream. */
  fps: z.number().nullable(),
  durationSec: z.number().nullable(),
  /** Cover art embedded in an audio file (not a video). */
  attachedPicture: z.boolean(),
});
export type MediaStream = z.infer<typeof MediaStream>;

export const MediaProbe = z.object({
  path: z.string(),
  sizeBytes: z.number().int(),
  kind: MediaKind,
  /** ffmpeg demuxer name(s), e.g. `wav`, `mov,mp4,m4a,3gp,3g2,mj2`, `png_pipe`. */
  container: z.string(),
  durationSec: z.number().nullable(),
  /** As displayed: a JPEG's EXIF orientation is applied (crop boxes use these coordinates). */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  /** Codec of the stream that defines the kind (video/image stream, else the first audio stream). */
  codec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  hasAudio: z.boolean(),
  streams: z.array(MediaStream),
});
export type MediaProbe = z.infer<typeof MediaProbe>;

/** Which kind a caller needs: `audio` accepts video files with an audio track (the music of a clip). */
export const MediaRequirement = z.enum(['any', 'image', 'audio', 'video']);
export type MediaRequirement = z.infer<typeof MediaRequirement>;

/** A crop rectangle in source pixels. */
export const CropBox = z
  .object({
    x: z.number().int().min(0).max(100_000),
    y: z.number().int().min(0).max(100_000),
    width: z.number().int().min(1).max(100_000),
    height: z.number().int().min(1).max(100_000),
  })
  .strict();
export type CropBox = z.infer<typeof CropBox>;

export const ExportFormat = z.enum(['mp4', 'webm', 'gif', 'png']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/**
 * What generated a video, written into the exported file so that dropping it back into the studio recalls it.
 * Bounded like the project itself.
 */
/** What the export dialog chose: stored in the file beside the generation settings. */
export const ExportChoices = z
  .object({
    upscale: ExportUpscale,
    aspect: ExportAspect,
    fit: ExportFit,
    interpolateFps: z.union([z.literal(24), z.literal(30)]).nullable(),
    trimToSong: z.boolean(),
    range: z.enum(['song', 'selection']),
    format: z.enum(['mp4', 'webm', 'gif']),
  })
  .strict();
export type ExportChoices = z.infer<typeof ExportChoices>;

export const GenerationSettings = z
  .object({
    packId: z.string().max(128),
    packVersion: z.string().max(64).optional(),
    /** sha256 of the beat markers the frames were conditioned on. */
    beatsHash: z.string().max(128),
    fps: z.number().int().min(1).max(60),
    segments: z
      .array(
        z
          .object({
            startFrame: z.number().int().min(0),
            frames: z.number().int().min(1).max(1024),
            prompt: z.string().max(MAX_PROMPT_CHARS),
            seed: z.number().int().min(0).max(2 ** 32 - 1),
            steps: z.number().int().min(1).max(1000).optional(),
            guidance: z.number().finite().min(0).max(50).optional(),
          })
          .strict(),
      )
      .max(5_000),
    songSha256: z.string().max(64).optional(),
    referenceImageSha256: z.string().max(64).optional(),
    createdAt: z.string().max(40).optional(),
    /** The export dialog's choices (issue 23), so importing the file can recall them too. */
    export: ExportChoices.optional(),
  })
  .strict();
export type GenerationSettings = z.infer<typeof GenerationSettings>;

/** Wrapper stored in the container's comment tag: the `musedance` key tells our JSON from a user's comment. */
export const SETTINGS_TAG_VERSION = 1;

export const WavCue = z.object({
  /** Position in seconds from the start of the WAV. */
  timeSec: z.number().finite().min(0).max(24 * 3600),
  label: z.string().max(256),
});
export type WavCue = z.infer<typeof WavCue>;
