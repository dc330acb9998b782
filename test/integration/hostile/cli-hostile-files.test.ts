/**
 * Issue 25, through the CLI as a user's script would call it: FIFOs named like media never block a command
 * (items 1, 2), symlinks out of a project are never followed nor quoted (items 6, 7), and every command reads
 * a relative path against the user's working folder, INIT_CWD under `npm run` (item 12).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCliScratch } from '../cli-in-process';
import { ffmpeg } from '../media/media-fixtures';

const root = useCliScratch('musedance-hostile-cli-');
const repo = path.resolve(import.meta.dirname, '../../..');
const SHA = 'a'.repeat(64);

/** Every command below, run in one child process; returns the exit code and last stdout line of each (null = never returned). */
function runInChild(runs: string[][], timeoutMs: number): Array<{ code: number; out: string } | null> {
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(import.meta.dirname, 'cli-child.ts'), JSON.stringify(runs)], {
    cwd: repo,
    timeout: timeoutMs,
    encoding: 'utf8',
    env: { ...process.env },
    killSignal: 'SIGKILL',
  });
  const results: Array<{ code: number; out: string } | null> = runs.map(() => null);
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^DONE (\d+) (\d+) (.*)$/.exec(line);
    if (m) results[Number(m[1])] = { code: Number(m[2]), out: m[3]! };
  }
  return results;
}

async function newProject(name: string): Promise<string> {
  const dir = path.join(root(), name);
  expect((await cli(['project', 'new', dir, '--json'])).code).toBe(0);
  return dir;
}

function editProject(dir: string, edit: (p: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'project.json');
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(p);
  fs.writeFileSync(file, JSON.stringify(p));
}

describe('no command blocks on a FIFO (items 1, 2)', () => {
  it('cues read, markers import, probe, beats, settings, import and export answer a FIFO with a named error', async () => {
    const dir = await newProject('fifo-project');
    const fifo = (name: string) => {
      const f = path.join(root(), name);
      execFileSync('mkfifo', [f]);
      return f;
    };
    const frames = path.join(root(), 'fifo-frames');
    fs.mkdirSync(frames);
    execFileSync('mkfifo', [path.join(frames, '000001.png')]);
    const song = path.join(root(), 'ok.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', song);
    const runs = [
      ['cues', 'read', fifo('x.wav'), '--json'],
      ['markers', 'import', dir, fifo('beats.txt'), '--json'],
      ['probe', fifo('y.wav'), '--json'],
      ['beats', fifo('z.mp3'), '--json'],
      ['settings', fifo('v.mp4'), '--json'],
      ['import', 'image', dir, fifo('i.png'), '--size', '64x64', '--json'],
      ['cues', 'write', song, fifo('beats.json'), '--out', path.join(root(), 'cued.wav'), '--json'],
      ['export', frames, '--fps', '12', '--out', path.join(root(), 'fifo.mp4'), '--json'],
    ];
    const started = performance.now();
    const results = runInChild(runs, 60_000);
    for (const [i, r] of results.entries()) {
      expect(r, `${runs[i]!.slice(0, 2).join(' ')} never returned`).not.toBeNull();
      expect(r!.code, runs[i]!.join(' ')).toBe(1);
      const error = JSON.parse(r!.out).error as { code: string; message: string };
      expect(error.code, `${runs[i]!.join(' ')}: ${error.message}`).not.toBe('INTERNAL');
    }
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);
});

describe('no command answers INTERNAL for any input file', () => {
  it('random bytes, empty files, folders, symlink loops and devices get named errors from every file-reading command', async () => {
    const dir = await newProject('internal-project');
    const kinds: Record<string, (file: string) => void> = {
      random: (f) => fs.writeFileSync(f, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256))),
      empty: (f) => fs.writeFileSync(f, ''),
      folder: (f) => fs.mkdirSync(f),
      loop: (f) => (fs.symlinkSync(`${path.basename(f)}.b`, f), fs.symlinkSync(path.basename(f), `${f}.b`)),
      device: (f) => fs.symlinkSync('/dev/zero', f),
    };
    for (const [kind, make] of Object.entries(kinds)) {
      // The name matters only where content is read (format detection by extension): random bytes try two.
      for (const ext of kind === 'random' ? ['png', 'fcpxml'] : ['wav']) {
        const file = path.join(root(), `${kind}-input.${ext}`);
        make(file);
        const runs = [
          ['probe', file],
          ['cues', 'read', file],
          ['markers', 'import', dir, file],
          ['settings', file],
          ['beats', file],
          ['import', 'image', dir, file, '--size', '64x64'],
          ['import', 'song', dir, file],
          ['export', path.join(root(), 'no-frames'), '--fps', '12', '--out', path.join(root(), 'x.mp4'), '--settings', file],
        ];
        for (const argv of runs) {
          const r = await cli([...argv, '--json']);
          expect(r.code, `${argv.join(' ')}`).toBe(1);
          expect(JSON.parse(r.out).error.code, `${argv.join(' ')}: ${r.out}`).not.toBe('INTERNAL');
        }
      }
    }
  }, 120_000);
});

