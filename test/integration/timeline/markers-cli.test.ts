/** `musedance markers export|import` in process, on a real project folder through the real project service. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCliScratch } from '../cli-in-process';

const root = useCliScratch('musedance-markers-cli-');

describe('musedance markers', () => {
  it('imports a label track into a project, exports it in all three formats, and re-imports each identically', async () => {
    const dir = path.join(root(), 'p');
    expect((await cli(['project', 'new', dir, '--json'])).code).toBe(0);
    const labels = path.join(root(), 'labels.txt');
    fs.writeFileSync(labels, '0.5\t0.5\tbeat 1 detected\n1.023456\t1.023456\tbeat 2 user anchored\n61.75\t61.75\tKick\n');
    const imported = await cli(['markers', 'import', dir, labels, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out)).toEqual({ format: 'audacity', imported: 3, replaced: 0, dir });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).beats.map((b: { timeSec: number; source: string; anchored: boolean }) => [b.timeSec, b.source, b.anchored])).toEqual([
      [0.5, 'detected', false],
      [1.023456, 'user', true],
      [61.75, 'user', false],
    ]);
    for (const format of ['audacity', 'csv', 'fcpxml']) {
      const out = path.join(root(), `beats.${format}`);
      const first = await cli(['markers', 'export', dir, '--format', format, '--fps', '25', '--out', out, '--json']);
      expect(JSON.parse(first.out)).toEqual({ format, markers: 3, out });
      const text = fs.readFileSync(out, 'utf8');
      expect((await cli(['markers', 'import', dir, out, '--fps', '25'])).code).toBe(0);
      const again = await cli(['markers', 'export', dir, '--format', format, '--fps', '25', '--json']);
      expect(JSON.parse(again.out).text).toBe(text);
    }
    expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
  });

  it('refuses a bad marker file with a one-line message and leaves the project as it was', async () => {
    const dir = path.join(root(), 'q');
    await cli(['project', 'new', dir]);
    const before = fs.readFileSync(path.join(dir, 'project.json'), 'utf8');
    const bad = path.join(root(), 'bad.csv');
    fs.writeFileSync(bad, 'Name,Start\nfirst,1.0\nsecond,soon\n');
    const r = await cli(['markers', 'import', dir, bad]);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('Row 3: the time is not a number');
    expect(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).toBe(before);
    const usage = await cli(['markers', 'export', dir, '--format', 'mp3']);
    expect(usage.err).toContain('--format must be one of audacity, csv, fcpxml');
  });
});
