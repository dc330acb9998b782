/**
 * `probe`: what a file is (image, audio, video), its duration and streams, or a specific reason it cannot be
 * used. Order matters: cheap checks that need no decoder first (exists, zero-length, image header dimensions,
 * container sizes), then ffprobe, then a look at the last seconds of packets to catch files cut short.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes, type MediaProbe, type MediaRequirement, type MediaStream } from '../../shared/domain/media';
import { sniffFile, swapsSides, type Sniffed } from './file-sniff';
import { MAX_DECODE_PIXELS, runFfprobe, type RawProbe, type RawStream } from './ffprobe';
import { FORMAT_WHITELIST_ARGS, IMAGE_CODECS, isImageDemuxer } from './format-allow-list';
import { verifyPng } from './png-check';
import { webpFirstFrame, type WebpFirstFrame } from './webp-first-frame';
import { checkRegularFile, readRegularFile } from '../util/safe-open';

/** Largest reference image accepted, per side and in total (decoded RGBA of 50 MP is already 200 MB). */
export const MAX_IMAGE_SIDE_PX = 12_000;
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Seconds before the announced end from which packets are read to confirm the file really ends there. */
const TAIL_CHECK_SEC = 3;
/** How far short of the announced duration the last packet may end before the file counts as truncated. */
const TAIL_TOLERANCE_MIN_SEC = 0.5;
const TAIL_TOLERANCE_FRACTION = 0.02;
/** Decoding one image to check it is whole. */
const IMAGE_DECODE_TIMEOUT_MS = 30_000;

/** Images are read whole to check them byte for byte (a 50-megapixel PNG is far below this). */
const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;
/** stderr of ffprobe/ffmpeg that means the data stops early. */
const TRUNCATION_MARKERS = /partial file|File ended prematurely|moov atom not found|Truncated|unexpected end|End of file/i;

export interface ProbeOptions {
  ffprobePath: string;
  ffmpegPath: string;
  require?: MediaRequirement;
  signal?: AbortSignal;
}

const fail = (code: string, message: string): never => {
  throw new StudioError(code, message);
};

