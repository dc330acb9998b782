/**
 * Beat markers as WAV cue points, the form DAWs and audio editors read (Audacity labels, Reaper/Adobe
 * markers): a `cue ` chunk with one point per marker (sample offset into `data`) and a `LIST`/`adtl` chunk
 * with one `labl` text per point. The song is rendered to 44.1 kHz stereo PCM by ffmpeg, then the two chunks
 * are appended and the RIFF size patched; the audio bytes are never rewritten.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes, type WavCue } from '../../shared/domain/media';
import { partialPath, removeAll } from './content-store';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg-job';
import { STEREO_44K_SAMPLE_RATE } from './import-song';
import { probeMedia } from './probe';
import { cancellable, fractionOf, type MediaJobOptions, type MediaTools } from './tools';
import { openRegularFile } from '../util/safe-open';

const CUE_POINT_BYTES = 24;
/** Largest WAV chunk walked when reading cues (a corrupt size field must not drive a huge allocation). */
const MAX_META_CHUNK_BYTES = 16 * 1024 * 1024;

const pad = (n: number) => n + (n & 1);

/** `cue ` + `LIST adtl` chunks for cues at the given sample rate. */
export function cueChunks(cues: WavCue[], sampleRate: number): Buffer {
  const sorted = [...cues].sort((a, b) => a.timeSec - b.timeSec);
  const cue = Buffer.alloc(12 + CUE_POINT_BYTES * sorted.length);
  cue.write('cue ', 0, 'latin1');
  cue.writeUInt32LE(4 + CUE_POINT_BYTES * sorted.length, 4);
  cue.writeUInt32LE(sorted.length, 8);
  const labels: Buffer[] = [];
  sorted.forEach((c, i) => {
    const id = i + 1;
    const sample = Math.round(c.timeSec * sampleRate);
    const o = 12 + i * CUE_POINT_BYTES;
    cue.writeUInt32LE(id, o); // dwName: the id labels refer to
    cue.writeUInt32LE(sample, o + 4); // dwPosition
    cue.write('data', o + 8, 'latin1'); // fccChunk
    cue.writeUInt32LE(0, o + 12); // dwChunkStart
    cue.writeUInt32LE(0, o + 16); // dwBlockStart
    cue.writeUInt32LE(sample, o + 20); // dwSampleOffset
    const text = Buffer.from(c.label + '\0', 'utf8');
    const labl = Buffer.alloc(8 + pad(4 + text.length));
    labl.write('labl', 0, 'latin1');
    labl.writeUInt32LE(4 + text.length, 4);
    labl.writeUInt32LE(id, 8);
    text.copy(labl, 12);
    labels.push(labl);
  });
  const adtlBody = Buffer.concat([Buffer.from('adtl', 'latin1'), ...labels]);
  const list = Buffer.alloc(8);
  list.write('LIST', 0, 'latin1');
  list.writeUInt32LE(adtlBody.length, 4);
  return Buffer.concat([cue, list, adtlBody]);
}

/** Appends cue chunks to a WAV file ffmpeg (or anyone) wrote, and fixes the RIFF size. */
export async function appendCues(wavFile: string, cues: WavCue[], sampleRate: number): Promise<void> {
  const handle = await fs.open(wavFile, 'r+');
  try {
    const { size } = await handle.stat();
    if (size & 1) await handle.write(Buffer.alloc(1), 0, 1, size); // chunks start on even offsets
    const chunks = cueChunks(cues, sampleRate);
    const start = size + (size & 1);
    await handle.write(chunks, 0, chunks.length, start);
    const riffSize = Buffer.alloc(4);
    riffSize.writeUInt32LE(start + chunks.length - 8);
    await handle.write(riffSize, 0, 4, 4);
  } finally {
    await handle.close();
  }
}

export interface WriteBeatCuesRequest extends MediaJobOptions {
  songPath: string;
  out: string;
  cues: WavCue[];
  overwrite?: boolean;
}

export function writeBeatCues(tools: MediaTools, request: WriteBeatCuesRequest): Promise<{ out: string; cues: number; sampleRate: number }> {
  return cancellable(request.signal, 'Beat cue WAV', () => writeBeatCuesJob(tools, request));
}

