import { describe, expect, it } from 'vitest';
import { segmentBeatOneHot } from '../../../electron/services/inference/beat-onehot';
import { segmentSamples } from '../../../electron/services/inference/kaldi-fbank';
import { cleanText, preTokenize } from '../../../electron/services/inference/clip-tokenizer';

describe('segment inputs (PACK.md rules)', () => {
  it('beat -> frame rounds half up and keeps beats inside [0, K)', () => {
    const onehot = segmentBeatOneHot([3.9, 4 - 0.5 / 12, 4.0, 4.5, 4.54, 7.95, 8.0], 4, 12, 48);
    expect(onehot[0]).toBe(1); // exactly half a frame before the start rounds into frame 0
    expect(onehot[6]).toBe(1); // 4.5 s -> frame 6
    expect(onehot[7]).toBe(0); // 4.54 s -> 6.48 -> frame 6 too
    expect(onehot[47]).toBe(1); // 7.95 s -> 47.4 -> frame 47; 8.0 s -> frame 48 belongs to the next segment
    expect(Array.from(onehot).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('audio slice starts at the rounded sample and is zero-padded past the end of the song', () => {
    const song = Float32Array.from({ length: 16000 }, (_, i) => i + 1);
    const slice = segmentSamples(song, 0.5, 16000, 12000);
    expect(slice[0]).toBe(8001);
    expect(slice[7999]).toBe(16000);
    expect(slice[8000]).toBe(0);
    expect(slice.length).toBe(12000);
    expect(segmentSamples(song, 5, 16000, 10).every((v) => v === 0)).toBe(true);
  });

  it('tokenizer text cleanup and pre-tokenisation follow CLIP', () => {
    expect(cleanText('  Sways   side\tto\nside  ')).toBe('sways side to side');
    expect(cleanText('fish &amp;amp; chips &#x41;')).toBe('fish & chips a');
    expect(cleanText('the dancer\u2019s \u201cmoon\u201d')).toBe('the dancer\'s "moon"');
    expect(preTokenize("it's 360!!! ok")).toEqual(['it', "'s", '3', '6', '0', '!!!', 'ok']);
    expect(preTokenize('<|startoftext|>x<|endoftext|>')).toEqual(['<|startoftext|>', 'x', '<|endoftext|>']);
  });
});
