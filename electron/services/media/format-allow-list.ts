/**
 * The containers and codecs the studio opens, and nothing else. ffmpeg can read hundreds of formats, some of
 * which run scripts (SVG), follow other files (playlists, concat lists) or are rarely-used parsers: every
 * ffprobe/ffmpeg call on a user's file passes `-format_whitelist`, and probe accepts an image only when its
 * header, its demuxer and its codec all say the same allowed format.
 */
import type { ImageFormat } from './file-sniff';

/** Demuxers of songs and clips (ffmpeg's short names; `mov` covers mp4/m4a/3gp, `matroska` covers webm). */
export const AUDIO_VIDEO_DEMUXERS = ['wav', 'w64', 'mp3', 'flac', 'ogg', 'mov', 'matroska', 'aac', 'aiff', 'avi'] as const;
/**
 * Demuxers of still images, and no other `*_pipe`. image2 picks its decoder from the file's extension (ffmpeg
 * falls back to it for JPEGs without a JFIF/EXIF marker), so probe also requires the file's own header to be
 * of the format whose codec ffmpeg chose (IMAGE_CODECS): an SVG called .png has no PNG header.
 */
export const IMAGE_DEMUXERS = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'gif', 'bmp_pipe', 'image2'] as const;

/** `-format_whitelist` value for every ffprobe/ffmpeg that opens a user's media file. */
export const FORMAT_WHITELIST = [...AUDIO_VIDEO_DEMUXERS, ...IMAGE_DEMUXERS].join(',');
export const FORMAT_WHITELIST_ARGS = ['-format_whitelist', FORMAT_WHITELIST];

/** The only codec each image format may decode with. */
export const IMAGE_CODECS: Record<ImageFormat, string> = { png: 'png', jpeg: 'mjpeg', webp: 'webp', gif: 'gif', bmp: 'bmp' };

/** True when ffprobe's format name (possibly a comma list like `mov,mp4,m4a`) is one of the image demuxers. */
export const isImageDemuxer = (formatName: string): boolean => formatName.split(',').some((n) => (IMAGE_DEMUXERS as readonly string[]).includes(n));