export async function probeMedia(file: string, options: ProbeOptions): Promise<MediaProbe> {
  const abs = path.resolve(file);
  const name = path.basename(abs);
  // A regular file (never a FIFO or device: those are refused before anything opens them).
  const { stat } = await checkRegularFile(abs, { refuseEmpty: true, codes: { notFound: MediaErrorCodes.notFound, unreadable: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notMedia, empty: MediaErrorCodes.empty } });

  const sniffed = await sniffFile(abs, stat.size);
  if (sniffed.image) checkImageSize(name, sniffed.image.width, sniffed.image.height);
  if (sniffed.truncated && sniffed.container !== 'png' && sniffed.container !== 'jpeg') {
    fail(MediaErrorCodes.truncated, `${name} is truncated: ${sniffed.truncated}.`);
  }

  const { data, stderr } = await runFfprobe(options.ffprobePath, [...FORMAT_WHITELIST_ARGS, '-show_error', '-show_format', '-show_streams', abs], options.signal);
  if (data.error || !data.format) {
    const why = data.error?.string ?? stderr.trim().split('\n').pop() ?? 'unknown error';
    if (/not on whitelist/i.test(stderr)) fail(MediaErrorCodes.notMedia, `${name} is not in a format the studio opens (songs: WAV, MP3, FLAC, Ogg, AAC/M4A, MP4/MOV, WebM/MKV, AIFF, AVI; images: PNG, JPEG, WebP, GIF, BMP).`);
    if (sniffed.container && (sniffed.container === 'isobmff' || TRUNCATION_MARKERS.test(stderr) || /End of file/i.test(why))) {
      fail(MediaErrorCodes.truncated, `${name} is truncated: the ${containerLabel(sniffed)} ends before its index (${why}).`);
    }
    if (/exceeds specified max pixel count/i.test(stderr)) fail(MediaErrorCodes.imageTooLarge, `${name} is too large to decode safely (over ${MAX_DECODE_PIXELS} pixels).`);
    fail(MediaErrorCodes.notMedia, `${name} is not a media file ffmpeg can read (${why}).`);
  }

  const streams = (data.streams ?? []).map(toStream);
  const container = data.format?.format_name ?? 'unknown';
  const isImage = isImageDemuxer(container) && streams.some((s) => s.type === 'video');
  const video = streams.find((s) => s.type === 'video' && !s.attachedPicture);
  const audio = streams.find((s) => s.type === 'audio');
  const kind: MediaProbe['kind'] | null = isImage ? 'image' : video ? 'video' : audio ? 'audio' : null;
  if (!kind) {
    if (streams.length === 0) fail(MediaErrorCodes.notMedia, `${name} holds no audio, video or image streams.`);
    fail(MediaErrorCodes.notMedia, `${name} holds only ${[...new Set(streams.map((s) => s.type))].join('/')} streams, no audio, video or image.`);
  }
  const primary = kind === 'audio' ? audio! : (video ?? streams.find((s) => s.type === 'video'))!;
  if (!primary.codec) fail(MediaErrorCodes.unsupportedCodec, `${name} uses ${primary.type === 'audio' ? 'an audio' : 'a video'} codec ffmpeg cannot decode (${rawCodecTag(data, primary.index)}).`);

  const durationSec = numberOr(data.format?.duration, null);
  const result: MediaProbe = {
    path: abs,
    sizeBytes: stat.size,
    kind: kind!,
    container,
    durationSec: kind === 'image' ? null : durationSec,
    width: primary.width,
    height: primary.height,
    sampleRate: audio?.sampleRate ?? null,
    channels: audio?.channels ?? null,
    codec: primary.codec,
    audioCodec: audio?.codec ?? null,
    hasAudio: !!audio,
    streams,
  };

  if (kind === 'image') {
    // Header, demuxer and codec must name the same allowed image format (an SVG called .png is none of them).
    const format = sniffed.image?.format;
    if (!format || IMAGE_CODECS[format] !== primary.codec) fail(MediaErrorCodes.notMedia, `${name} is not a PNG, JPEG, WebP, GIF or BMP image${primary.codec ? ` (its content is ${primary.codec})` : ''}.`);
  }
  const animation = kind === 'image' && sniffed.image?.animated ? await animatedWebpFrame(abs, name) : null;
  if (animation) {
    // An animated WebP: its reference image is the first frame on the animation's canvas.
    primary.width = animation.canvasWidth;
    primary.height = animation.canvasHeight;
    result.width = animation.canvasWidth;
    result.height = animation.canvasHeight;
  }
  if (kind === 'image' && swapsSides(sniffed.image?.orientation)) {
    // Report the size as displayed: a phone's portrait photo is stored landscape with an EXIF rotation.
    result.width = primary.height;
    result.height = primary.width;
  }
  checkRequirement(name, result, options.require ?? 'any');
  if (kind === 'image') {
    if (primary.width && primary.height) checkImageSize(name, primary.width, primary.height);
    if (sniffed.image?.format === 'png') await checkPngWhole(abs, name);
    await checkImageDecodes(abs, name, sniffed, options, animation?.still);
  } else {
    if (kind === 'video' && primary.width && primary.height) checkImageSize(name, primary.width, primary.height);
    if (options.require === 'audio' && !audio!.codec) fail(MediaErrorCodes.unsupportedCodec, `${name} uses an audio codec ffmpeg cannot decode (${rawCodecTag(data, audio!.index)}).`);
    await checkTail(abs, name, options.require === 'audio' ? audio! : primary, result, stderr, options);
  }
  return result;
}

