import { z } from 'zod';
import { channel, HostPath } from './channel';
import { MediaRef } from '../domain/project';
import { CropBox, ExportFormat, GenerationSettings, MediaProbe, MediaRequirement, WavCue } from '../domain/media';
import { ExportAspect, ExportFit } from '../domain/export-frame';

/** A file or folder path from the user (dialog, drop, CLI); the service resolves and checks it. */
export const MediaPath = HostPath;

/** Target resolution of prepared images and training frames (pack resolution). */
const Side = z.number().int().min(16).max(4096);

export const ImportedSong = z.object({
  song: MediaRef,
  /** 16 kHz mono PCM working copy (beat tracking, music encoder), relative to the project. */
  mono16kPath: z.string(),
  /** 44.1 kHz stereo PCM working copy (playback, export), relative to the project. */
  stereo44kPath: z.string(),
  probe: MediaProbe,
});

export const ImportedImage = z.object({
  /** The file as the user gave it. */
  original: MediaRef,
  /** Cropped and resized PNG at the target resolution (what the model sees). */
  prepared: MediaRef,
  crop: CropBox,
  width: z.number().int(),
  height: z.number().int(),
  probe: MediaProbe,
});

export const ImportedClip = z.object({
  framesDir: z.string(),
  framePattern: z.string(),
  frameCount: z.number().int(),
  fps: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  /** 16 kHz mono WAV of the clip's music; null when the clip is silent. */
  audioPath: z.string().nullable(),
  durationSec: z.number(),
});

export const ExportRequest = z
  .object({
    /** Folder of numbered PNG frames (`000001.png`, `frame_0001.png`, ...). */
    framesDir: MediaPath,
    fps: z.number().int().min(1).max(60),
    /** The song and where in it the first frame falls; omitted = silent video. GIF and PNG carry no audio. */
    audio: z.object({ path: MediaPath, startSec: z.number().finite().min(0).max(24 * 3600) }).strict().optional(),
    format: ExportFormat,
    /** Output file (folder for `png`). */
    out: MediaPath,
    /** Motion-interpolate to this frame rate (ffmpeg minterpolate). */
    interpolateFps: z.union([z.literal(24), z.literal(30)]).optional(),
    /** Upscale by this integer factor (lanczos). */
    upscale: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
    /** Fit the upscaled frames to 9:16, 1:1 or 16:9 by letterbox (bars) or centre crop. */
    aspect: ExportAspect.optional(),
    fit: ExportFit.optional(),
    /** Stop the video after this many seconds (the song's end): trims a last segment that runs past the music. */
    maxDurationSec: z.number().finite().positive().max(24 * 3600).optional(),
    /** Stored in MP4/WebM metadata, or a sidecar JSON in a PNG folder; GIF cannot carry it (`settingsStored`). */
    settings: GenerationSettings.optional(),
    overwrite: z.boolean().optional(),
  })
  .strict();

export const ExportResult = z.object({
  out: z.string(),
  format: ExportFormat,
  frames: z.number().int(),
  outputFps: z.number(),
  durationSec: z.number(),
  sizeBytes: z.number().int(),
  elapsedSec: z.number(),
  /** False when audio was given but the format has no audio track (GIF, PNG). */
  hasAudio: z.boolean(),
  /** False when settings were given but the format cannot hold them (GIF). */
  settingsStored: z.boolean(),
  /** Output frame size (after upscale and aspect fit). */
  width: z.number().int(),
  height: z.number().int(),
});

/** A dropped file travels in chunks of this many bytes (base64 in one call; well under the wire limit). */
export const MEDIA_UPLOAD_CHUNK_BYTES = 1024 * 1024;
/** Largest file the drop zone accepts (a long lossless song or a reference image never comes near). */
export const MEDIA_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
const UploadId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'uploadId must be 1-64 letters, digits, "_" or "-"');

export const mediaChannels = {
  'media.probe': channel({
    summary: 'Inspect a media file (kind, duration, streams) and reject unusable files with a reason',
    request: z.object({ path: MediaPath, require: MediaRequirement.optional() }).strict(),
    reply: MediaProbe,
  }),
  'media.importImage': channel({
    summary: 'Import a reference image: copy it into the project, crop and resize it to the pack resolution',
    request: z
      .object({ projectDir: MediaPath, path: MediaPath, crop: CropBox.optional(), width: Side, height: Side })
      .strict(),
    reply: ImportedImage,
    job: true,
  }),
  'media.importSong': channel({
    summary: 'Import a song: copy it into the project and make 16 kHz mono and 44.1 kHz stereo working copies',
    request: z.object({ projectDir: MediaPath, path: MediaPath }).strict(),
    reply: ImportedSong,
    job: true,
  }),
  'media.importClip': channel({
    summary: 'Turn a video clip into training frames at a frame rate and resolution plus 16 kHz mono audio',
    request: z
      .object({ path: MediaPath, outDir: MediaPath, fps: z.number().int().min(1).max(60), width: Side, height: Side })
      .strict(),
    reply: ImportedClip,
    job: true,
  }),
  'media.export': channel({
    summary: 'Export frames with the matching music range as MP4, WebM, GIF or a PNG sequence',
    request: ExportRequest,
    reply: ExportResult,
    job: true,
  }),
  'media.readSettings': channel({
    summary: 'Read the generation settings stored in an exported video',
    request: z.object({ path: MediaPath }).strict(),
    reply: z.object({ settings: GenerationSettings }),
  }),
  'media.writeBeatCues': channel({
    summary: 'Write a WAV of the song with the beat markers as cue points',
    request: z
      .object({ songPath: MediaPath, out: MediaPath, cues: z.array(WavCue).max(20_000), overwrite: z.boolean().optional() })
      .strict(),
    reply: z.object({ out: z.string(), cues: z.number().int(), sampleRate: z.number().int() }),
    job: true,
  }),
  'media.upload': channel({
    summary: 'Receive a dropped file in chunks into the project (the renderer cannot see local paths)',
    request: z
      .object({
        projectDir: MediaPath,
        uploadId: UploadId,
        fileName: z.string().min(1).max(255),
        offset: z.number().int().min(0).max(MEDIA_MAX_UPLOAD_BYTES),
        totalBytes: z.number().int().min(1).max(MEDIA_MAX_UPLOAD_BYTES),
        dataBase64: z.string().max(Math.ceil(MEDIA_UPLOAD_CHUNK_BYTES / 3) * 4),
      })
      .strict(),
    /** `path` is set once the last byte arrived: pass it to importImage/importSong. */
    reply: z.object({ receivedBytes: z.number().int(), path: z.string().nullable() }),
  }),
  'media.stageFile': channel({
    summary: 'Stage a file picked on the host (browser host picker) like a dropped one, for the crop dialog and import',
    request: z.object({ projectDir: MediaPath, uploadId: UploadId, path: MediaPath }).strict(),
    reply: z.object({ path: z.string(), fileName: z.string(), sizeBytes: z.number().int() }),
  }),
  'media.discardUpload': channel({
    summary: 'Remove a staged upload (after its import, or when the user cancels)',
    request: z.object({ projectDir: MediaPath, uploadId: UploadId }).strict(),
    reply: z.object({ removed: z.boolean() }),
  }),
  'media.readBeatCues': channel({
    summary: 'Read the cue points (beat markers) of a WAV file',
    request: z.object({ path: MediaPath }).strict(),
    reply: z.object({ sampleRate: z.number().int(), cues: z.array(WavCue) }),
  }),
} as const;
