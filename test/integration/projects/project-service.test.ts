import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../../../electron/shared/domain/project';
import { scratchDir, testStudio } from './helpers';

const dirs: string[] = [];
const scratch = () => {
  const d = scratchDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const withBeats = (p: Project, n: number): Project => ({ ...p, beats: Array.from({ length: n }, (_, i) => ({ id: `b${i}`, timeSec: i / 2, source: 'user' as const, anchored: false })) });
/** A pid that certainly belongs to no running process: a child that has already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('project folders over IPC', () => {
  it('new creates project.json, media/, takes/, cache/ and a lock; close removes the lock', async () => {
    const root = scratch();
    const studio = testStudio(path.join(root, 'data'));
    const dir = path.join(root, 'My Dance');
    const opened = await studio.call('project.new', { dir, name: 'My Dance' });
    expect(opened.project).toMatchObject({ version: 2, name: 'My Dance', saved: { seq: 1, kind: 'new' } });
    expect(fs.readdirSync(dir).sort()).toEqual(['cache', 'media', 'project.json', 'project.lock', 'takes']);
    expect(await studio.fail('project.new', { dir, name: 'again' })).toMatchObject({ code: 'PROJECT_EXISTS' });
    await studio.call('project.close', {});
    expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
    // A folder with someone's files in it is never turned into a project.
    const busy = path.join(root, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'thesis.docx'), 'precious');
    expect(await studio.fail('project.new', { dir: busy, name: 'x' })).toMatchObject({ code: 'PROJECT_DIR_NOT_EMPTY' });
    // Every IPC path is absolute (HostPath in the contract): the schema refuses a relative one before the service runs.
    expect(await studio.fail('project.new', { dir: 'relative/dir', name: 'x' })).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('path must be absolute') });
  });

  it('saves atomically, keeps the last 10 backups, and skips stale out-of-order saves', async () => {
    const root = scratch();
    const studio = testStudio(path.join(root, 'data'));
    const dir = path.join(root, 'p');
    const { project } = await studio.call('project.new', { dir, name: 'p' });
    for (let i = 1; i <= 13; i++) {
      const r = await studio.call('project.save', { project: withBeats(project, i), revision: i, autosave: false });
      expect(r).toMatchObject({ skipped: false, target: 'project', revision: i });
    }
    const backups = fs.readdirSync(path.join(dir, 'backups'));
    expect(backups.length).toBe(10);
    // The newest backup is the state before the last save.
    const newest = JSON.parse(fs.readFileSync(path.join(dir, 'backups', backups.sort().at(-1)!), 'utf8')) as Project;
    expect(newest.beats.length).toBe(12);
    const stale = await studio.call('project.save', { project: withBeats(project, 2), revision: 2, autosave: false });
    expect(stale.skipped).toBe(true);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')) as Project;
    expect(onDisk.beats.length).toBe(13);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // cache/ is derived data: deleting it loses nothing and the next open recreates it.
    await studio.call('project.close', {});
    fs.rmSync(path.join(dir, 'cache'), { recursive: true });
    const reopened = await studio.call('project.open', { dir });
    expect(reopened.project.beats.length).toBe(13);
    expect(fs.statSync(path.join(dir, 'cache')).isDirectory()).toBe(true);
  });

  it('autosave writes the recovery copy, not project.json; close refuses to drop it unless told to', async () => {
    const root = scratch();
    const studio = testStudio(path.join(root, 'data'));
    const dir = path.join(root, 'p');
    const { project } = await studio.call('project.new', { dir, name: 'p' });
    const r = await studio.call('project.save', { project: withBeats(project, 5), revision: 3, autosave: true });
    expect(r.target).toBe('autosave');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).beats).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.autosave.json'), 'utf8')).beats.length).toBe(5);
    expect((await studio.call('project.current', {})).unsavedChanges).toBe(true);
    // An autosave that arrives after a newer one is ignored.
    expect((await studio.call('project.save', { project: withBeats(project, 1), revision: 2, autosave: true })).skipped).toBe(true);
    expect(await studio.fail('project.close', {})).toMatchObject({ code: 'PROJECT_UNSAVED_CHANGES' });
    await studio.call('project.save', { project: withBeats(project, 5), revision: 3, autosave: false });
    expect(fs.existsSync(path.join(dir, 'project.autosave.json'))).toBe(false);
    expect(await studio.call('project.close', {})).toEqual({ closed: true, discardedUnsaved: false });
  });

  it('after a crash (stale lock, newer autosave) open offers recovery and recover restores it', async () => {
    const root = scratch();
    const dir = path.join(root, 'p');
    const a = testStudio(path.join(root, 'data'));
    const { project } = await a.call('project.new', { dir, name: 'before crash' });
    await a.call('project.save', { project: { ...withBeats(project, 3), name: 'saved' }, revision: 1, autosave: false });
    await a.call('project.save', { project: { ...withBeats(project, 8), name: 'unsaved work' }, revision: 2, autosave: true });
    // The process "dies": its lock stays behind naming a pid that no longer runs.
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'project.lock'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'project.lock'), JSON.stringify({ ...lock, pid: deadPid(), instanceId: 'dead-instance' }));

    const b = testStudio(path.join(root, 'data'));
    const opened = await b.call('project.open', { dir });
    expect(opened.readOnly).toBe(false);
    expect(opened.recovery).toMatchObject({ available: true, crashed: true });
    expect(opened.project.name).toBe('saved');
    const report = await b.call('project.inspect', {});
    expect(report.crashed).toBe(true);
    expect(report.recommended).toBe('autosave');
    const offered = report.candidates.find((c) => c.id === 'autosave')!;
    expect(offered.newerThanSaved).toBe(true);
    expect(offered.differences).toEqual(['Name: "saved" → "unsaved work"', 'Beat markers: 3 → 8 (5 added)']);
    const recovered = await b.call('project.recover', { dir, candidateId: 'autosave' });
    expect(recovered.project).toMatchObject({ name: 'unsaved work', saved: { kind: 'recovery' } });
    expect(recovered.project.beats.length).toBe(8);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).name).toBe('unsaved work');
    // What project.json held before is still a backup.
    const names = fs.readdirSync(path.join(dir, 'backups')).map((n) => JSON.parse(fs.readFileSync(path.join(dir, 'backups', n), 'utf8')).name);
    expect(names).toContain('saved');
    expect(await b.fail('project.recover', { dir, candidateId: 'backup:../project.lock' })).toMatchObject({ code: 'RECOVERY_UNKNOWN' });
  });

  it('a corrupt project.json is refused with a hint, and a backup can replace it', async () => {
    const root = scratch();
    const dir = path.join(root, 'p');
    const a = testStudio(path.join(root, 'data'));
    const { project } = await a.call('project.new', { dir, name: 'p' });
    await a.call('project.save', { project: withBeats(project, 4), revision: 1, autosave: false });
    await a.call('project.close', {});
    fs.writeFileSync(path.join(dir, 'project.json'), '{"version":2,"name":"torn wri');
    const err = await a.fail('project.open', { dir });
    expect(err.code).toBe('PROJECT_CORRUPT');
    expect(err.message).toMatch(/1 backup can restore it/);
    const report = await a.call('project.inspect', { dir });
    expect(report.saved.ok).toBe(false);
    expect(report.recommended).toMatch(/^backup:/);
    const restored = await a.call('project.recover', { dir, candidateId: report.recommended! });
    expect(restored.project.beats).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'backups')).some((n) => n.startsWith('project.unreadable.'))).toBe(true);
  });

  it('a second instance opens read-only with a message and cannot save; Save As is its way out', async () => {
    const root = scratch();
    const dir = path.join(root, 'p');
    const first = testStudio(path.join(root, 'data'));
    const second = testStudio(path.join(root, 'data'));
    const { project } = await first.call('project.new', { dir, name: 'shared' });
    const ro = await second.call('project.open', { dir });
    expect(ro.readOnly).toBe(true);
    expect(ro.readOnlyReason).toMatch(/open in another MuseDance Studio \(process \d+/);
    expect(ro.lockHolder?.pid).toBe(process.pid);
    expect(await second.fail('project.save', { project, revision: 1, autosave: false })).toMatchObject({ code: 'PROJECT_READ_ONLY' });
    fs.mkdirSync(path.join(dir, 'media', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'media', 'sub', 'a.wav'), 'RIFF');
    const copy = await second.call('project.saveAs', { dir: path.join(root, 'copy'), project: withBeats(project, 2), revision: 1, name: 'mine' });
    expect(copy).toMatchObject({ readOnly: false, project: { name: 'mine', saved: { kind: 'save-as' } } });
    expect(copy.project.id).not.toBe(project.id);
    expect(fs.readFileSync(path.join(root, 'copy', 'media', 'sub', 'a.wav'), 'utf8')).toBe('RIFF');
    // The original stays untouched and locked by the first instance.
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).beats).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.lock'), 'utf8')).instanceId).not.toBe(JSON.parse(fs.readFileSync(path.join(root, 'copy', 'project.lock'), 'utf8')).instanceId);
  });

  it('opening a v1 project upgrades it to v2 on disk and keeps the original', async () => {
    const root = scratch();
    const dir = path.join(root, 'old');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.resolve(__dirname, '../../fixtures/projects/v1/project.json'), path.join(dir, 'project.json'));
    const studio = testStudio(path.join(root, 'data'));
    const validated = await studio.call('project.validate', { dir });
    expect(validated).toMatchObject({ valid: true, version: 1, needsMigration: true });
    expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
    const opened = await studio.call('project.open', { dir });
    expect(opened.migratedFrom).toBe(1);
    expect(opened.project).toMatchObject({ version: 2, name: 'Sunset groove (format 1)', migratedFrom: [1], saved: { kind: 'migration' } });
    expect(opened.warnings.some((w) => /sunset groove\.wav.*missing/.test(w))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).version).toBe(2);
    const original = fs.readdirSync(path.join(dir, 'backups')).find((n) => n.startsWith('project.v1-original.'))!;
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'backups', original), 'utf8')).version).toBe(1);
  });

  it('a project.json from the future is refused and left untouched', async () => {
    const root = scratch();
    const dir = path.join(root, 'future');
    fs.mkdirSync(dir);
    const text = JSON.stringify({ version: 99, name: 'from 2030' });
    fs.writeFileSync(path.join(dir, 'project.json'), text);
    const studio = testStudio(path.join(root, 'data'));
    expect(await studio.fail('project.open', { dir })).toMatchObject({ code: 'PROJECT_FROM_FUTURE' });
    expect(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).toBe(text);
    expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
  });

  it('the media route serves only content folders of the open project, never through symlinks out', async () => {
    const root = scratch();
    const dir = path.join(root, 'p');
    const studio = testStudio(path.join(root, 'data'));
    const outside = path.join(root, 'secret.txt');
    fs.writeFileSync(outside, 'secret');
    await studio.call('project.new', { dir, name: 'p' });
    fs.writeFileSync(path.join(dir, 'media', 'ok.wav'), 'x');
    fs.symlinkSync(outside, path.join(dir, 'media', 'link.wav'));
    fs.symlinkSync(root, path.join(dir, 'takes', 'up'));
    expect(studio.media.resolve('project', 'media/ok.wav')).toBe(fs.realpathSync(path.join(dir, 'media', 'ok.wav')));
    expect(studio.media.resolve('project', 'media/link.wav')).toBeNull();
    expect(studio.media.resolve('project', 'takes/up/secret.txt')).toBeNull();
    expect(studio.media.resolve('project', 'project.json')).toBeNull();
    expect(studio.media.resolve('project', 'project.lock')).toBeNull();
    expect(studio.media.resolve('project', '../secret.txt')).toBeNull();
    await studio.call('project.close', {});
    expect(studio.media.resolve('project', 'media/ok.wav')).toBeNull();
  });

  it('remembers recent projects, newest first, and forgets on request', async () => {
    const root = scratch();
    const studio = testStudio(path.join(root, 'data'));
    for (const name of ['one', 'two']) {
      await studio.call('project.new', { dir: path.join(root, name), name });
      await studio.call('project.close', {});
    }
    fs.rmSync(path.join(root, 'one'), { recursive: true });
    const { projects } = await studio.call('project.recent', {});
    expect(projects.map((p) => [p.name, p.exists])).toEqual([
      ['two', true],
      ['one', false],
    ]);
    const after = await studio.call('project.forgetRecent', { dir: path.join(root, 'one') });
    expect(after.projects.map((p) => p.name)).toEqual(['two']);
    fs.writeFileSync(path.join(root, 'data', 'recent-projects.json'), '[[[[[[[[[[[[[[');
    expect((await studio.call('project.recent', {})).projects).toEqual([]);
  });
});

describe('lock hygiene', () => {
  it('a lock from another host is respected (read-only), since its process cannot be checked', async () => {
    const root = scratch();
    const dir = path.join(root, 'p');
    const studio = testStudio(path.join(root, 'data'));
    await studio.call('project.new', { dir, name: 'p' });
    await studio.call('project.close', {});
    fs.writeFileSync(path.join(dir, 'project.lock'), JSON.stringify({ pid: 1, host: `not-${os.hostname()}`, instanceId: 'remote', acquiredAt: new Date().toISOString(), appVersion: '0.1.0' }));
    const opened = await studio.call('project.open', { dir });
    expect(opened.readOnly).toBe(true);
    expect(opened.readOnlyReason).toMatch(/not-.*\(process 1/);
  });
});

describe('stale lock detection', () => {
  it('a lock whose pid now belongs to a different process (pid reuse) or an earlier boot is stale', async () => {
    const { isStale, processStartTicks, currentBootId } = await import('../../../electron/services/projects/project-lock');
    if (!currentBootId()) return; // Not Linux: only the pid check applies.
    const base = { pid: process.pid, host: os.hostname(), instanceId: 'x', acquiredAt: new Date().toISOString(), appVersion: '0' };
    const start = processStartTicks(process.pid)!;
    expect(isStale({ ...base, bootId: currentBootId()!, processStart: start })).toBe(false);
    expect(isStale({ ...base, bootId: currentBootId()!, processStart: String(Number(start) + 1) })).toBe(true);
    expect(isStale({ ...base, bootId: 'an-earlier-boot', processStart: start })).toBe(true);
    expect(isStale({ ...base, pid: deadPid() })).toBe(true);
    expect(isStale({ ...base, host: 'elsewhere', pid: deadPid() })).toBe(false);
  });
});
