/**
 * Finds the numbered PNG frames in a folder and describes them as an ffmpeg image2 pattern
 * (`frame_%04d.png` + start number). Frames must be consecutive: a gap would silently shift every later
 * frame against the music, so it is an error that names the first missing frame. Every frame is checked
 * before anything is encoded (a regular file inside the folder, a whole PNG, the first frame's size): ffmpeg
 * skips a frame it cannot decode and the video would come out short or shifted while the export "succeeds".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes } from '../../shared/domain/media';
import { readRegularFile } from '../util/safe-open';
import { verifyPng } from './png-check';
import { checkImageSize, MAX_IMAGE_PIXELS } from './probe';

/** A frame file larger than this is not one of the studio's frames (a 4K RGBA PNG is ~35 MB at worst). */
const MAX_FRAME_FILE_BYTES = 128 * 1024 * 1024;
/** Frames verified at once (reading + inflating; two cores). */
const VERIFY_CONCURRENCY = 2;

export interface FrameSequence {
  dir: string;
  /** Absolute image2 pattern (`/dir/frame_%04d.png`). */
  pattern: string;
  startNumber: number;
  count: number;
  firstFile: string;
}

const NUMBERED_PNG = /^(.*?)(\d+)\.png$/i;

export async function findFrameSequence(framesDir: string): Promise<FrameSequence> {
  const dir = path.resolve(framesDir);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    throw new StudioError(MediaErrorCodes.framesMissing, `The frames folder ${dir} does not exist or cannot be read.`);
  }
  // Group by prefix (+ extension case); the biggest group is the sequence.
  const groups = new Map<string, { num: number; digits: string; name: string }[]>();
  for (const name of names) {
    const m = NUMBERED_PNG.exec(name);
    if (!m) continue;
    const key = `${m[1]}\0${name.slice(-4)}`;
    const list = groups.get(key) ?? [];
    list.push({ num: Number(m[2]), digits: m[2]!, name });
    groups.set(key, list);
  }
  const best = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  if (!best) throw new StudioError(MediaErrorCodes.framesMissing, `${dir} holds no numbered PNG frames (e.g. 000001.png).`);
  const [key, frames] = best;
  const [prefix, ext] = key.split('\0') as [string, string];
  frames.sort((a, b) => a.num - b.num);
  for (let i = 1; i < frames.length; i++) {
    if (frames[i]!.num !== frames[i - 1]!.num + 1) {
      throw new StudioError(MediaErrorCodes.framesNotSequential, `Frames in ${dir} are not consecutive: ${frames[i - 1]!.name} is followed by ${frames[i]!.name}.`);
    }
  }
  const widths = new Set(frames.map((f) => f.digits.length));
  const padded = frames.some((f) => f.digits.length > 1 && f.digits.startsWith('0'));
  let numberFormat: string;
  if (widths.size === 1 && padded) numberFormat = `%0${frames[0]!.digits.length}d`;
  else if (!padded) numberFormat = '%d';
  else if (widths.size === 1) numberFormat = `%0${frames[0]!.digits.length}d`;
  else throw new StudioError(MediaErrorCodes.framesNotSequential, `Frame numbers in ${dir} mix zero-padded and unpadded widths.`);
  // A literal % in the folder or prefix must not be read as a pattern.
  const escape = (s: string) => s.replace(/%/g, '%%');
  await verifyFrames(dir, frames.map((f) => f.name));
  return {
    dir,
    pattern: path.join(escape(dir), `${escape(prefix)}${numberFormat}${ext}`),
    startNumber: frames[0]!.num,
    count: frames.length,
    firstFile: path.join(dir, frames[0]!.name),
  };
}

/** Every frame: a regular file inside `dir`, a whole PNG of the first frame's size. Throws naming the first bad one. */
export async function verifyFrames(dir: string, names: string[]): Promise<{ width: number; height: number }> {
  let size: { width: number; height: number; name: string } | null = null;
  const check = async (name: string) => {
    const { bytes } = await readRegularFile(path.join(dir, name), {
      root: dir,
      maxBytes: MAX_FRAME_FILE_BYTES,
      refuseEmpty: true,
      label: `Frame ${name}`,
      codes: { notFound: MediaErrorCodes.framesMissing, notAFile: MediaErrorCodes.corrupt, empty: MediaErrorCodes.corrupt, tooLarge: MediaErrorCodes.imageTooLarge, outsideRoot: MediaErrorCodes.corrupt, unreadable: MediaErrorCodes.corrupt },
    });
    const verdict = await verifyPng(bytes, MAX_IMAGE_PIXELS);
    if (!verdict.ok) {
      const code = verdict.problem === 'truncated' ? MediaErrorCodes.truncated : verdict.problem === 'too-large' ? MediaErrorCodes.imageTooLarge : MediaErrorCodes.corrupt;
      throw new StudioError(code, `Frame ${name} is ${verdict.problem === 'not-png' ? 'not a PNG image' : verdict.problem === 'truncated' ? 'truncated' : verdict.problem === 'too-large' ? 'too large' : 'damaged'}: ${verdict.reason}.`);
    }
    checkImageSize(`Frame ${name}`, verdict.width, verdict.height);
    return verdict;
  };
  const first = await check(names[0]!);
  size = { width: first.width, height: first.height, name: names[0]! };
  let next = 1;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const v = await check(name);
      if (v.width !== size!.width || v.height !== size!.height) {
        throw new StudioError(MediaErrorCodes.corrupt, `Frame ${name} is ${v.width}x${v.height}, but ${size!.name} is ${size!.width}x${size!.height}: every frame must have the same size.`);
      }
    }
  };
  await Promise.all(Array.from({ length: VERIFY_CONCURRENCY }, worker));
  return { width: size.width, height: size.height };
}
