/**
 * Generation settings inside exported files: a JSON object `{"musedance":1,"settings":{...}}` in the
 * container's `comment` tag (MP4 ©cmt, Matroska COMMENT), written through an ffmetadata file so that long
 * prompts never hit the command-line length limit. PNG sequences carry a sidecar JSON file instead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { GenerationSettings, MediaErrorCodes, SETTINGS_TAG_VERSION } from '../../shared/domain/media';
import { runFfprobe } from './ffprobe';
import { checkRegularFile, readRegularText } from '../util/safe-open';
import { FORMAT_WHITELIST_ARGS } from './format-allow-list';

export const SETTINGS_SIDECAR = 'musedance-settings.json';
/** Upper bound of the tag: MP4/WebM players cope with large comments, but there is no reason to exceed this. */
export const MAX_SETTINGS_JSON_BYTES = 4 * 1024 * 1024;

export function settingsJson(settings: GenerationSettings): string {
  const json = JSON.stringify({ musedance: SETTINGS_TAG_VERSION, settings });
  if (Buffer.byteLength(json) > MAX_SETTINGS_JSON_BYTES) {
    throw new StudioError(MediaErrorCodes.badOutput, `The generation settings are larger than ${MAX_SETTINGS_JSON_BYTES / 1024 / 1024} MB and cannot be stored in the file.`);
  }
  return json;
}

/** An ffmetadata file (`;FFMETADATA1`) whose global `comment` is the settings JSON. */
export async function writeFfmetadata(file: string, settings: GenerationSettings): Promise<void> {
  const escaped = settingsJson(settings).replace(/[\\=;#\n]/g, (c) => `\\${c}`);
  await fs.writeFile(file, `;FFMETADATA1\ncomment=${escaped}\n`);
}

export function parseSettingsTag(text: string | undefined): GenerationSettings | null {
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object' || (json as { musedance?: unknown }).musedance !== SETTINGS_TAG_VERSION) return null;
  const parsed = GenerationSettings.safeParse((json as { settings?: unknown }).settings);
  return parsed.success ? parsed.data : null;
}

/** A settings sidecar is a few KB; anything far bigger is not one. */
const MAX_SIDECAR_BYTES = 4 * 1024 * 1024;

/** Settings of an exported MP4/WebM (or a PNG-sequence folder); MEDIA_NO_SETTINGS when it has none. */
export async function readSettings(ffprobePath: string, file: string, signal?: AbortSignal): Promise<GenerationSettings> {
  const abs = path.resolve(file);
  const name = path.basename(abs);
  const stat = await fs.stat(abs).catch(() => null);
  if (!stat) throw new StudioError(MediaErrorCodes.notFound, `${name} does not exist or cannot be read.`);
  let found: GenerationSettings | null = null;
  if (stat.isDirectory()) {
    // The sidecar must be a regular file inside the folder (never a FIFO, never a link elsewhere).
    const text = await readRegularText(path.join(abs, SETTINGS_SIDECAR), { root: abs, maxBytes: MAX_SIDECAR_BYTES }).then((r) => r.text, () => undefined);
    found = parseSettingsTag(text);
  } else {
    await checkRegularFile(abs, { codes: { notFound: MediaErrorCodes.notFound, unreadable: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notMedia } });
    const { data } = await runFfprobe(ffprobePath, [...FORMAT_WHITELIST_ARGS, '-show_error', '-show_entries', 'format_tags', abs], signal);
    if (data.error) throw new StudioError(MediaErrorCodes.notMedia, `${name} is not a media file ffmpeg can read (${data.error.string}).`);
    const tags = data.format?.tags ?? {};
    const comment = Object.entries(tags).find(([k]) => k.toLowerCase() === 'comment')?.[1];
    found = parseSettingsTag(comment);
  }
  if (!found) throw new StudioError(MediaErrorCodes.noSettings, `${name} carries no MuseDance generation settings.`);
  return found;
}
