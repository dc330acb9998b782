import { describe, expect, it } from 'vitest';
import { applyRecalledSettings } from '../../../renderer/src/features/media/recall-settings';
import { classifyFile } from '../../../renderer/src/features/media/classify-file';
import { emptyProject, type Project } from '../../../electron/shared/domain/project';
import type { GenerationSettings } from '../../../electron/shared/domain/media';

const segment = (id: string, startFrame: number) => ({ id, startFrame, frames: 48, prompt: '', seed: 0, colour: '#336699', takes: [], keptTakeId: null });

describe('recalled settings', () => {
  const settings: GenerationSettings = {
    packId: 'p', beatsHash: 'h', fps: 12,
    segments: [
      { startFrame: 0, frames: 48, prompt: 'spin', seed: 11 },
      { startFrame: 96, frames: 48, prompt: 'jump', seed: 33 },
    ],
  };

  it('copies prompt and seed onto segments starting at the same frame, leaves others alone', () => {
    const project: Project = { ...emptyProject('x'), segments: [segment('a', 0), segment('b', 48), segment('c', 96)] };
    const r = applyRecalledSettings(project, settings);
    expect(r.matched).toBe(2);
    expect(r.project.segments.map((s) => [s.prompt, s.seed])).toEqual([['spin', 11], ['', 0], ['jump', 33]]);
    expect(project.segments[0]!.prompt).toBe(''); // the input is not mutated (undo keeps the old state)
  });

  it('returns the same project object when nothing matches (no empty undo step)', () => {
    const project: Project = { ...emptyProject('x'), segments: [segment('a', 5)] };
    expect(applyRecalledSettings(project, settings)).toEqual({ project, matched: 0 });
  });
});

describe('drop classification', () => {
  it.each([
    [{ name: 'me.JPG', type: '' }, 'image'],
    [{ name: 'x', type: 'image/webp' }, 'image'],
    [{ name: 'song.flac', type: '' }, 'song'],
    [{ name: 'take.mp4', type: 'video/mp4' }, 'song'],
    [{ name: 'notes.txt', type: 'text/plain' }, null],
  ])('%o -> %s', (file, kind) => expect(classifyFile(file)).toBe(kind));
});
