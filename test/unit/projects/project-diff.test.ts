import { describe, expect, it } from 'vitest';
import { emptyProject } from '../../../electron/shared/domain/project';
import { describeProjectDiff, summarizeProject } from '../../../electron/shared/domain/project-diff';

const base = () => {
  const p = emptyProject('Song', { id: 'diffproject01' });
  p.beats = [0, 1, 2, 3].map((i) => ({ id: `b${i}`, timeSec: i * 0.5, source: 'detected' as const, anchored: false }));
  p.segments = [0, 1, 2].map((i) => ({ id: `s${i}`, startFrame: i * 48, frames: 48, prompt: '', seed: i, colour: '#112233', takes: [], keptTakeId: null }));
  return p;
};

describe('project differences for the recovery dialog', () => {
  it('says nothing for identical content', () => {
    expect(describeProjectDiff(base(), base())).toEqual([]);
  });

  it('names what changed in words a user understands', () => {
    const a = base();
    const b = base();
    b.name = 'Song v2';
    b.beats = [...b.beats.filter((x) => x.id !== 'b0'), { id: 'b9', timeSec: 9, source: 'user', anchored: true }];
    b.beats[0] = { ...b.beats[0]!, timeSec: 0.55 };
    b.segments[1] = { ...b.segments[1]!, prompt: 'jump' };
    b.segments[2] = { ...b.segments[2]!, prompt: 'spin' };
    const lines = describeProjectDiff(a, b);
    expect(lines).toContain('Name: "Song" → "Song v2"');
    expect(lines).toContain('Beat markers: 4 → 4 (1 added, 1 removed, 1 moved or edited)');
    expect(lines).toContain('Prompt changed in 2 segments (#2, #3)');
    expect(summarizeProject(b)).toMatchObject({ beats: 4, userBeats: 1, prompts: 2, segments: 3 });
  });
});
