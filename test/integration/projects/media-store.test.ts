import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addMediaFile } from '../../../electron/services/projects/media-store';
import { resolveInsideProject } from '../../../electron/services/projects/project-layout';
import { MediaRef } from '../../../electron/shared/domain/project';
import { scratchDir } from './helpers';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('content-addressed media', () => {
  it('copies a file to media/<sha256>.<ext> once, whatever its name, and the reference validates', async () => {
    const root = scratchDir();
    dirs.push(root);
    const project = path.join(root, 'p');
    fs.mkdirSync(path.join(project, 'media'), { recursive: true });
    const bytes = crypto.randomBytes(100_000);
    fs.writeFileSync(path.join(root, 'Song (final).WAV'), bytes);
    fs.writeFileSync(path.join(root, 'copy.wav'), bytes);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    const a = await addMediaFile(project, path.join(root, 'Song (final).WAV'));
    const b = await addMediaFile(project, path.join(root, 'copy.wav'));
    expect(a).toEqual({ path: `media/${sha}.wav`, sha256: sha, originalName: 'Song (final).WAV' });
    expect(b.path).toBe(a.path);
    expect(fs.readdirSync(path.join(project, 'media'))).toEqual([`${sha}.wav`]);
    expect(MediaRef.safeParse(a).success).toBe(true);
    expect(fs.readFileSync(path.join(project, a.path)).equals(bytes)).toBe(true);
    await expect(addMediaFile(project, path.join(root, 'missing.wav'))).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
  });

  it('project-relative paths resolve only inside the project, not through symlinks or dangling links', () => {
    const root = scratchDir();
    dirs.push(root);
    const project = path.join(root, 'p');
    fs.mkdirSync(path.join(project, 'media'), { recursive: true });
    fs.symlinkSync(root, path.join(project, 'media', 'up'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(project, 'media', 'dangling.wav'));
    expect(resolveInsideProject(project, 'media/new.wav')).toBe(path.join(project, 'media', 'new.wav'));
    expect(resolveInsideProject(project, 'media/up/x.wav')).toBeNull();
    expect(resolveInsideProject(project, 'media/dangling.wav')).toBeNull();
    expect(resolveInsideProject(project, '../x')).toBeNull();
    expect(resolveInsideProject(project, '/etc/passwd')).toBeNull();
  });
});
