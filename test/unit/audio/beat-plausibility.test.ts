/**
 * Issue 25, item 11: beats per second are bounded by the tempo. A 1-second excerpt of a 160 BPM piece holds
 * at most 3 beats (0, 0.375, 0.75 s), never 6; a normal result passes through unchanged.
 */
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundBeatsPerSecond, maxPlausibleBeats } from '../../../electron/services/audio/beat-plausibility';
import { BeatAnalysisService } from '../../../electron/services/audio/beat-analysis-service';
import type { BeatTrack } from '../../../electron/services/audio/track-beats';

const track = (beats: number[], confidence: number[], tempoBpm: number, curve: number[] = [tempoBpm]): BeatTrack => ({
  tempoBpm,
  beatTimesSec: beats,
  beatConfidence: confidence,
  confidence: 0.5,
  onsetTimesSec: [],
  halfBeatTimesSec: beats.filter((_, i) => i % 2 === 0),
  doubleBeatTimesSec: beats,
  tempoCurveBpm: curve,
  tempoCurveStepSec: 1,
  silent: false,
});

describe('a plausibility bound on beats per second', () => {
  it('a 1-second excerpt at 160 BPM keeps at most 3 of 6 beats, the most confident, at least 0.2 s apart', () => {
    const six = track([0.05, 0.2, 0.38, 0.55, 0.75, 0.9], [0.9, 0.2, 0.8, 0.3, 0.85, 0.1], 160);
    expect(maxPlausibleBeats(six, 1)).toBe(3);
    const bounded = boundBeatsPerSecond(six, 1);
    expect(bounded.beatTimesSec).toEqual([0.05, 0.38, 0.75]);
    expect(bounded.beatConfidence).toEqual([0.9, 0.8, 0.85]);
    expect(bounded.doubleBeatTimesSec).toEqual([0.05, 0.215, 0.38, 0.565, 0.75]);
  });

  it('beats closer than the fastest tempo (300 BPM) are thinned even when the count fits', () => {
    const close = track([1, 1.05, 2, 3], [0.5, 0.9, 0.5, 0.5], 60);
    expect(boundBeatsPerSecond(close, 4).beatTimesSec).toEqual([1.05, 2, 3]);
  });

  it('a plausible track is returned as it is (property: steady beats at the reported tempo)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 240 }), fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (bpm, seconds, phase) => {
        const period = 60 / bpm;
        const beats: number[] = [];
        for (let t = phase * period; t < seconds; t += period) beats.push(Math.round(t * 1000) / 1000);
        const t = track(beats, beats.map(() => 0.5), bpm, Array.from({ length: seconds }, () => bpm));
        expect(boundBeatsPerSecond(t, seconds)).toBe(t);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('the beat service applies it: a 1-second excerpt of a 160 BPM piece has at most 3 beats', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-plausible-'));
    try {
      const piece = path.join(dir, 'piece.wav');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'aevalsrc=0.8*exp(-40*mod(t\\,0.375))*sin(2*PI*100*t)+0.4*exp(-80*mod(t\\,0.09375))*sin(2*PI*5000*t):s=44100:d=1', '-c:a', 'pcm_s16le', piece]);
      const service = new BeatAnalysisService({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', cacheDir: path.join(dir, 'cache') });
      const a = await service.analyse(piece);
      expect(a.beatTimesSec.length).toBeLessThanOrEqual(Math.floor((a.durationSec * Math.max(160, a.tempoBpm)) / 60) + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