async function writeBeatCuesJob(tools: MediaTools, request: WriteBeatCuesRequest): Promise<{ out: string; cues: number; sampleRate: number }> {
  const { signal, onProgress } = request;
  const probe = await probeMedia(request.songPath, { ...tools, require: 'audio', signal });
  const out = path.resolve(request.out);
  if (!request.overwrite && (await fs.stat(out).catch(() => null))) throw new StudioError(MediaErrorCodes.badOutput, `${out} already exists.`);
  const partial = partialPath(out);
  try {
    const command = createFfmpegCommand(tools)
      .input(probe.path)
      .output(partial)
      // No LIST/INFO chunk from ffmpeg: the only LIST in the file is our adtl.
      .outputOptions(['-map', '0:a:0', '-vn', '-ac', '2', '-ar', String(STEREO_44K_SAMPLE_RATE), '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', '-f', 'wav']);
    await runFfmpeg(command, {
      label: 'Beat cue WAV',
      signal,
      onProgress: (p) => onProgress?.(fractionOf(p.outTimeSec, probe.durationSec ?? 0), 'Writing WAV'),
    });
    await appendCues(partial, request.cues, STEREO_44K_SAMPLE_RATE);
    await fs.rename(partial, out);
  } catch (error) {
    await removeAll([partial]);
    throw error;
  }
  return { out, cues: request.cues.length, sampleRate: STEREO_44K_SAMPLE_RATE };
}

/** Cue points of a WAV with their `labl` texts, in time order. */
export async function readBeatCues(file: string): Promise<{ sampleRate: number; cues: WavCue[] }> {
  const abs = path.resolve(file);
  const name = path.basename(abs);
  const notWav = (why: string) => new StudioError(MediaErrorCodes.notWav, `${name} is not a readable WAV file (${why}).`);
  // Regular files only, checked before opening: a FIFO named x.wav would block the open forever.
  const opened = await openRegularFile(abs, { codes: { notFound: MediaErrorCodes.notFound, unreadable: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notWav, outsideRoot: MediaErrorCodes.notFound } });
  const { handle, size } = opened;
  try {
    const header = Buffer.alloc(12);
    await handle.read(header, 0, 12, 0);
    if (header.toString('latin1', 0, 4) !== 'RIFF' || header.toString('latin1', 8, 12) !== 'WAVE') throw notWav('no RIFF/WAVE header');
    let sampleRate = 0;
    const points = new Map<number, number>();
    const labels = new Map<number, string>();
    const readChunk = async (offset: number, length: number) => {
      if (length > MAX_META_CHUNK_BYTES) throw notWav(`a ${length}-byte metadata chunk`);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, offset);
      return buf;
    };
    let offset = 12;
    const head = Buffer.alloc(8);
    while (offset + 8 <= size) {
      await handle.read(head, 0, 8, offset);
      const id = head.toString('latin1', 0, 4);
      const length = head.readUInt32LE(4);
      const body = offset + 8;
      if (id === 'fmt ') sampleRate = (await readChunk(body, Math.min(length, 16))).readUInt32LE(4);
      else if (id === 'cue ') {
        const buf = await readChunk(body, length);
        const n = Math.min(buf.readUInt32LE(0), Math.floor((length - 4) / CUE_POINT_BYTES));
        for (let i = 0; i < n; i++) points.set(buf.readUInt32LE(4 + i * CUE_POINT_BYTES), buf.readUInt32LE(4 + i * CUE_POINT_BYTES + 20));
      } else if (id === 'LIST') {
        const buf = await readChunk(body, length);
        if (buf.toString('latin1', 0, 4) === 'adtl') {
          let o = 4;
          while (o + 8 <= buf.length) {
            const sub = buf.toString('latin1', o, o + 4);
            const subLength = buf.readUInt32LE(o + 4);
            if (sub === 'labl' && subLength >= 4) {
              const text = buf.subarray(o + 12, Math.min(buf.length, o + 8 + subLength));
              labels.set(buf.readUInt32LE(o + 8), text.toString('utf8').replace(/\0+$/, ''));
            }
            o += 8 + pad(subLength);
          }
        }
      }
      offset = body + pad(length);
    }
    if (!sampleRate) throw notWav('no fmt chunk');
    const cues = [...points.entries()]
      .map(([id, sample]) => ({ timeSec: sample / sampleRate, label: labels.get(id) ?? '' }))
      .sort((a, b) => a.timeSec - b.timeSec);
    return { sampleRate, cues };
  } catch (error) {
    if (error instanceof StudioError) throw error;
    // Truncated chunks (RangeError) and read errors (EIO) mean the file is damaged, not that we crashed.
    throw notWav(error instanceof Error ? (('code' in error && String(error.code)) || error.message) : String(error));
  } finally {
    await handle.close();
  }
}
