/** Which import a dropped file goes to, from its MIME type or extension (pure: unit-tested in Node). */
import type { ImportKind } from './import-store';

const IMAGE_EXT = /\.(png|jpe?g|webp|bmp|gif|tiff?|avif|jxl)$/i;
export const VIDEO_EXT = /\.(mp4|m4v|mov|webm|mkv)$/i;
const AUDIO_EXT = /\.(wav|mp3|flac|ogg|oga|opus|m4a|aac|aiff?|wma|mp4|m4v|mov|webm|mkv)$/i;

/** Image or song, from the MIME type or the extension; null when it is neither (the user is told why). */
export function classifyFile(file: { name: string; type: string }): ImportKind | null {
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'image';
  if (file.type.startsWith('audio/') || file.type.startsWith('video/') || AUDIO_EXT.test(file.name)) return 'song';
  return null;
}