export function checkImageSize(name: string, width: number, height: number): void {
  if (width > MAX_IMAGE_SIDE_PX || height > MAX_IMAGE_SIDE_PX || width * height > MAX_IMAGE_PIXELS) {
    fail(
      MediaErrorCodes.imageTooLarge,
      `${name} is ${width}x${height} pixels; the studio accepts at most ${MAX_IMAGE_SIDE_PX} px per side and ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
    );
  }
}

function checkRequirement(name: string, probe: MediaProbe, require: MediaRequirement): void {
  if (require === 'audio' && !probe.hasAudio) {
    fail(MediaErrorCodes.noAudioStream, `${name} has no audio stream; choose a song or a video with sound.`);
  }
  if (require === 'image' && probe.kind !== 'image') fail(MediaErrorCodes.notImage, `${name} is ${probe.kind === 'audio' ? 'an audio' : 'a video'} file, not an image.`);
  if (require === 'video' && probe.kind !== 'video') fail(MediaErrorCodes.noVideoStream, `${name} has no video stream.`);
}

/** Reads the packets of the last seconds; a file whose data stops well before its announced end is truncated. */
async function checkTail(file: string, name: string, stream: MediaStream, probe: MediaProbe, probeStderr: string, options: ProbeOptions): Promise<void> {
  const announced = stream.durationSec ?? probe.durationSec;
  const from = Math.max(0, (announced ?? 0) - TAIL_CHECK_SEC);
  const { data, stderr } = await runFfprobe(
    options.ffprobePath,
    [...FORMAT_WHITELIST_ARGS, '-show_error', '-select_streams', String(stream.index), '-show_entries', 'packet=pts_time,duration_time', '-read_intervals', `${from.toFixed(3)}%`, file],
    options.signal,
  );
  const packets = data.packets ?? [];
  if ((announced === null || announced === 0) && packets.length === 0) {
    fail(MediaErrorCodes.empty, `${name} contains no ${stream.type} (zero length).`);
  }
  if (TRUNCATION_MARKERS.test(stderr)) fail(MediaErrorCodes.truncated, `${name} is truncated: its data stops before the end (${lastLine(stderr)}).`);
  // A duration estimated from the bit rate is a guess; only a real index/header duration can be compared.
  if (announced === null || /Estimating duration from bitrate/i.test(probeStderr)) return;
  let lastEnd = 0;
  for (const p of packets) lastEnd = Math.max(lastEnd, numberOr(p.pts_time, 0)! + numberOr(p.duration_time, 0)!);
  const tolerance = Math.max(TAIL_TOLERANCE_MIN_SEC, announced * TAIL_TOLERANCE_FRACTION);
  if (lastEnd < announced - tolerance) {
    fail(MediaErrorCodes.truncated, `${name} is truncated: it announces ${announced.toFixed(2)} s but its ${stream.type} stops at ${lastEnd.toFixed(2)} s.`);
  }
}

/** First frame of an animated WebP (read whole, size-limited), or a named error when it has none. */
export async function animatedWebpFrame(file: string, name: string): Promise<WebpFirstFrame> {
  const { bytes } = await readRegularFile(file, { maxBytes: MAX_IMAGE_FILE_BYTES, codes: { tooLarge: MediaErrorCodes.imageTooLarge, notFound: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notMedia } });
  const frame = webpFirstFrame(bytes);
  if (!frame) return fail(MediaErrorCodes.corrupt, `${name} is an animated WebP without a readable first frame.`);
  checkImageSize(name, frame.canvasWidth, frame.canvasHeight);
  return frame;
}

/** Every chunk and CRC of a PNG, and image data of exactly the announced size: damage ffmpeg would decode around. */
async function checkPngWhole(file: string, name: string): Promise<void> {
  const { bytes } = await readRegularFile(file, { maxBytes: MAX_IMAGE_FILE_BYTES, codes: { tooLarge: MediaErrorCodes.imageTooLarge, notFound: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notMedia } });
  const verdict = await verifyPng(bytes, MAX_IMAGE_PIXELS);
  if (verdict.ok) return;
  if (verdict.problem === 'truncated') fail(MediaErrorCodes.truncated, `${name} is truncated: ${verdict.reason}.`);
  if (verdict.problem === 'too-large') fail(MediaErrorCodes.imageTooLarge, `${name} is too large: ${verdict.reason}.`);
  fail(MediaErrorCodes.corrupt, `${name} is damaged: ${verdict.reason}.`);
}

/**
 * Decodes the image once (size already checked, so this is bounded); damage shows up as decoder errors. `still`
 * (the first frame of an animation) is decoded from stdin instead of the file.
 */
async function checkImageDecodes(file: string, name: string, sniffed: Sniffed, options: ProbeOptions, still?: Buffer): Promise<void> {
  const input = still ? ['-f', 'webp_pipe', '-i', 'pipe:0'] : [...FORMAT_WHITELIST_ARGS, '-i', file];
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      options.ffmpegPath,
      ['-hide_banner', ...(still ? [] : ['-nostdin']), '-v', 'error', '-max_pixels', String(MAX_DECODE_PIXELS), ...input, '-frames:v', '1', '-f', 'null', '-'],
      { timeout: IMAGE_DECODE_TIMEOUT_MS, signal: options.signal, windowsHide: true, maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const e = error as NodeJS.ErrnoException | null;
        if (e?.code === 'ENOENT') reject(new StudioError(MediaErrorCodes.ffmpegMissing, `ffmpeg was not found (${options.ffmpegPath}); install it or set MUSEDANCE_FFMPEG.`));
        else if (e?.name === 'AbortError') reject(e);
        else resolve(String(stderr) + (e ? `\nexit ${String(e.code)}` : ''));
      },
    );
    child.stdin?.on('error', () => {});
    if (still) child.stdin?.end(still);
    else child.stdin?.end();
  });
  const problems = stderr.trim();
  if (!problems) return;
  if (sniffed.truncated) fail(MediaErrorCodes.truncated, `${name} is truncated: ${sniffed.truncated}.`);
  fail(MediaErrorCodes.corrupt, `${name} is damaged and cannot be decoded (${lastLine(problems)}).`);
}

function toStream(s: RawStream): MediaStream {
  const type = (['audio', 'video', 'subtitle', 'data', 'attachment'] as const).find((t) => t === s.codec_type) ?? 'unknown';
  return {
    index: s.index,
    type,
    codec: s.codec_name && s.codec_name !== 'none' ? s.codec_name : null,
    width: s.width && s.width > 0 ? s.width : null,
    height: s.height && s.height > 0 ? s.height : null,
    sampleRate: type === 'audio' ? numberOr(s.sample_rate, null) : null,
    channels: type === 'audio' ? (s.channels ?? null) : null,
    channelLayout: s.channel_layout ?? null,
    fps: type === 'video' ? parseRate(s.avg_frame_rate) : null,
    durationSec: numberOr(s.duration, null),
    attachedPicture: s.disposition?.attached_pic === 1,
  };
}

function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [n, d] = rate.split('/').map(Number);
  return n && d ? n / d : null;
}

function numberOr<T extends number | null>(value: string | undefined, fallback: T): number | T {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) ? n : fallback;
}

const lastLine = (text: string) => text.trim().split('\n').pop()!.replace(/^\[[^\]]+\]\s*/, '').slice(0, 200);

function rawCodecTag(data: RawProbe, index: number): string {
  const raw = (data.streams ?? []).find((s) => s.index === index) as (RawStream & { codec_tag_string?: string; codec_tag?: string }) | undefined;
  return raw?.codec_tag ? `format tag ${raw.codec_tag}` : 'unknown format';
}

function containerLabel(s: Sniffed): string {
  return s.container === 'isobmff' ? 'MP4/MOV file' : s.container === 'ebml' ? 'Matroska/WebM file' : `${s.container} file`;
}