describe('nothing outside the project is followed or quoted (items 6, 7)', () => {
  it('markers export does not take the duration of a song that is a symlink out of the project', async () => {
    const outside = path.join(root(), 'outside-30s.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=30', outside);
    for (const how of ['song', 'media-folder'] as const) {
      const dir = await newProject(`linked-${how}`);
      if (how === 'song') fs.symlinkSync(outside, path.join(dir, 'media', 'song.wav'));
      else {
        fs.rmSync(path.join(dir, 'media'), { recursive: true, force: true });
        const elsewhere = path.join(root(), `elsewhere-${how}`);
        fs.mkdirSync(elsewhere);
        fs.copyFileSync(outside, path.join(elsewhere, 'song.wav'));
        fs.symlinkSync(elsewhere, path.join(dir, 'media'));
      }
      editProject(dir, (p) => {
        p.song = { path: 'media/song.wav', sha256: SHA, originalName: 'song.wav' };
        p.beats = [
          { id: 'b1', timeSec: 1, source: 'user', anchored: false },
          { id: 'b2', timeSec: 2, source: 'user', anchored: false },
        ];
      });
      const r = await cli(['markers', 'export', dir, '--format', 'fcpxml', '--json']);
      expect(r.code, r.err).toBe(0);
      const text = JSON.parse(r.out).text as string;
      // The sequence lasts as long as the last beat, not the 30 s of the file outside.
      expect(text).toContain('duration="2000000/1000000s"');
      expect(text).not.toContain('30000000/1000000s');
    }
  });

  it('project inspect skips a backup that links out of the project and never prints its bytes', async () => {
    const dir = await newProject('inspect-link');
    const secret = path.join(root(), 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-BYTES that are not JSON at all');
    fs.mkdirSync(path.join(dir, 'backups'), { recursive: true });
    fs.symlinkSync(secret, path.join(dir, 'backups', 'project.000000000007.json'));
    fs.symlinkSync(secret, path.join(dir, 'project.autosave.json'));
    const r = await cli(['project', 'inspect', dir, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out + r.err).not.toContain('TOP-SECRET');
    const report = JSON.parse(r.out) as { skipped: { file: string; reason: string }[] };
    expect(report.skipped.map((s) => s.file).sort()).toEqual(['backups/project.000000000007.json', 'project.autosave.json']);
    for (const s of report.skipped) expect(s.reason).toMatch(/outside/);
    const text = await cli(['project', 'inspect', dir]);
    expect(text.out + text.err).not.toContain('TOP-SECRET');
  });
});

describe('relative paths are the user\'s working folder in every command (item 12)', () => {
  it('beats, project, pack, markers, generate and dataset read INIT_CWD, as probe, import and export do', async () => {
    const here = path.join(root(), 'user-cwd');
    fs.mkdirSync(here);
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=2', path.join(here, 'tone.wav'));
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x64', '-frames:v', '1', path.join(here, 'face.png'));
    fs.writeFileSync(path.join(here, 'labels.txt'), '0.5\t0.5\tbeat\n');
    fs.mkdirSync(path.join(here, 'not-a-pack'));
    const previous = process.env.INIT_CWD;
    process.env.INIT_CWD = here;
    try {
      expect(process.cwd()).not.toBe(here);
      const created = await cli(['project', 'new', 'rel-project', '--json']);
      expect(created.code, created.err).toBe(0);
      expect(fs.existsSync(path.join(here, 'rel-project', 'project.json'))).toBe(true);
      expect((await cli(['project', 'validate', 'rel-project'])).code).toBe(0);
      const imported = await cli(['markers', 'import', 'rel-project', 'labels.txt', '--json']);
      expect(imported.code, imported.err).toBe(0);
      const exported = await cli(['markers', 'export', 'rel-project', '--out', 'out.txt', '--json']);
      expect(exported.code, exported.err).toBe(0);
      expect(fs.existsSync(path.join(here, 'out.txt'))).toBe(true);
      const beats = await cli(['beats', 'tone.wav', '--json']);
      expect(beats.code, beats.err).toBe(0);
      const pack = await cli(['pack', 'validate', 'not-a-pack', '--json']);
      expect(JSON.parse(pack.out).error.code).toBe('PACK_MANIFEST_INVALID');
      const generate = await cli(['generate', '--image', 'face.png', '--audio', 'tone.wav', '--prompt', 'x', '--pack', 'no-such-pack-id', '--out', 'g.mp4', '--json']);
      expect(JSON.parse(generate.out).error.code, generate.err).toBe('PACK_NOT_FOUND');
      const dataset = await cli(['dataset', 'prepare', 'missing-clip.mp4', '--out', 'rel-dataset', '--json']);
      expect(dataset.code).toBe(1);
      expect(fs.existsSync(path.join(here, 'rel-dataset', 'sources.json'))).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = previous;
    }
  });
});
