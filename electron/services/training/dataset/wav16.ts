/**
 * Just enough WAV for dataset windows: read a 16-bit PCM WAV that ffmpeg wrote (walking its chunks, since
 * ffmpeg may add LIST chunks before `data`) and write slices of it as 16-bit mono PCM.
 */
import fs from 'node:fs/promises';
import { StudioError } from '../../../shared/result';
import { TrainingErrorCodes } from '../../../shared/domain/training';

export interface Pcm16 {
  sampleRate: number;
  channels: number;
  samples: Int16Array;
}

export async function readWavPcm16(file: string): Promise<Pcm16> {
  const buf = await fs.readFile(file);
  const bad = (why: string) => new StudioError(TrainingErrorCodes.datasetInvalid, `${file} is not a 16-bit PCM WAV (${why}).`);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw bad('no RIFF/WAVE header');
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw bad('data before fmt');
      if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) throw bad(`format ${fmt.format}, ${fmt.bits} bits`);
      // ffmpeg writing to a pipe leaves the size at 0xFFFFFFFF: the data runs to the end of the file.
      size = Math.min(size, buf.length - body);
      const count = Math.floor(size / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = buf.readInt16LE(body + 2 * i);
      return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw bad('no data chunk');
}

export async function writeWavPcm16Mono(file: string, sampleRate: number, samples: Int16Array): Promise<void> {
  const header = Buffer.alloc(44);
  const dataBytes = samples.length * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  const body = Buffer.from(samples.buffer, samples.byteOffset, dataBytes);
  await fs.writeFile(file, Buffer.concat([header, body]));
}
