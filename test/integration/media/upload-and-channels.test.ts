import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStudio } from '../../../electron/services/composition-root';
import { config, ffmpeg, newProject, tempDir } from './media-fixtures';

const { registry } = createStudio('test', config);
const dir = tempDir('upload');

async function upload(projectDir: string, uploadId: string, fileName: string, bytes: Buffer, chunkBytes: number) {
  let last: unknown;
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    last = await registry.dispatch('media.upload', {
      projectDir, uploadId, fileName, offset, totalBytes: bytes.length, dataBase64: bytes.subarray(offset, offset + chunkBytes).toString('base64'),
    });
  }
  return last as { ok: boolean; value: { receivedBytes: number; path: string | null } };
}

describe('drop-zone upload + import through the registry (the renderer path)', () => {
  it('a song dropped in chunks is staged under its own name, imported with progress, then discarded', async () => {
    const project = newProject(tempDir('upload-project'));
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', f('song.wav'));
    const bytes = fs.readFileSync(f('song.wav'));
    const staged = await upload(project, 'drop1', '../../../etc/My Song.wav', bytes, 20_000);
    expect(staged.ok).toBe(true);
    expect(staged.value.path).toBe(path.join(project, 'cache', 'uploads', 'drop1', 'My Song.wav'));

    const events: { fraction: number | null; message: string }[] = [];
    const imported = await registry.dispatch('media.importSong', { projectDir: project, path: staged.value.path }, { jobId: 'imp1', emit: (_e, p) => events.push(p as never) });
    expect(imported).toMatchObject({ ok: true, value: { song: { originalName: 'My Song.wav' } } });
    expect(events.at(-1)).toMatchObject({ fraction: 1, message: 'Song imported' });

    expect(await registry.dispatch('media.discardUpload', { projectDir: project, uploadId: 'drop1' })).toEqual({ ok: true, value: { removed: true } });
    expect(fs.existsSync(path.join(project, 'cache', 'uploads', 'drop1'))).toBe(false);
  });

  it('out-of-order and oversized chunks are refused; hostile requests are BAD_REQUEST', async () => {
    const project = newProject(tempDir('upload-bad'));
    const chunk = Buffer.alloc(10).toString('base64');
    expect(await registry.dispatch('media.upload', { projectDir: project, uploadId: 'u2', fileName: 'a.png', offset: 5, totalBytes: 20, dataBase64: chunk })).toMatchObject({ ok: false, error: { code: 'MEDIA_BAD_OUTPUT' } });
    expect(await registry.dispatch('media.upload', { projectDir: project, uploadId: 'u3', fileName: 'a.png', offset: 0, totalBytes: 4, dataBase64: chunk })).toMatchObject({ ok: false, error: { code: 'MEDIA_BAD_OUTPUT' } });
    expect(fs.existsSync(path.join(project, 'cache', 'uploads', 'u3'))).toBe(false);
    expect(await registry.dispatch('media.upload', { projectDir: project, uploadId: '../x', fileName: 'a', offset: 0, totalBytes: 1, dataBase64: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await registry.dispatch('media.upload', { projectDir: dir, uploadId: 'u4', fileName: 'a', offset: 0, totalBytes: 1, dataBase64: 'AA==' })).toMatchObject({ ok: false, error: { code: 'PROJECT_NOT_FOUND' } });
    expect(await registry.dispatch('media.probe', { path: 'x\0y' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await registry.dispatch('media.export', { framesDir: dir, fps: 12, format: 'avi', out: 'x' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('jobs.cancel stops an import started with a jobId', async () => {
    const project = newProject(tempDir('upload-cancel'));
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=2', f('cancel.wav'));
    const pending = registry.dispatch('media.importSong', { projectDir: project, path: f('cancel.wav') }, { jobId: 'imp2' });
    expect(await registry.dispatch('jobs.cancel', { jobId: 'imp2' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(fs.readdirSync(path.join(project, 'media'))).toEqual([]);
  });
});

function f(name: string) {
  return path.join(dir, name);
}
