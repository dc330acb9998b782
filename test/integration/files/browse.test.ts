/** The browser host's file picker listing (issue 23 #10): folders first, projects marked, nothing outside the roots. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browseRoots, listFolder } from '../../../electron/services/files/browse';
import { createStudio } from '../../../electron/services/composition-root';
import { loadConfig } from '../../../electron/services/config';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-browse-')));
const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-outside-')));
fs.mkdirSync(path.join(root, 'songs'));
fs.mkdirSync(path.join(root, 'my-dance'));
fs.writeFileSync(path.join(root, 'my-dance', 'project.json'), '{}');
fs.writeFileSync(path.join(root, 'photo.png'), 'x');
fs.writeFileSync(path.join(root, '.hidden'), 'x');
fs.symlinkSync(outside, path.join(root, 'escape'));
const roots = [{ label: 'work', path: root }];

describe('files.list', () => {
  it('lists folders first, marks projects, hides dot files, has no parent at a root', async () => {
    const r = await listFolder(roots, undefined);
    expect(r.dir).toBe(root);
    expect(r.parent).toBeNull();
    expect(r.entries.map((e) => [e.name, e.kind, e.isProject])).toEqual([
      ['my-dance', 'folder', true],
      ['songs', 'folder', false],
      ['photo.png', 'file', false],
    ]);
    const inner = await listFolder(roots, path.join(root, 'songs'));
    expect(inner.parent).toBe(root);
  });

  it('refuses paths outside the roots, also through a symlink', async () => {
    await expect(listFolder(roots, outside)).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' });
    await expect(listFolder(roots, path.join(root, 'escape'))).rejects.toMatchObject({ code: 'FILES_OUTSIDE_ROOTS' });
    await expect(listFolder(roots, path.join(root, 'photo.png'))).rejects.toMatchObject({ code: 'FILES_NOT_A_FOLDER' });
  });

  it('roots come from MUSEDANCE_BROWSE_ROOTS, else the home folder; the channel answers through the registry', async () => {
    expect(browseRoots({}).map((r) => r.path)).toEqual([os.homedir()]);
    expect(browseRoots({ MUSEDANCE_BROWSE_ROOTS: [root, outside].join(path.delimiter) }).map((r) => r.path)).toEqual([root, outside]);
    const previous = process.env.MUSEDANCE_BROWSE_ROOTS;
    process.env.MUSEDANCE_BROWSE_ROOTS = root;
    try {
      const studio = createStudio('test', { ...loadConfig(), dataDir: path.join(root, 'data') });
      const r = await studio.registry.dispatch('files.list', { dir: path.join(root, 'songs') });
      expect(r).toMatchObject({ ok: true, value: { dir: path.join(root, 'songs'), entries: [] } });
      const bad = await studio.registry.dispatch('files.list', { dir: '/etc' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'FILES_OUTSIDE_ROOTS' } });
    } finally {
      if (previous === undefined) delete process.env.MUSEDANCE_BROWSE_ROOTS;
      else process.env.MUSEDANCE_BROWSE_ROOTS = previous;
    }
  });
});
