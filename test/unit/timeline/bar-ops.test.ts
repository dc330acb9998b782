import { describe, expect, it } from 'vitest';
import { replaceWithDetectedBars } from '../../../renderer/src/features/timeline/bar-ops';
import { beatsWithBars } from '../../../renderer/src/features/timeline/analysis-client';
import type { BeatMarker } from '../../../electron/shared/domain/project';

let n = 0;
const newId = () => `n${n++}`;

describe('beats with bars from the network', () => {
  it('pairs each analysed beat with its bar when it is a downbeat (pick-ups and other beats get none)', () => {
    const r = beatsWithBars({ beatTimesSec: [0.5, 1, 1.5, 2, 2.5], bars: { beatsPerBar: 2, beatInBar: [2, 1, 2, 1, 2], barOfBeat: [0, 1, 1, 2, 2] } });
    expect(r).toEqual({ beatsSec: [0.5, 1, 1.5, 2, 2.5], downbeatBars: [null, 1, null, 2, null] });
    // Without bars (the DP tracker) or with mismatched lengths: no bar anywhere.
    expect(beatsWithBars({ beatTimesSec: [1, 2], bars: null }).downbeatBars).toEqual([null, null]);
    expect(beatsWithBars({ beatTimesSec: [1, 2], bars: { beatsPerBar: 2, beatInBar: [1], barOfBeat: [1] } }).downbeatBars).toEqual([null, null]);
  });

  it('replaces unanchored beats, keeps anchored ones (with the bar of the detected beat they stand for)', () => {
    const current: BeatMarker[] = [
      { id: 'a', timeSec: 0.98, source: 'user', anchored: true, bar: 7 },
      { id: 'z', timeSec: 2.6, source: 'user', anchored: true, bar: 4 },
      { id: 'b', timeSec: 1.3, source: 'user', anchored: false },
      { id: 'c', timeSec: 3.01, source: 'detected', anchored: false, bar: 9 },
    ];
    const out = replaceWithDetectedBars(current, [0.5, 1, 1.5, 2], [null, 1, null, 2], newId);
    expect(out.map((b) => [b.timeSec, b.source, b.anchored, b.bar])).toEqual([
      [0.5, 'detected', false, undefined],
      [0.98, 'user', true, 1],
      [1.5, 'detected', false, undefined],
      [2, 'detected', false, 2],
      [2.6, 'user', true, undefined], // no detected beat there: its old bar number no longer holds
    ]);
    expect(out[1]!.id).toBe('a');
  });
});
