import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBeatCues, writeBeatCues } from '../../../electron/services/media/index';
import { decodeMono, ffmpeg, ffprobeJson, tempDir, tools } from './media-fixtures';

const dir = tempDir('cues');
const f = (name: string) => path.join(dir, name);

beforeAll(() => {
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=220:d=3:sample_rate=48000', '-c:a', 'libvorbis', f('song.ogg'));
});

describe('beat markers as WAV cue points', () => {
  const cues = [
    { timeSec: 2.5, label: 'beat 3 (anchored)' },
    { timeSec: 0.5, label: 'beat 1' },
    { timeSec: 1.0, label: 'downbeat ♪' },
  ];

  it('round trip: every marker comes back at its sample with its label, sorted by time', async () => {
    const r = await writeBeatCues(tools, { songPath: f('song.ogg'), out: f('beats.wav'), cues });
    expect(r).toMatchObject({ cues: 3, sampleRate: 44100 });
    const back = await readBeatCues(r.out);
    expect(back.sampleRate).toBe(44100);
    expect(back.cues.map((c) => c.label)).toEqual(['beat 1', 'downbeat ♪', 'beat 3 (anchored)']);
    for (const [i, t] of [0.5, 1.0, 2.5].entries()) expect(Math.abs(back.cues[i]!.timeSec - t)).toBeLessThanOrEqual(0.5 / 44100);
  });

  it('the file stays a valid WAV with all the audio (chunks appended after data, RIFF size patched)', () => {
    const bytes = fs.readFileSync(f('beats.wav'));
    expect(bytes.readUInt32LE(4) + 8).toBe(bytes.length);
    expect(bytes.indexOf('cue ')).toBeGreaterThan(bytes.indexOf('data'));
    expect(bytes.indexOf('adtl')).toBeGreaterThan(bytes.indexOf('cue '));
    const s = ffprobeJson(f('beats.wav'), '-show_streams').streams[0];
    expect(s).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '44100', channels: 2 });
    expect(Math.abs(decodeMono(f('beats.wav'), 44100).length / 44100 - 3)).toBeLessThan(0.01);
  });

  it('no markers -> an empty cue list; a non-WAV is refused', async () => {
    const r = await writeBeatCues(tools, { songPath: f('song.ogg'), out: f('none.wav'), cues: [] });
    expect((await readBeatCues(r.out)).cues).toEqual([]);
    await expect(readBeatCues(f('song.ogg'))).rejects.toMatchObject({ code: 'MEDIA_NOT_WAV' });
  });
});
